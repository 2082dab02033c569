from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.appointments import queries, services
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.core import clock
from servicekontor.network.models import Office


class Command(BaseCommand):
    help = (
        "Cancel future bookings the registry no longer has room for (closures, shortened "
        "hours, an office closing for good, ended offerings, fewer desks) and tell the "
        "citizens, offering a new time. The admin does this when a change is saved; this "
        "sweep (deploy/crontab) catches changes made without it: CSV imports, reference-data "
        "updates, moved milestones, bulk edits. --dry-run only lists them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("office_codes", nargs="*", help="only these offices (default: all)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = options["office_codes"]
        offices = Office.objects.all()
        if codes:
            offices = offices.filter(code__in=codes)
            missing = set(codes) - set(offices.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No office with code(s) {', '.join(sorted(missing))}")
        # Only offices with a future booking can lose one.
        offices = offices.filter(
            pk__in=Booking.objects.filter(
                status=BookingStatus.BOOKED, starts_at__gt=clock.now()
            ).values("office_id")
        )
        if options["dry_run"]:
            found = queries.bookings_without_capacity(offices=offices)
            for booking, reason in found:
                local = booking.starts_at.astimezone(clock.STOCKHOLM)
                self.stdout.write(
                    f"{local:%Y-%m-%d %H:%M}  {booking.office.code}  {booking.code}  {reason}"
                )
            self.stdout.write(f"{len(found)} bookings without a place (dry run: none cancelled).")
            return
        done = services.release_bookings_without_capacity(offices=offices)
        self.stdout.write(f"Cancelled {len(done)} bookings without a place; citizens notified.")
