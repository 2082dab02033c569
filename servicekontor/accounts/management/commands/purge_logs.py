from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.accounts import log_retention


class Command(BaseCommand):
    help = (
        "Delete log rows older than N days (LOG_RETENTION_DAYS, default 180): API client "
        "uses, the admin's change log, login attempts and access logs, finished background "
        "tasks; and expired sessions. Run daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="override the setting")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else log_retention.retention_days()
        try:
            deleted = log_retention.purge_logs(older_than_days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{name} {count}" for name, count in deleted.items())
        self.stdout.write(f"Deleted log rows older than {days} days: {summary}.")
