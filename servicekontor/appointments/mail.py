"""E-mails to citizens: confirmation, reminder, closure notice. Django's mail backends.

What a mail may contain: office, time, service, booking code and the manage link. Never the
personal identity number (we do not even keep it), never other people's data.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from servicekontor.appointments.calendar_file import booking_ics
from servicekontor.appointments.models import Booking, VideoMeeting
from servicekontor.appointments.tokens import format_code


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def manage_url(token: str) -> str:
    return site_url() + reverse("appointments:manage", kwargs={"token": token})


def _send(booking: Booking, *, subject: str, template: str, context: dict, ics: bool) -> bool:
    if not booking.email:
        return False
    body = render_to_string(
        template, {"booking": booking, "code": format_code(booking.code), **context}
    )
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[booking.email]
    )
    if ics:
        message.attach("booking.ics", booking_ics(booking), "text/calendar")
    message.send()
    return True


def send_confirmation(booking: Booking, *, token: str) -> bool:
    return _send(
        booking,
        subject=_("Your booking %(code)s at %(office)s")
        % {"code": format_code(booking.code), "office": booking.office.name},
        template="appointments/mail/confirmation.txt",
        context={"manage_url": manage_url(token)},
        ics=True,
    )


def send_reminder(booking: Booking) -> bool:
    return _send(
        booking,
        subject=_("Reminder: your booking at %(office)s") % {"office": booking.office.name},
        template="appointments/mail/reminder.txt",
        context={},
        ics=False,
    )


def send_closure_notice(booking: Booking, *, token: str) -> bool:
    return _send(
        booking,
        subject=_("%(office)s is closed at your booked time") % {"office": booking.office.name},
        template="appointments/mail/closure.txt",
        context={"manage_url": manage_url(token)},
        ics=False,
    )


def send_meeting_cancelled_to_caseworker(meeting: VideoMeeting) -> bool:
    """To the caseworker's work address: which meeting (time, office, booking code) and who
    cancelled. No citizen data: the agency's system has the case."""
    if not meeting.caseworker.email:
        return False
    booking = meeting.booking
    body = render_to_string(
        "appointments/mail/meeting_cancelled_caseworker.txt",
        {"meeting": meeting, "booking": booking, "code": format_code(booking.code)},
    )
    EmailMultiAlternatives(
        subject=_("Video meeting %(code)s cancelled") % {"code": format_code(booking.code)},
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[meeting.caseworker.email],
    ).send()
    return True
