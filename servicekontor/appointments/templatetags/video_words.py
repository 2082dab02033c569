"""What a citizen is told about a video meeting, one wording everywhere (walk F16).

A video meeting (`Service.video_meeting`) takes place at the office: the citizen comes there
and meets the agency's caseworker on a screen in a video room. Many expect a video meeting
from home, so every place a booking is chosen, shown or sent says so: the service line of
step 1 and the office page, steps 2–4, the confirmation/manage page, the mails, the text
messages and the calendar file (`calendar_file.booking_ics` uses `booked_sentence`).
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from servicekontor.appointments.models import Booking
from servicekontor.catalog.models import Service

register = template.Library()

_UNREAD = object()


def before_sentence() -> str:
    """For a video service before it is booked (no room yet)."""
    return gettext(
        "A video meeting at the office, not from home: you come to the office and talk with "
        "the agency's caseworker on a screen in a video room there."
    )


def booked_sentence(booking: Booking) -> str:
    """For a booked video meeting: where to go and its room ("" for a booking that is no
    video meeting, no longer holds its time, or whose meeting was cancelled)."""
    if not getattr(booking.service, "video_meeting", False) or not booking.holds_capacity():
        return ""
    # the booking page reads the room with the booking (`queries.booking_page_by_token`)
    room = getattr(booking, "meeting_room", _UNREAD)
    if room is _UNREAD:
        meeting = booking.video_meeting
        room = meeting.room.number if meeting is not None else None
    if room is None:  # its meeting was cancelled (the caseworker cannot meet): no room
        return ""
    return gettext(
        "This is a video meeting at the office, not from home: come to the office, check in "
        "at the kiosk with your booking code and we show you to video room %(room)s, where "
        "you talk with the agency's caseworker on a screen."
    ) % {"room": room}


def sms_sentence(booking: Booking) -> str:
    """The same for a text message, short ("" as for `booked_sentence`)."""
    if not booked_sentence(booking):
        return ""
    return gettext("Video meeting at the office, not from home: check in at the kiosk.")


@register.simple_tag
def video_before(service: Service) -> str:
    return before_sentence() if getattr(service, "video_meeting", False) else ""


@register.simple_tag
def video_booked(booking: Booking) -> str:
    return booked_sentence(booking)


@register.simple_tag
def video_sms(booking: Booking) -> str:
    return sms_sentence(booking)
