"""Delete visits (and their events and errands) of local days before a date."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.core import clock
from servicekontor.queueing.retention import purge_visits_before


class Command(BaseCommand):
    help = (
        "Delete finished, no-show and not-served visits of local days before --before (their "
        "events and errands with them) and older desk-status rows. The statistics' rollups "
        "stay; reconcile_statistics cannot check purged periods any more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--batch", type=int, default=10_000)

    def handle(self, *args: object, **options: object) -> None:
        before = options["before"]
        assert isinstance(before, dt.date)
        if before > clock.local_today() - dt.timedelta(days=365):
            raise CommandError("Keep at least a year of the visit log (--before too recent).")
        batch = options["batch"]
        assert isinstance(batch, int)
        count = purge_visits_before(before=before, batch=batch)
        self.stdout.write(f"{count} visits deleted (before {before}).")
