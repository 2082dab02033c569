"""The desk page shows today's bookings from the appointments app, without JavaScript too."""

import datetime as dt

import pytest
from django.urls import reverse

from servicekontor.appointments.services import Contact, book_appointment
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
