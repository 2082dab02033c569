import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.appointments import errors, services
from servicekontor.network.models import Office


class Command(BaseCommand):
    help = (
        "Cancel one visit of an outreach stop (the vehicle diverted, staff ill): the day "
        "becomes a closed exception of the stop and its booked citizens are told and offered "
        "a new time, as after an office closure. In the admin: add a closed exception to the "
        "stop (the capacity guard cancels the bookings it hits on save)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("stop", help="the stop's code")
        parser.add_argument("day", type=dt.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--reason-sv", required=True, help="told to the citizens (Swedish)")
        parser.add_argument("--reason-en", default="", help="the same in English")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = Office.objects.filter(code=options["stop"]).first()
        if stop is None:
            raise CommandError(f"No stop with the code {options['stop']!r}.")
        try:
            done = services.divert_outreach_visit(
                stop=stop,
                day=options["day"],
                reason_sv=options["reason_sv"],
                reason_en=options["reason_en"],
            )
        except errors.BookingError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            f"{stop.name} {options['day']}: cancelled; {len(done)} booking(s) told and offered "
            "a new time."
        )
