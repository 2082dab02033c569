"""Recompute the statistics of a period from the raw visit log and report every difference."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.appointments.conf import purge_after_days
from servicekontor.core import clock
from servicekontor.reports import rollups


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Recompute the rollups of visits of local days FROM…TO (inclusive) from the visit log "
        "and list every difference; with --fix, replace the stored rollups with the recomputed "
        "ones. Exit status 1 if differences were found (and not fixed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, type=_date)
        parser.add_argument("--to", dest="end", required=True, type=_date)
        parser.add_argument("--office", action="append", type=int, help="Office id (repeat).")
        parser.add_argument("--fix", action="store_true")
        parser.add_argument("--show", type=int, default=50, help="Differences to print.")

    def handle(self, *args: object, **options: object) -> None:
        start, end = options["start"], options["end"]
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        if end < start:
            raise CommandError("--to is before --from")
        purged_up_to = clock.local_today() - dt.timedelta(days=purge_after_days())
        if start <= purged_up_to:
            self.stderr.write(
                f"Errands of days up to {purged_up_to} had their interpreter language blanked "
                "by purge_personal_data: the log no longer gives the errand rollup's language "
                "for them, so it shows as differences and --fix drops the stored counts per "
                "language."
            )
        offices = options["office"] or None
        raw = rollups.recompute(start=start, end=end, office_ids=offices)  # type: ignore[arg-type]
        stored = rollups.stored(start=start, end=end, office_ids=offices)  # type: ignore[arg-type]
        differences = rollups.compare(stored, raw)
        shown = options["show"]
        assert isinstance(shown, int)
        for d in differences[:shown]:
            self.stdout.write(f"{d.key} {d.field}: stored {d.stored}, log {d.from_log}")
        self.stdout.write(
            f"{len(raw)} rollup rows from the log, {len(stored)} stored, "
            f"{len(differences)} differences"
        )
        if options["fix"]:
            rollups.rewrite(start=start, end=end, raw=raw, office_ids=offices)
            closed_end = min(end, clock.local_today() - dt.timedelta(days=1))
            if closed_end >= start:
                rollups.roll_up_occupancy(start=start, end=closed_end)
            self.stdout.write("Rollups rewritten from the log.")
        elif differences:
            raise SystemExit(1)
