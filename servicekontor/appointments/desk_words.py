"""What the desk tells the officer about a check-in.

The check-in's own messages (`errors`, the kiosk's pages) speak to the citizen: "Your
appointment is on…", "Please ask at the desk", "Check the code". At the desk the officer
checks a citizen in, so the desk names the booking, its time and service instead, and says
what happened to it (checked in, too late, too early, another day).
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from servicekontor.appointments import errors
from servicekontor.appointments.models import Booking
from servicekontor.appointments.services import CheckIn
from servicekontor.appointments.tokens import format_code
from servicekontor.core import clock


def _hhmm(instant: dt.datetime) -> str:
    return instant.astimezone(clock.STOCKHOLM).strftime("%H:%M")


def _facts(booking: Booking) -> dict[str, str]:
    return {
        "code": format_code(booking.code),
        "time": _hhmm(booking.starts_at),
        "service": booking.service.name,
    }


def checked_in(result: CheckIn) -> str:
    """The officer's confirmation of a check-in at the desk, whatever its outcome."""
    values = _facts(result.booking) | {"ticket": result.ticket}
    if result.outcome == "checked_in":
        if result.again:
            text = _(
                "Already checked in: booking %(code)s, appointment %(time)s, %(service)s. "
                "Queue number %(ticket)s."
            )
        else:
            text = _(
                "Checked in: booking %(code)s, appointment %(time)s, %(service)s. "
                "Queue number %(ticket)s."
            )
    elif result.outcome == "late_walk_in":
        text = _(
            "Booking %(code)s came too late for the appointment at %(time)s (%(service)s): "
            "recorded as a no-show and queued as a walk-in, queue number %(ticket)s."
        )
    else:
        text = _(
            "Booking %(code)s came too late for the appointment at %(time)s (%(service)s): "
            "recorded as a no-show, not queued."
        )
    text = text % values
    meeting = result.booking.video_meeting
    if meeting is not None and meeting.active:
        text += " " + _("Show the citizen to video room %(room)s.") % {"room": meeting.room.number}
    return text


def refused(exc: errors.BookingError, booking: Booking) -> str:
    """Why the desk could not check `booking` in, said to the officer."""
    values = _facts(booking)
    if isinstance(exc, errors.BookedElsewhen):
        local = exc.starts_at.astimezone(clock.STOCKHOLM)
        values |= {
            "day": formats.date_format(local, "DAY_FORMAT"),
            "time": local.strftime("%H:%M"),
            "office": exc.office_name,
        }
        if not exc.here:
            return _("Booking %(code)s is at %(office)s, on %(day)s at %(time)s.") % values
        if exc.past:
            return _("Booking %(code)s was for %(day)s at %(time)s, not today.") % values
        return _("Booking %(code)s is for %(day)s at %(time)s, not today.") % values
    if isinstance(exc, errors.TooEarly):
        if exc.opens_at is None:
            return _("Too early to check in booking %(code)s (appointment %(time)s).") % values
        return _(
            "Too early to check in booking %(code)s (appointment %(time)s): check-in opens "
            "at %(opens)s."
        ) % (values | {"opens": _hhmm(exc.opens_at)})
    if isinstance(exc, errors.NotOfferedAnyMore):
        return (
            _("Booking %(code)s cannot be checked in: this office no longer offers %(service)s.")
            % values
        )
    if isinstance(exc, errors.UnknownCode) or (
        type(exc) is errors.CheckInError and exc.message is errors.CheckInError.default_message
    ):
        # Cancelled (by the citizen or the office) since the list was shown.
        return _("Booking %(code)s cannot be checked in: it has been cancelled.") % values
    # A refusal of the queue (the office closed, say): its reason is not worded to anyone.
    return _("Booking %(code)s could not be checked in: %(reason)s") % (
        values | {"reason": exc.message}
    )


def initials(name: str) -> str:
    """The citizen's initials ("Anna Svensson" → "A. S."), so the officer can ask "is this
    your booking?" before cancelling it, without the desk showing the whole name (the desk's
    list shows no name at all). Empty when the name is gone (purged) or was never given."""
    return " ".join(f"{word[0].upper()}." for word in name.split())
