"""Close what is still waiting after closing time. Run every few minutes (e.g. from cron)."""

from django.core.management.base import BaseCommand

from servicekontor.queueing.services import close_queues


class Command(BaseCommand):
    help = "Close visits still waiting at closing time as 'not served at closing'."

    def handle(self, *args: object, **options: object) -> None:
        closed = close_queues()
        self.stdout.write(f"Closed {closed} visit(s) not served at closing.")
