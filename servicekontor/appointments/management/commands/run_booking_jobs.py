import logging
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from servicekontor.appointments import tasks

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "The periodic booking jobs, for cron every few minutes: queue due reminders, record "
        "no-shows of bookings past their grace period, and send what waits in the outbox "
        "(mail and SMS, with retries). One job failing does not stop the others."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs: list[tuple[str, Callable[[], int]]] = [
            ("Reminders queued", tasks.send_due_reminders.call),
            ("No-shows recorded", tasks.record_no_shows_task.call),
            ("Messages sent", tasks.deliver_messages_task.call),
        ]
        failed = []
        lines = []
        for label, job in jobs:
            try:
                lines.append(f"{label}: {job()}")
            except Exception:
                logger.exception("booking job %r failed", label)
                failed.append(label)
                lines.append(f"{label}: failed")
        self.stdout.write("; ".join(lines) + ".")
        if failed:
            raise CommandError(f"failed: {', '.join(failed)} (see the log)")
