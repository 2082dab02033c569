from typing import Any

from django.core.management.base import BaseCommand

from servicekontor.appointments import tasks


class Command(BaseCommand):
    help = (
        "The periodic booking jobs, for cron every few minutes: send due reminders and record "
        "no-shows of bookings past their grace period."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = tasks.send_due_reminders.call()
        no_shows = tasks.record_no_shows_task.call()
        self.stdout.write(f"Reminders sent: {reminded}; no-shows recorded: {no_shows}.")
