"""Every way a booking ends reaches the citizen's calendar as a cancellation (RFC 5546).

A calendar that holds the booking's event (from the confirmation's METHOD:REQUEST or the
downloaded METHOD:PUBLISH) removes it only on a METHOD:CANCEL with the same UID and a SEQUENCE
at least as high; STATUS:CANCELLED inside a PUBLISH is ignored. So once a booking no longer holds
its time, whatever the reason (cancelled by the citizen, the office or the agency; a no-show;
a late arrival let in as a walk-in or turned away), the downloaded file is a CANCEL whose
SEQUENCE is higher than the one the citizen's calendar has.
"""

from typing import Any

import icalendar
import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from servicekontor.appointments import calendar_file, services
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, local
from servicekontor.appointments.tokens import manage_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limit")]

MONDAY = MONDAY_MORNING.date()


def at(hour: int, minute: int = 0):
    return time_machine.travel(local(MONDAY, hour, minute), tick=False)


@pytest.fixture
def booked(office, service, django_capture_on_commit_callbacks) -> tuple[Booking, str, int]:
    """A booking for Monday 11:00 with an e-mail address: the booking, its manage token and
    the SEQUENCE of the confirmation's calendar event."""
    with at(8), django_capture_on_commit_callbacks(execute=True):
        booking = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(MONDAY, 11),
            contact=Contact(name="A", email="a@example.org"),
        ).booking
    (confirmation,) = mail.outbox
    parts: list[Any] = [
        part.get_payload(decode=True)
        for part in confirmation.message().walk()
        if part.get_content_type() == "text/calendar"
    ]
    [ics] = parts
    calendar = icalendar.Calendar.from_ical(ics)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    return booking, manage_token(booking.link_key), int(str(event["SEQUENCE"]))


def _download(client, token: str) -> tuple[str, str, Any]:
    response = client.get(reverse("appointments:calendar", args=[token]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    method = str(calendar["METHOD"])
    assert f"method={method}" in response["Content-Type"]
    return method, str(event["UID"]), event


def _no_show(office, booking):
    with at(11, 30):
        assert services.record_no_shows() == 1


def _late_walk_in(office, booking):
    with at(11, 40):
        assert services.check_in_booking(office=office, code=booking.code).outcome == (
            "late_walk_in"
        )


def _late_turned_away(office, booking):
    with at(11, 40):
        assert services.check_in_booking(office=office, code=booking.code).outcome == (
            "late_no_show"
        )


def _no_show_then_late_walk_in(office, booking):
    _no_show(office, booking)
    _late_walk_in(office, booking)


def _cancelled_by_citizen(office, booking):
    with at(9):
        services.cancel_booking(booking=booking)


def _cancelled_at_desk(office, booking):
    with at(9):
        services.cancel_booking_at_desk(booking=booking)


ENDS = {
    "no_show": (_no_show, BookingStatus.NO_SHOW),
    "late_walk_in": (_late_walk_in, BookingStatus.LATE),
    "late_turned_away": (_late_turned_away, BookingStatus.LATE),
    "no_show_then_late_walk_in": (_no_show_then_late_walk_in, BookingStatus.LATE),
    "cancelled_by_citizen": (_cancelled_by_citizen, BookingStatus.CANCELLED),
    "cancelled_at_desk": (_cancelled_at_desk, BookingStatus.CANCELLED),
}


@pytest.mark.parametrize("end", list(ENDS))
def test_calendar__every_end_of_a_booking__download_is_a_cancel_outranking_the_confirmation(
    client, settings, office, service, booked, end
):
    ending, status = ENDS[end]
    settings.APPOINTMENTS_LATE_POLICY = "no_show" if end == "late_turned_away" else "walk_in"
    booking, token, confirmed_sequence = booked
    with at(8):
        method, uid, event = _download(client, token)
    assert (method, str(event["STATUS"])) == ("PUBLISH", "CONFIRMED")
    assert int(str(event["SEQUENCE"])) == confirmed_sequence

    ending(office, booking)
    booking.refresh_from_db()
    assert booking.status == status
    with at(12):
        method, cancel_uid, event = _download(client, token)
    assert (method, str(event["STATUS"])) == ("CANCEL", "CANCELLED")
    assert cancel_uid == uid
    assert int(str(event["SEQUENCE"])) > confirmed_sequence


def test_calendar__checked_in_on_time__the_event_stands(client, office, booked):
    booking, token, confirmed_sequence = booked
    with at(10, 55):
        assert services.check_in_booking(office=office, code=booking.code).outcome == "checked_in"
        method, _uid, event = _download(client, token)
    assert (method, str(event["STATUS"])) == ("PUBLISH", "CONFIRMED")
    assert int(str(event["SEQUENCE"])) == confirmed_sequence  # nothing changed for the calendar


def test_calendar__recorded_no_show_checks_in_on_time__publish_outranks_the_cancel(
    client, office, booked
):
    """The no-show job ran early (its `at` ahead of the clock): the citizen checks in within
    the grace after all, and the standing event must outrank the CANCEL offered meanwhile."""
    booking, token, _confirmed = booked
    with at(10, 30):
        assert services.record_no_shows(at=local(MONDAY, 11, 30)) == 1
        _method, _uid, cancel = _download(client, token)
    with at(11, 5):
        assert services.check_in_booking(office=office, code=booking.code).outcome == "checked_in"
        method, _uid, event = _download(client, token)
    assert (method, str(event["STATUS"])) == ("PUBLISH", "CONFIRMED")
    assert int(str(event["SEQUENCE"])) > int(str(cancel["SEQUENCE"]))


@pytest.mark.parametrize("status", list(BookingStatus))
def test_calendar__every_status__method_and_status_agree(office, service, status):
    """For every status there is (a new one included): the download's METHOD and the event's
    STATUS say the same thing, and no file says CANCELLED in a PUBLISH or REQUEST."""
    booking = Booking(
        office=office,
        service=service,
        status=status,
        code="ABCD2345",
        day=MONDAY,
        starts_at=local(MONDAY, 11),
        ends_at=local(MONDAY, 11, 30),
    )
    kwargs: dict[str, Any] = {
        "domain": "example.se",
        "organizer_email": "n@example.se",
        "stamp": MONDAY_MORNING,
    }
    method = calendar_file.download_method(booking)
    ics = calendar_file.booking_ics(booking, method=method, download=True, **kwargs)
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert (method, str(event["STATUS"])) in (("PUBLISH", "CONFIRMED"), ("CANCEL", "CANCELLED"))
    assert (method == "PUBLISH") == booking.holds_capacity()
    if not booking.holds_capacity():
        for standing in ("PUBLISH", "REQUEST"):
            with pytest.raises(ValueError, match="CANCEL it"):
                calendar_file.booking_ics(
                    booking, method=standing, attendee_email="a@example.org", **kwargs
                )


def test_calendar__no_show_and_late__sequence_rises_once_per_change(office, booked):
    booking, _token, confirmed_sequence = booked
    with at(11, 30):
        services.record_no_shows()
    booking.refresh_from_db()
    assert booking.sequence == confirmed_sequence + 1
    with at(11, 40):
        services.check_in_booking(office=office, code=booking.code)  # NO_SHOW -> LATE: ended still
    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == (BookingStatus.LATE, confirmed_sequence + 1)
