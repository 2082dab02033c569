import datetime as dt

import pytest
import time_machine

from servicekontor.appointments.models import AppointmentAllocation
from servicekontor.core import clock
from servicekontor.network.models import Office
from tests.factories import make_offering, make_office, make_service


def allocate(office: Office, *, counters: int = 2, hours: range = range(10, 16)) -> None:
    """Mon–Fri: `counters` counters for appointments in each of `hours`."""
    AppointmentAllocation.objects.bulk_create(
        AppointmentAllocation(office=office, weekday=w, hour=h, counters=counters)
        for w in range(5)
        for h in hours
    )


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.local_datetime(day, dt.time(hour, minute))


@pytest.fixture
def service(db):
    return make_service(mode="both", handling_minutes=30)


@pytest.fixture
def office(db, service):
    office = make_office(counters=2)
    make_offering(office=office, service=service)
    allocate(office)
    return office


# A Monday with ordinary hours; bookings are made for Tuesday 2025-03-11.
MONDAY_MORNING = dt.datetime(2025, 3, 10, 8, 0, tzinfo=clock.STOCKHOLM)
TUESDAY = dt.date(2025, 3, 11)


@pytest.fixture
def frozen():
    """Monday morning, clock stopped: bookings are made for the Tuesday after."""
    with time_machine.travel(MONDAY_MORNING, tick=False):
        yield


@pytest.fixture
def no_rate_limit(settings):
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    settings.APPOINTMENTS_RATE_BOOK = "1000/m"
