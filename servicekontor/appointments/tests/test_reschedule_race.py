"""Moving bookings at the same moment, on PostgreSQL: one booking stays one booking, and the
last place goes to exactly one of those who want it."""

import datetime as dt

import pytest

from servicekontor.appointments import errors, services
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import allocate
from servicekontor.core import clock
from servicekontor.network import queries as network_queries
from servicekontor.network.models import ExceptionKind, OpeningException
from tests.factories import make_offering, make_office, make_service, race

THREADS = 8


def _open_days(office, n: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = clock.local_today() + dt.timedelta(days=2)
    while len(days) < n:
        if network_queries.opening_intervals(office=office, day=day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _world(counters: int = 1):
    service = make_service(handling_minutes=20)
    office = make_office(counters=counters)
    make_offering(office=office, service=service, valid_from=dt.date(2019, 1, 1))
    allocate(office, counters=counters)
    return office, service


def _start(office, day: dt.date, index: int = 0) -> dt.datetime:
    opens = network_queries.opening_intervals(office=office, day=day)[0][0]
    return opens + dt.timedelta(minutes=20 * index)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reschedule__race__one_booking_moved_many_times_at_once_stays_one():
    office, service = _world(counters=2)
    first, second = _open_days(office, 2)
    booking = services.book_appointment(
        office=office,
        service=service,
        starts_at=_start(office, first),
        contact=Contact(name="A", email="a@x.se"),
    ).booking
    targets = [_start(office, second, i) for i in range(THREADS)]

    def attempt(n: int) -> str:
        services.reschedule_booking(booking=booking, starts_at=targets[n])
        return "ok"

    results = race(THREADS, attempt)
    assert all(r == "ok" for r in results), results
    rows = list(Booking.objects.all())
    assert len(rows) == 1
    moved = rows[0]
    assert moved.status == BookingStatus.BOOKED and moved.starts_at in targets
    assert moved.sequence == THREADS  # every move was applied, one after another


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reschedule__race__rebooking_after_a_closure_twice_at_once_gives_one_booking():
    office, service = _world(counters=2)
    first, second = _open_days(office, 2)
    booking = services.book_appointment(
        office=office,
        service=service,
        starts_at=_start(office, first),
        contact=Contact(name="A", email="a@x.se"),
    ).booking
    OpeningException.objects.create(office=office, date=first, kind=ExceptionKind.CLOSED)
    services.release_bookings_without_capacity(offices=[office])

    def attempt(n: int) -> str:
        services.reschedule_booking(booking=booking, starts_at=_start(office, second, n))
        return "ok"

    results = race(2, attempt)
    assert results == ["ok", "ok"]
    assert Booking.objects.count() == 1
    assert Booking.objects.get().status == BookingStatus.BOOKED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reschedule__race__many_move_into_the_last_place_exactly_one_gets_it():
    office, service = _world(counters=1)
    first, second = _open_days(office, 2)
    target = _start(office, second)
    bookings = [
        services.book_appointment(
            office=office,
            service=service,
            starts_at=_start(office, first, n),
            contact=Contact(name=f"C{n}", email=f"c{n}@x.se"),
        ).booking
        for n in range(THREADS)
    ]

    def attempt(n: int) -> str:
        try:
            services.reschedule_booking(booking=bookings[n], starts_at=target)
        except errors.SlotTaken:
            return "taken"
        return "ok"

    results = race(THREADS, attempt)
    assert sorted(str(r) for r in results) == ["ok"] + ["taken"] * (THREADS - 1), results
    assert Booking.objects.filter(starts_at=target, status=BookingStatus.BOOKED).count() == 1
    # the others keep their old times
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == THREADS
