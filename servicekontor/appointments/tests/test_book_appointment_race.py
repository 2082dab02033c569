"""Many citizens book the last places of one slot at the same moment, on PostgreSQL."""

import datetime as dt

import pytest

from servicekontor.appointments import errors, services
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import allocate
from servicekontor.core import clock
from servicekontor.network import queries as network_queries
from tests.factories import make_offering, make_office, make_service, race

THREADS = 16


def _outcomes(results: list[str | BaseException]) -> list[str]:
    """Unexpected exceptions become strings, so the assertion shows them."""
    return [r if isinstance(r, str) else f"error {r!r}" for r in results]


def _next_open_day(office) -> dt.date:
    day = clock.local_today() + dt.timedelta(days=2)
    while not network_queries.opening_intervals(office=office, day=day):
        day += dt.timedelta(days=1)
    return day


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("already_booked", [0, 2])
def test_booking__book_appointment__race__exactly_capacity_succeeds(already_booked):
    service = make_service(handling_minutes=20)
    office = make_office(counters=3)
    make_offering(office=office, service=service, valid_from=dt.date(2019, 1, 1))
    allocate(office, counters=3)
    day = _next_open_day(office)
    start = network_queries.opening_intervals(office=office, day=day)[0][0]
    for n in range(already_booked):
        services.book_appointment(
            office=office,
            service=service,
            starts_at=start,
            contact=Contact(name="x", email=f"e{n}@x.se"),
        )
    capacity = 3 - already_booked

    def attempt(n: int) -> str:
        try:
            services.book_appointment(
                office=office,
                service=service,
                starts_at=start,
                contact=Contact(name=f"Citizen {n}", email=f"c{n}@example.org"),
            )
        except errors.SlotTaken:
            return "taken"
        return "ok"

    outcomes = _outcomes(race(THREADS, attempt))

    assert sorted(outcomes) == sorted(["ok"] * capacity + ["taken"] * (THREADS - capacity))
    assert (
        Booking.objects.filter(office=office, starts_at=start, status=BookingStatus.BOOKED).count()
        == 3
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_booking__book_appointment__race__one_person_gets_one_booking_a_day():
    service = make_service(handling_minutes=20)
    office = make_office(counters=3)
    make_offering(office=office, service=service, valid_from=dt.date(2019, 1, 1))
    allocate(office, counters=3)
    day = _next_open_day(office)
    opens = network_queries.opening_intervals(office=office, day=day)[0][0]
    starts = [opens + dt.timedelta(minutes=20 * n) for n in range(THREADS // 2)]

    def attempt(n: int) -> str:
        try:
            services.book_appointment(
                office=office,
                service=service,
                starts_at=starts[n],
                contact=Contact(name="Same Person", email="same@example.org"),
            )
        except errors.LimitReached:
            return "limit"
        return "ok"

    outcomes = _outcomes(race(len(starts), attempt))

    assert sorted(outcomes) == ["limit"] * (len(starts) - 1) + ["ok"]
    assert Booking.objects.filter(office=office, email="same@example.org").count() == 1
