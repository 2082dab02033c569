"""Messages to citizens about their booking: booked, moved, cancelled (by them or by the
office), reminder.

Each is rendered in the language the citizen booked in (`Booking.language`, inside
`translation.override`), by mail when the booking has an e-mail address (text and HTML,
the calendar file attached to the confirmation) and by SMS when it has only a phone number
(the same words, shorter: templates/appointments/sms/). Delivery is the outbox's
(`servicekontor.messaging`): written now, sent after commit, retried until it goes out.

Every message carries the booking's one manage link (derived from its link key: no token
passes through a queue) and, by mail where a calendar must follow, the booking's one calendar
event (`calendar_file`: the same UID, the current SEQUENCE; METHOD:REQUEST while it stands,
METHOD:CANCEL once cancelled) as a `text/calendar; method=…` part.

What a message may contain: office, time, service, booking code and the manage link. Never
the personal identity number (we do not even keep it), never other people's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from servicekontor.appointments import conf
from servicekontor.appointments.calendar_file import Method, booking_ics
from servicekontor.appointments.models import Booking, VideoMeeting
from servicekontor.appointments.tokens import format_code, manage_token
from servicekontor.core import clock
from servicekontor.messaging import addresses
from servicekontor.messaging.mail import attachment
from servicekontor.messaging.models import Channel, Message
from servicekontor.messaging.services import Content, channel_for, queue_message

TOPIC_CONFIRMATION = "booking.confirmation"
TOPIC_REMINDER = "booking.reminder"
TOPIC_CLOSURE = "booking.closure"
TOPIC_MOVED = "booking.moved"
TOPIC_CANCELLED = "booking.cancelled"


def site_url() -> str:
    return addresses.site_url()


def manage_url(token: str) -> str:
    """The manage link, on SITE_URL, in the active language's URL prefix."""
    return addresses.absolute(reverse("appointments:manage", kwargs={"token": token}))


def booking_manage_url(booking: Booking) -> str:
    """The booking's manage link ("" for bookings made before links were derivable)."""
    return manage_url(manage_token(booking.link_key)) if booking.link_key else ""


def calendar_attachment(booking: Booking, *, method: Method) -> dict[str, Any]:
    """The booking's calendar event as a `text/calendar; method=…` attachment (the citizen is
    the attendee: RFC 5546 asks for one in REQUEST and CANCEL)."""
    ics = booking_ics(
        booking,
        method=method,
        domain=conf.calendar_domain(),
        organizer_email=conf.organizer_email(),
        stamp=clock.now(),
        attendee_email=booking.email,
    )
    return attachment(
        filename="booking.ics", content=ics.decode(), subtype="calendar", params={"method": method}
    )


def contact_channel(booking: Booking) -> str | None:
    """How `notify` reaches the booking's contact: Channel.EMAIL when it has an address
    (then no SMS, even with a phone number), Channel.SMS when it has only a phone number,
    None without either. Pages that say what was sent ask this, not the fields."""
    target = channel_for(email=booking.email, phone=booking.phone)
    return target[0] if target is not None else None


def booking_language(booking: Booking) -> str:
    return booking.language or settings.LANGUAGE_CODE


def notify(
    booking: Booking,
    *,
    topic: str,
    template: str,
    subject: Callable[[], str],
    context: Callable[[], dict[str, Any]] | None = None,
    calendar: Method | None = None,
    dedup_key: str | None = None,
    expires_at: dt.datetime | None = None,
    deliver_after_commit: bool = True,
) -> Message | None:
    """Queue one message about `booking` to its contact, in the booking's language.

    `template` names templates/appointments/mail/<template>.txt and .html and
    templates/appointments/sms/<template>.txt. `subject` and `context` are called inside
    the language override (so lazy and formatted strings come out in that language).
    Returns the outbox row, or None when the booking has no contact or `dedup_key` was
    queued before. Delivery happens after the caller's transaction commits, or, with
    `deliver_after_commit=False` (background jobs), when the caller calls
    `messaging.services.deliver` (or the outbox's periodic run does).
    """
    target = channel_for(email=booking.email, phone=booking.phone)
    if target is None:
        return None
    channel, recipient = target
    language = booking_language(booking)
    with translation.override(language):
        values = {
            "booking": booking,
            "code": format_code(booking.code),
            "site_url": site_url(),
            "manage_url": booking_manage_url(booking),
            "book_url": addresses.absolute(reverse("appointments:services")),
            **(context() if context else {}),
        }
        content = Content(
            subject=subject(),
            text=render_to_string(f"appointments/mail/{template}.txt", values),
            html=render_to_string(f"appointments/mail/{template}.html", values),
            sms_text=render_to_string(f"appointments/sms/{template}.txt", values).strip(),
            attachments=(
                (calendar_attachment(booking, method=calendar),)
                if calendar and booking.email
                else ()
            ),
        )
    return queue_message(
        channel=channel,
        recipient=recipient,
        content=content,
        topic=topic,
        language=language,
        object_id=booking.pk,
        dedup_key=dedup_key,
        expires_at=expires_at,
        deliver_after_commit=deliver_after_commit,
    )


