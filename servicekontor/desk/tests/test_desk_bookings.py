"""The desk page shows today's bookings from the appointments app, without JavaScript too."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.services import Contact, book_appointment, cancel_booking
from servicekontor.appointments.tests.conftest import allocate
from servicekontor.appointments.tokens import format_code
from servicekontor.core import clock
from servicekontor.queueing.models import Visit
from tests.factories import make_offering, make_service


@pytest.fixture
def booking(world, clock_at):
    """Booked at 08:00 (bookings close two hours ahead) for 10:40; the desk is at 10:30."""
    service = make_service(agency=world.skatteverket, mode="both", handling_minutes=20)
    make_offering(office=world.office, service=service)
    allocate(world.office, counters=1)
    today = clock.local_today()
    starts_at = clock.local_datetime(today, dt.time(10, 40))
    desk_time = clock.now()
    clock_at.move_to(clock.local_datetime(today, dt.time(8, 0)))
    booked = book_appointment(
        office=world.office,
        service=service,
        starts_at=starts_at,
        contact=Contact(name="Anna Svensson", email="anna@example.invalid"),
    ).booking
    clock_at.move_to(desk_time)
    return booked


def test_desk__page__lists_todays_bookings_with_check_in(client, world, booking):
    client.force_login(world.alice)
    html = client.get(reverse("desk:desk", kwargs={"office_code": world.office.code})).content
    text = html.decode()
    assert format_code(booking.code) in text
    assert "10:40" in text
    assert reverse("appointments:desk_check_in", args=[world.office.code, booking.pk]) in text
    assert "Anna Svensson" not in text  # the desk list needs no name


def test_desk__check_in_without_javascript__back_to_the_desk_with_a_visit(client, world, booking):
    client.force_login(world.alice)
    desk_url = reverse("desk:desk", kwargs={"office_code": world.office.code})
    response = client.post(
        reverse("appointments:desk_check_in", args=[world.office.code, booking.pk]),
        {"next": desk_url},
    )
    assert response.status_code == 302
    assert response["Location"] == desk_url
    assert Visit.objects.filter(booking_reference=booking.code, state="waiting").exists()


# --- what the desk says about a check-in: to the officer, never the citizen's "your
# appointment" / "please ask at the desk" of the kiosk ---------------------------------------

_TO_THE_CITIZEN = re.compile(r"\b(you|your|please|du|din|ditt|dina)\b", re.IGNORECASE)


def _check_in(client, world, booking, language="en"):
    with translation.override(language):
        url = reverse("appointments:desk_check_in", args=[world.office.code, booking.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    said = re.search(r'<p role="(?:status|alert)"[^>]*>(.*?)</p>', html, re.DOTALL)
    assert said is not None, html
    text = unescape(said.group(1)).strip()
    assert not _TO_THE_CITIZEN.search(text), text
    return response.status_code, text


def test_desk__check_in__names_the_booking_its_time_and_service(client, world, booking):
    client.force_login(world.alice)
    status, text = _check_in(client, world, booking)
    ticket = Visit.objects.get(booking_reference=booking.code).ticket
    assert status == 200
    assert text == (
        f"Checked in: booking {format_code(booking.code)}, appointment 10:40, "
        f"{booking.service.name}. Queue number {ticket}."
    )
    status, again = _check_in(client, world, booking)  # a second tap: the same, said so
    assert again.startswith(f"Already checked in: booking {format_code(booking.code)}")


def test_desk__check_in__in_swedish(client, world, booking):
    client.force_login(world.alice)
    status, text = _check_in(client, world, booking, "sv")
    assert status == 200
    assert text.startswith(f"Anmäld på plats: bokning {format_code(booking.code)}, tid 10:40")


def test_desk__check_in__without_javascript__the_desk_shows_the_officers_words(
    client, world, booking
):
    client.force_login(world.alice)
    with translation.override("en"):
        desk_url = reverse("desk:desk", kwargs={"office_code": world.office.code})
        url = reverse("appointments:desk_check_in", args=[world.office.code, booking.pk])
    response = client.post(url, {"next": desk_url}, follow=True)
    text = unescape(response.content.decode())
    assert f"Checked in: booking {format_code(booking.code)}, appointment 10:40" in text


@pytest.mark.parametrize(
    ("move_to", "late_policy", "expected"),
    [
        (
            (10, 0),
            "walk_in",
            "Too early to check in booking {code} (appointment 10:40): check-in opens at 10:10.",
        ),
        (
            (10, 55),
            "walk_in",
            "Booking {code} came too late for the appointment at 10:40 "
            "({service}): recorded as a no-show and queued as a walk-in, queue number",
        ),
        (
            (10, 55),
            "no_show",
            "Booking {code} came too late for the appointment at 10:40 "
            "({service}): recorded as a no-show, not queued.",
        ),
    ],
)
def test_desk__check_in__early_or_late_said_to_the_officer(
    client, world, booking, clock_at, settings, move_to, late_policy, expected
):
    settings.APPOINTMENTS_LATE_POLICY = late_policy
    clock_at.move_to(clock.local_datetime(clock.local_today(), dt.time(*move_to)))
    client.force_login(world.alice)
    _status, text = _check_in(client, world, booking)
    assert text.startswith(
        expected.format(code=format_code(booking.code), service=booking.service.name)
    ), text


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, "Booking {code} was for Wednesday 25 November at 10:40, not today."),
        (-1, "Booking {code} is for Wednesday 25 November at 10:40, not today."),
    ],
)
def test_desk__check_in__another_day_said_to_the_officer(
    client, world, booking, clock_at, days, expected
):
    clock_at.move_to(clock.now() + dt.timedelta(days=days))
    client.force_login(world.alice)
    status, text = _check_in(client, world, booking)
    assert status == 409
    assert text == expected.format(code=format_code(booking.code))


def test_desk__check_in__cancelled_meanwhile_said_to_the_officer(client, world, booking):
    cancel_booking(booking=booking)
    client.force_login(world.alice)
    status, text = _check_in(client, world, booking)
    assert status == 409
    assert (
        text == f"Booking {format_code(booking.code)} cannot be checked in: it has been cancelled."
    )


def test_desk__check_in__refused_without_javascript__back_with_the_reason(
    client, world, booking, clock_at
):
    clock_at.move_to(clock.local_datetime(clock.local_today(), dt.time(10, 0)))
    client.force_login(world.alice)
    with translation.override("en"):
        desk_url = reverse("desk:desk", kwargs={"office_code": world.office.code})
        url = reverse("appointments:desk_check_in", args=[world.office.code, booking.pk])
    response = client.post(url, {"next": desk_url})
    assert (response.status_code, response["X-Refused"]) == (302, "409")
    page = unescape(client.get(desk_url).content.decode())
    assert f"Too early to check in booking {format_code(booking.code)}" in page


def test_desk__check_in__the_kiosk_still_speaks_to_the_citizen(client, world, booking, clock_at):
    clock_at.move_to(clock.local_datetime(clock.local_today(), dt.time(10, 0)))
    with translation.override("en"):
        url = reverse("appointments:kiosk_check_in", args=[world.office.code])
    text = unescape(client.post(url, {"code": booking.code}).content.decode())
    assert "It is too early to check in. You can check in from 10:10." in text
