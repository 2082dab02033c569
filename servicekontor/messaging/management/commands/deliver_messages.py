from typing import Any

from django.core.management.base import BaseCommand

from servicekontor.messaging import services


class Command(BaseCommand):
    help = (
        "Send the waiting messages whose next attempt is due (mail and SMS to citizens); "
        "for cron every few minutes. Failures are recorded and retried with backoff."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = services.deliver_due()
        self.stdout.write(f"Messages sent: {run.sent}; failed attempts: {run.failed}.")
