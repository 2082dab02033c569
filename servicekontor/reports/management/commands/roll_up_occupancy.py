"""Roll up officer occupancy of closed days (run nightly, e.g. from cron after midnight)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.core import clock
from servicekontor.reports.rollups import roll_up_occupancy


class Command(BaseCommand):
    help = (
        "Rewrite the occupancy rollup of closed days from the desk-status log (default: yesterday)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat)

    def handle(self, *args: object, **options: dt.date | None) -> None:
        yesterday = clock.local_today() - dt.timedelta(days=1)
        start = options["start"] or yesterday
        end = options["end"] or yesterday
        try:
            rows = roll_up_occupancy(start=start, end=end)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{rows} office-days of occupancy rolled up ({start} to {end}).")
