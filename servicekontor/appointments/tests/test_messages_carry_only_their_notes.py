"""Every message to a citizen carries only the notes that belong to it (walk F5b): "the
street address is missing; map; ask the agency" and "bring a valid ID document" are for a
visit still to come (confirmation, moved, reminder), not for a cancellation, the office's
cancellation, or the calendar file that removes the event."""

import pytest
import time_machine
from django.core import mail

from servicekontor.appointments import mail as booking_mail
from servicekontor.appointments import services, tasks
from servicekontor.appointments.calendar_file import booking_ics
from servicekontor.appointments.models import BookingStatus, OfficeCancelReason
from servicekontor.appointments.services import Contact, book_appointment
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local

pytestmark = pytest.mark.django_db

MISSING_SV = "Gatuadressen saknas"
MISSING_EN = "The street address is missing"


@pytest.fixture
def booked(office, service, django_capture_on_commit_callbacks):
    """A booking needing ID at an office without a street address; the confirmation sent."""
    office.street_address = office.postal_code = office.postal_town = ""
    office.save()
    service.requires_identification = True
    service.save()
    with (
        time_machine.travel(MONDAY_MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        made = book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=Contact(name="Anna", email="anna@example.org"),
        )
    return made


def _unfolded(ics: bytes) -> str:
    """An iCalendar file's text with its folded lines joined (RFC 5545 3.1)."""
    return ics.decode().replace("\r\n ", "").replace("\\n", "\n")


def _texts(message) -> str:
    html = "".join(str(content) for content, _type in getattr(message, "alternatives", []))
    return message.body + html


def test_notes__a_coming_visit_says_the_address_is_missing(booked):
    (confirmation,) = mail.outbox
    assert MISSING_SV in _texts(confirmation)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        tasks.send_reminder.call(booking_id=booked.booking.pk)
    assert MISSING_SV in _texts(mail.outbox[-1])


def test_notes__the_citizens_cancellation_has_no_address_note(
    booked, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with (
        time_machine.travel(MONDAY_MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.cancel_booking(booking=booked.booking)
    (cancelled,) = mail.outbox
    text = _texts(cancelled)
    assert "avbokat" in text.lower()  # it is the cancellation
    assert booked.booking.office.name in text  # the office is still named
    assert MISSING_SV not in text and MISSING_EN not in text
    assert "Fråga" not in text  # "Ask the agency for the address"
    # Its calendar file removes the event: no "bring your ID" in it either.
    (ics,) = [
        bytes(part.get_payload(decode=True))
        for part in cancelled.message().walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert b"METHOD:CANCEL" in ics
    assert "legitimation" not in _unfolded(ics)


def test_notes__the_offices_cancellation_has_no_address_note(
    booked, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    booking = booked.booking
    booking.status = BookingStatus.CANCELLED_BY_OFFICE
    booking.office_cancel_reason = OfficeCancelReason.values[0]
    booking.sequence += 1
    booking.save()
    with (
        time_machine.travel(MONDAY_MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        booking_mail.send_closure_notice(booking)
    (closure,) = mail.outbox
    text = _texts(closure)
    assert booking.office.name in text
    assert MISSING_SV not in text and MISSING_EN not in text


def test_notes__calendar_file__bring_id_only_while_the_visit_stands(booked):
    booking = booked.booking
    kept = booking_ics(
        booking,
        method="PUBLISH",
        domain="example.org",
        organizer_email="noreply@example.org",
        stamp=booking.created_at,
    )
    assert "legitimation" in _unfolded(kept)
    booking.status = BookingStatus.CANCELLED
    cancel = booking_ics(
        booking,
        method="CANCEL",
        domain="example.org",
        organizer_email="noreply@example.org",
        stamp=booking.created_at,
        download=True,
    )
    assert "legitimation" not in _unfolded(cancel)
