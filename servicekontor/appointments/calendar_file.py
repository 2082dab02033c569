"""The booking as one iCalendar (.ics) event, written with the `icalendar` library.

A booking has one calendar identity for life (RFC 5545/5546): the UID
`booking-<code>@<domain>` (the domain from settings, never the request's host, so the mail
and the downloaded file name the same event), a SEQUENCE that rises with every move or cancel,
DTSTAMP the moment the file is written, and an ORGANIZER (the sender address, named after the
office). What the file is for decides METHOD:

- `PUBLISH`: the downloaded file while the booking stands (no attendee),
- `REQUEST`: the confirmation and "updated" mails; the citizen is the ATTENDEE, already
  accepted and asked for no reply (PARTSTAT=ACCEPTED, RSVP=FALSE), so clients add the event
  and update it in place when a higher SEQUENCE arrives,
- `CANCEL`: the cancellation mails (the citizen's or the office's) and the downloaded file
  once the booking no longer holds its time (`download_method`: cancelled, or ended as a
  no-show or a late arrival), STATUS:CANCELLED, the same UID and the SEQUENCE that change
  raised. Calendar apps ignore STATUS:CANCELLED in a PUBLISH; a CANCEL
  removes the event. The downloaded file names the citizen as attendee when the booking has
  an e-mail address; without one it goes without (RFC 5546 asks for an attendee, but the
  file is the citizen's own import: clients match it by UID).

A calendar that applies every message it received ends with exactly one event, at the
current time, or none. Nothing personal beyond the attendee address the mail is sent to.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from servicekontor.appointments.models import Booking
from servicekontor.appointments.templatetags.video_words import booked_sentence
from servicekontor.appointments.tokens import format_code

PRODID = "-//servicekontor//appointments//SV"
Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def event_uid(booking: Booking, *, domain: str) -> str:
    return f"booking-{booking.code}@{domain}"


def download_method(booking: Booking) -> Method:
    """METHOD of the downloaded file: PUBLISH while the booking holds its time (booked,
    checked in), else CANCEL: cancelled by the citizen or the office, and every other end of
    a booking (a no-show, a late arrival let in as a walk-in or turned away), each of which
    raised SEQUENCE (services._set_status)."""
    if booking.holds_capacity():
        return "PUBLISH"
    return "CANCEL"


def booking_ics(
    booking: Booking,
    *,
    method: Method,
    domain: str,
    organizer_email: str,
    stamp: dt.datetime,
    attendee_email: str = "",
    download: bool = False,
) -> bytes:
    """The iCalendar file of `booking` for `method` (see the module docstring).

    `domain`: the UID's right-hand side (a host name); `organizer_email`: a bare address;
    `stamp`: DTSTAMP, an aware datetime (the time the file is written); `download`: the
    file the citizen downloads (a CANCEL may then go without an attendee).
    Raises ValueError for METHOD:REQUEST/CANCEL without an attendee (RFC 5546 requires one)
    in a mail.
    """
    if method in ("REQUEST", "CANCEL") and not attendee_email and not download:
        raise ValueError(f"METHOD:{method} needs an attendee")
    cancelled = method == "CANCEL"
    if not cancelled and not booking.holds_capacity():
        # STATUS:CANCELLED in a PUBLISH or REQUEST is ignored by calendar apps: the event
        # would stay. A booking that no longer holds its time is only ever a CANCEL.
        raise ValueError(f"METHOD:{method} for a booking that is {booking.status}: CANCEL it")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", event_uid(booking, domain=domain))
    event.add("sequence", booking.sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", booking.starts_at.astimezone(dt.UTC))
    event.add("dtend", booking.ends_at.astimezone(dt.UTC))
    event.add("summary", f"{booking.service.name} · {booking.office.name}")
    event.add("location", booking.office.name_and_address)
    bring_id = "\n" + gettext("Bring a valid ID document.")
    video = booked_sentence(booking)  # at the office, not from home (walk F16)
    event.add(
        "description",
        f"{booking.service.agency.name}: {booking.service.name}\n{format_code(booking.code)}"
        # "Bring your ID" is for a coming visit, not in the file that removes it (walk F5b)
        + (bring_id if booking.service.requires_identification and not cancelled else "")
        + (f"\n{video}" if video else ""),
    )
    event.add("geo", (booking.office.latitude, booking.office.longitude))
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(booking.office.name)
    event.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
