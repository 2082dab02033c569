"""What can go wrong with a booking, and the HTTP status each failure maps to (see core.errors)."""

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from servicekontor.core import clock
from servicekontor.core.errors import DomainError
from servicekontor.core.i18n import when_words


class BookingError(DomainError):
    default_message = _("The booking could not be made.")


class NotBookable(BookingError):
    """The office offers the service, but takes no bookings for it on that day (no longer,
    or not yet): 409, the day is not available."""

    http_status = 409
    default_message = _("This office does not take bookings for that service on that day.")


class NotOfferedHere(BookingError):
    """The office does not offer the service at all (a link to a time there is unknown)."""

    http_status = 404
    default_message = _("This office does not offer that service.")


class TimePassed(BookingError):
    http_status = 410
    default_message = _("That time has already passed. Choose one of the listed times.")


class NotASlot(BookingError):
    """A well-formed time of a bookable day that is not one of its slots: unknown (404)."""

    http_status = 404
    default_message = _("That is not one of the office's appointment times. Choose a listed time.")


class OfficeClosed(BookingError):
    http_status = 409
    default_message = _("The office is closed at that time. Choose one of the listed times.")


class SameTime(BookingError):
    http_status = 400
    default_message = _("That is already your booked time. Choose another time.")


class NotOfferedAnyMore(BookingError):
    http_status = 409
    default_message = _(
        "The office no longer offers this service, so the booking cannot be checked in. "
        "Please ask at the desk."
    )


class OutsideWindow(BookingError):
    http_status = 409
    default_message = _(
        "That time can no longer be booked (too soon, or too far ahead). Choose another time."
    )


def lead_words(lead: dt.timedelta) -> str:
    """How long before its start a time can still be booked, in words: "2 hours",
    "90 minutes" (whole hours as hours)."""
    minutes = int(lead.total_seconds() // 60)
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


def lead_hidden_words(lead: dt.timedelta, earliest: dt.datetime) -> str:
    """The times pages' note when free times are not listed because they start too soon."""
    return gettext(
        "A time can be chosen at the latest %(lead)s before it starts, so times that start "
        "before %(when)s are not shown."
    ) % {"lead": lead_words(lead), "when": when_words(earliest)}


class TooSoon(OutsideWindow):
    """The time starts sooner than the office's rule allows a citizen to book or move to
    (`Rules.closes_before`): says the rule and from when times can be chosen now (walk F6:
    near times were refused with no reason)."""

    def __init__(self, *, lead: dt.timedelta, earliest: dt.datetime) -> None:
        self.lead, self.earliest = lead, earliest
        super().__init__(
            gettext(
                "A time can be chosen at the latest %(lead)s before it starts: now you can "
                "choose a time that starts %(when)s or later. Choose another time."
            )
            % {"lead": lead_words(lead), "when": when_words(earliest)}
        )


class TooFarAhead(OutsideWindow):
    """The time is past the office's booking window (`Rules.horizon_days`): says up to which
    day times can be booked."""

    def __init__(self, *, last_day: dt.date) -> None:
        self.last_day = last_day
        super().__init__(
            gettext(
                "That time is too far ahead: times at this office can be booked up to and "
                "including %(day)s. Choose another time."
            )
            % {"day": formats.date_format(last_day, "DAY_FORMAT")}
        )


class SlotTaken(BookingError):
    http_status = 409
    default_message = _("Someone booked the last place at that time just now. Choose another time.")


class LimitReached(BookingError):
    http_status = 409
    default_message = _(
        "You already have the most bookings allowed for this service on that day at this office."
    )


class NotChangeable(BookingError):
    """A booking in an end state; each end state says which (`services.why_not_changeable`)."""

    http_status = 409
    default_message = _("This booking can no longer be changed.")


class AlreadyCancelled(NotChangeable):
    default_message = _("This booking is already cancelled.")


class CancelledByOffice(NotChangeable):
    default_message = _("The office has already cancelled this booking.")


class AlreadyCheckedIn(NotChangeable):
    default_message = _("This booking is already checked in.")


class MeetingMoved(NotChangeable):
    default_message = _("This video meeting has been moved to another time: it is a new meeting.")


class BookingTimePassed(NotChangeable):
    default_message = _("This booking's time has passed.")


class CheckInError(BookingError):
    http_status = 409
    default_message = _("Check-in was not possible. Please ask at the desk.")


class UnknownCode(CheckInError):
    http_status = 404
    default_message = _("No booking for today at this office has that code. Check the code.")


class BookedElsewhen(CheckInError):
    """The code is a booking's, but not one for today at this office: says when and where
    the appointment is (or was) — the day, the time and the office, nothing more (no name,
    no service)."""

    http_status = 409

    def __init__(self, *, starts_at: dt.datetime, office_name: str, here: bool, past: bool) -> None:
        # Kept for the desk, which words the same facts to the officer (`desk_words`).
        self.starts_at, self.office_name, self.here, self.past = starts_at, office_name, here, past
        local = starts_at.astimezone(clock.STOCKHOLM)
        values = {
            "day": formats.date_format(local, "DAY_FORMAT"),
            "time": local.strftime("%H:%M"),
            "office": office_name,
        }
        if past:
            message = gettext("Your appointment was on %(day)s at %(time)s at %(office)s.")
        elif here:
            message = gettext("Your appointment is on %(day)s at %(time)s at %(office)s.")
        else:
            message = gettext(
                "Your appointment is at another office: on %(day)s at %(time)s at %(office)s."
            )
        super().__init__(message % values)


class TooEarly(CheckInError):
    """Before check-in opens (the booked time less `APPOINTMENTS_EARLY_CHECK_IN_MINUTES`);
    says from what local time (HH:MM, Stockholm) the citizen can check in."""

    http_status = 409
    default_message = _("It is too early to check in. Please come back closer to your time.")

    def __init__(self, *, opens_at: dt.datetime | None = None) -> None:
        self.opens_at = opens_at
        if opens_at is None:
            super().__init__()
        else:
            super().__init__(
                gettext("It is too early to check in. You can check in from %(time)s.")
                % {"time": opens_at.astimezone(clock.STOCKHOLM).strftime("%H:%M")}
            )


class NotOutreach(BookingError):
    http_status = 400
    default_message = _("Only an outreach stop's visit can be diverted; close an office instead.")


class NoVisitThatDay(BookingError):
    http_status = 409
    default_message = _("The stop is not served that day (or that visit is already cancelled).")


class DivertReasonMissing(BookingError):
    http_status = 400
    default_message = _("Say why the visit is cancelled: the citizens are told.")


class NoCaseworkerFree(BookingError):
    http_status = 409
    default_message = _(
        "No caseworker is free at that time any more (someone just booked it). Choose another time."
    )


class NotYourMeeting(BookingError):
    http_status = 404
    default_message = _("No such meeting of your agency.")


class BadAvailability(BookingError):
    http_status = 400
    default_message = _("Every free period must end after it starts.")
