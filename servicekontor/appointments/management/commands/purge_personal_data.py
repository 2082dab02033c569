from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from servicekontor.appointments import conf, services


class Command(BaseCommand):
    help = (
        "Blank name, e-mail, mobile and identity hash of bookings that ended more than N days ago "
        "(APPOINTMENTS_PURGE_AFTER_DAYS, default 30), and the notification contact and note of "
        "queue visits that old. Statistics (office, service, times, status) stay. Run daily "
        "from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="override the setting")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else conf.purge_after_days()
        count = services.purge_personal_data(older_than_days=days)
        self.stdout.write(f"Purged personal data of {count} bookings older than {days} days.")
