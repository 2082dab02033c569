"""E-mails to citizens about their booking: booked, moved, cancelled (by them or by the office),
reminder. Django's mail backends.

Every message carries the booking's one manage link (derived from its link key, so no token
passes through a task queue) and, where the calendar must follow, the booking's one calendar
event (`calendar_file`: same UID, the current SEQUENCE; METHOD:REQUEST while it stands,
METHOD:CANCEL once cancelled), as a `text/calendar; method=…` part.

What a mail may contain: office, time, service, booking code and the manage link. Never the
personal identity number (we do not even keep it), never other people's data.
"""

from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from servicekontor.appointments import conf
from servicekontor.appointments.calendar_file import Method, booking_ics
from servicekontor.appointments.models import Booking
from servicekontor.appointments.tokens import format_code, manage_token
from servicekontor.core import clock


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def manage_url(token: str) -> str:
    return site_url() + reverse("appointments:manage", kwargs={"token": token})


def booking_manage_url(booking: Booking) -> str:
    """The booking's manage link ("" for bookings made before links were derivable)."""
    return manage_url(manage_token(booking.link_key)) if booking.link_key else ""


def calendar_part(booking: Booking, *, method: Method) -> MIMEText:
    """The booking's calendar event as a `text/calendar; method=…` attachment."""
    ics = booking_ics(
        booking,
        method=method,
        domain=conf.calendar_domain(),
        organizer_email=conf.organizer_email(),
        stamp=clock.now(),
        attendee_email=booking.email,
    )
    part = MIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="booking.ics")
    return part


def _send(booking: Booking, *, subject: str, template: str, calendar: Method | None = None) -> bool:
    if not booking.email:
        return False
    body = render_to_string(
        template,
        {
            "booking": booking,
            "code": format_code(booking.code),
            "manage_url": booking_manage_url(booking),
            "site_url": site_url(),
        },
    )
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[booking.email]
    )
    if calendar is not None:
        message.attach(calendar_part(booking, method=calendar))
    message.send()
    return True


def send_confirmation(booking: Booking) -> bool:
    return _send(
        booking,
        subject=_("Your booking %(code)s at %(office)s")
        % {"code": format_code(booking.code), "office": booking.office.name},
        template="appointments/mail/confirmation.txt",
        calendar="REQUEST",
    )


def send_moved(booking: Booking) -> bool:
    return _send(
        booking,
        subject=_("Your booking %(code)s is updated: new time at %(office)s")
        % {"code": format_code(booking.code), "office": booking.office.name},
        template="appointments/mail/moved.txt",
        calendar="REQUEST",
    )


def send_cancelled(booking: Booking) -> bool:
    return _send(
        booking,
        subject=_("Your booking %(code)s at %(office)s is cancelled")
        % {"code": format_code(booking.code), "office": booking.office.name},
        template="appointments/mail/cancelled.txt",
        calendar="CANCEL",
    )


def send_closure_notice(booking: Booking) -> bool:
    """The office took the booking's place (closure, ended service, fewer counters)."""
    return _send(
        booking,
        subject=_("%(office)s cannot receive you at your booked time")
        % {"office": booking.office.name},
        template="appointments/mail/closure.txt",
        calendar="CANCEL",
    )


def send_reminder(booking: Booking) -> bool:
    return _send(
        booking,
        subject=_("Reminder: your booking at %(office)s") % {"office": booking.office.name},
        template="appointments/mail/reminder.txt",
    )
