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


def test_demo__appointment_hours_from_the_desks_not_the_video_room(service):
    """Walk F22: the demo gives appointments half the desks (5 // 2); the video room is not
    one (6 // 2 would be 3)."""
    from servicekontor.appointments.tests.video import office_with_rooms, video_service

    office = office_with_rooms(video_service(), rooms=1, desks=5)
    AppointmentAllocation.objects.filter(office=office).delete()
    with time_machine.travel(MONDAY_MORNING, tick=False):
        seed_demo_bookings(office=office)
    assert set(
        AppointmentAllocation.objects.filter(office=office).values_list("counters", flat=True)
    ) == {2}
