import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.appointments import queries, services
from servicekontor.core import clock
from servicekontor.network.models import Office


class Command(BaseCommand):
    help = (
        "After a closure was added: list the bookings at an office that now fall outside its "
        "opening hours; with --notify cancel them and e-mail the citizens a rebooking link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("office_code")
        parser.add_argument("--from-day", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--notify", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        office = Office.objects.filter(code=options["office_code"]).first()
        if office is None:
            raise CommandError(f"No office with code {options['office_code']!r}")
        from_day = options["from_day"] or clock.local_today()
        affected = queries.bookings_affected_by_closures(office=office, from_day=from_day)
        for booking in affected:
            local = booking.starts_at.astimezone(clock.STOCKHOLM)
            self.stdout.write(f"{local:%Y-%m-%d %H:%M}  {booking.code}  {booking.service.code}")
        if options["notify"]:
            done = services.notify_closure_affected(office=office, from_day=from_day)
            self.stdout.write(f"Cancelled and notified {len(done)} bookings.")
        else:
            self.stdout.write(f"{len(affected)} bookings affected; run with --notify to tell them.")
