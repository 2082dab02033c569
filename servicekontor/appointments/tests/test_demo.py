import pytest
import time_machine

from servicekontor.appointments.demo import seed_demo_bookings
from servicekontor.appointments.models import AppointmentAllocation, Booking
from servicekontor.appointments.tests.conftest import MONDAY_MORNING

pytestmark = pytest.mark.django_db


def test_demo__seed_demo_bookings__idempotent(office, service):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        seed_demo_bookings(office=office)
        allocations, bookings = AppointmentAllocation.objects.count(), Booking.objects.count()
        seed_demo_bookings(office=office)
    assert bookings == 4  # two today, two tomorrow
    assert (AppointmentAllocation.objects.count(), Booking.objects.count()) == (
        allocations,
        bookings,
    )