def send_confirmation(booking: Booking) -> Message | None:
    """The booking's confirmation with its manage link (and its calendar event by mail)."""
    return notify(
        booking,
        topic=TOPIC_CONFIRMATION,
        template="confirmation",
        subject=lambda: (
            _("Your booking %(code)s at %(office)s")
            % {"code": format_code(booking.code), "office": booking.office.name}
        ),
        calendar="REQUEST",
        dedup_key=f"{TOPIC_CONFIRMATION}:{booking.pk}",
    )


def send_moved(booking: Booking) -> Message | None:
    """The booking has a new time ("updated", not a new booking): same code, same link, the
    same calendar event with a higher SEQUENCE."""
    return notify(
        booking,
        topic=TOPIC_MOVED,
        template="moved",
        subject=lambda: (
            _("Your booking %(code)s is updated: new time at %(office)s")
            % {"code": format_code(booking.code), "office": booking.office.name}
        ),
        calendar="REQUEST",
        dedup_key=f"{TOPIC_MOVED}:{booking.pk}:{booking.sequence}",
    )


def send_cancelled(booking: Booking) -> Message | None:
    """The citizen cancelled: a receipt, and METHOD:CANCEL for their calendar."""
    return notify(
        booking,
        topic=TOPIC_CANCELLED,
        template="cancelled",
        subject=lambda: (
            _("Your booking %(code)s at %(office)s is cancelled")
            % {"code": format_code(booking.code), "office": booking.office.name}
        ),
        calendar="CANCEL",
        dedup_key=f"{TOPIC_CANCELLED}:{booking.pk}:{booking.sequence}",
    )


def send_closure_notice(booking: Booking) -> Message | None:
    """The office took the booking's place (closure, ended service, fewer counters): the
    reason, the same link to choose a new time, METHOD:CANCEL for the old time."""
    return notify(
        booking,
        topic=TOPIC_CLOSURE,
        template="closure",
        subject=lambda: (
            _("%(office)s cannot receive you at your booked time") % {"office": booking.office.name}
        ),
        calendar="CANCEL",
        dedup_key=f"{TOPIC_CLOSURE}:{booking.pk}:{booking.sequence}",
    )


def send_reminder(booking: Booking, *, deliver_after_commit: bool = True) -> Message | None:
    """The reminder before the visit; queued once per booking and time (a moved booking is
    reminded of its new time), useless after its start."""
    return notify(
        booking,
        topic=TOPIC_REMINDER,
        template="reminder",
        subject=lambda: _("Reminder: your booking at %(office)s") % {"office": booking.office.name},
        dedup_key=f"{TOPIC_REMINDER}:{booking.pk}:{booking.starts_at.isoformat()}",
        expires_at=booking.starts_at,
        deliver_after_commit=deliver_after_commit,
    )


TOPIC_MEETING_CANCELLED = "video.cancelled_for_caseworker"


def send_meeting_cancelled_to_caseworker(meeting: VideoMeeting) -> Message | None:
    """To the caseworker's work address, through the outbox (delivered at least once, once
    per meeting): which meeting (time, office, booking code) and who cancelled, or, when
    the citizen moved it, the new time (if it is with the same caseworker). No citizen
    data: the agency's system has the case. In Swedish, the agencies' working language."""
    if not meeting.caseworker.email:
        return None
    booking = meeting.booking
    with translation.override("sv"):
        values = {"meeting": meeting, "booking": booking, "code": format_code(booking.code)}
        content = Content(
            subject=(
                _("Video meeting %(code)s moved")
                if meeting.moved_to_id is not None
                else _("Video meeting %(code)s cancelled")
            )
            % {"code": format_code(booking.code)},
            text=render_to_string("appointments/mail/meeting_cancelled_caseworker.txt", values),
        )
    return queue_message(
        channel=Channel.EMAIL,
        recipient=meeting.caseworker.email,
        content=content,
        topic=TOPIC_MEETING_CANCELLED,
        language="sv",
        object_id=meeting.pk,
        dedup_key=f"{TOPIC_MEETING_CANCELLED}:{meeting.pk}",
    )
