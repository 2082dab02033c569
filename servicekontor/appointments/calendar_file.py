"""The booking as an iCalendar (.ics) event, written with the `icalendar` library.

The event carries what a calendar needs and nothing personal: office, address, service, code.
"""

from icalendar import Calendar, Event

from servicekontor.appointments.models import Booking
from servicekontor.appointments.tokens import format_code

PRODID = "-//servicekontor//appointments//SV"


def booking_ics(booking: Booking, *, domain: str = "servicekontor.example") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.pk}@{domain}")
    event.add("dtstamp", booking.created_at)
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", f"{booking.service.name} · {booking.office.name}")
    event.add("location", booking.office.name_and_address)
    event.add(
        "description",
        f"{booking.service.agency.name}: {booking.service.name}\n{format_code(booking.code)}",
    )
    event.add("geo", (booking.office.latitude, booking.office.longitude))
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
