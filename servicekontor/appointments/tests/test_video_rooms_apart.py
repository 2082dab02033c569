"""A video meeting holds a video room, not a counter; an in-office booking a counter, not a
room (docs/appointments.md, "Video meetings"). The room seats the citizen in front of a screen
and the caseworker is the agency's: no officer serves the meeting, so the counters given to
appointments (officers' time) neither limit it nor lose a place to it."""

import datetime as dt

import pytest

from servicekontor.appointments import capacity, errors, queries, services
from servicekontor.appointments.models import AppointmentAllocation, Booking, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import TUESDAY, allocate, local
from servicekontor.appointments.tests.video import caseworker, video_service
from tests.factories import make_offering, make_office, make_service

pytestmark = pytest.mark.django_db


def _book(office, service, start, n):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=start,
        contact=Contact(name=f"Medborgare {n}", email=f"m{n}@example.org"),
        language="sv",
    ).booking


def _world(*, desks: int, rooms: int, allocated: int, hours: range = range(10, 16)):
    video = video_service()
    walk_in = make_service(mode="both", handling_minutes=30)
    office = make_office(counters=desks)
    assert video.required_capability is not None
    for n in range(rooms):
        room = office.service_points.create(number=desks + n + 1, name="Videorum")
        room.capabilities.add(video.required_capability)
    make_offering(office=office, service=video)
    make_offering(office=office, service=walk_in)
    allocate(office, counters=allocated, hours=hours)
    for n in range(1, 5):
        caseworker(video.agency, TUESDAY, n=n)
    return office, video, walk_in


def _free_at(office, service, start):
    slots = queries.free_slots_on(office=office, service=service, day=TUESDAY)
    return next((s.free for s in slots if s.start == start), 0)


@pytest.mark.parametrize("meetings", [1, 2])
def test_video_meetings__leave_the_counters_to_in_office_bookings(frozen, meetings):
    office, video, walk_in = _world(desks=2, rooms=2, allocated=2)
    ten = local(TUESDAY, 10)
    for n in range(meetings):
        _book(office, video, ten, n)
    # Both counters given to appointments are still free at 10:00 for in-office bookings …
    assert _free_at(office, walk_in, ten) == 2
    _book(office, walk_in, ten, 10)
    _book(office, walk_in, ten, 11)
    with pytest.raises(errors.SlotTaken):  # … and two in-office bookings fill them
        _book(office, walk_in, ten, 12)
    # the rooms left are the video meetings' still
    assert _free_at(office, video, ten) == 2 - meetings


def test_in_office_bookings__never_take_a_video_room(frozen):
    # 1 desk and 1 room, the allocation generous: an in-office booking has the one desk only
    office, video, walk_in = _world(desks=1, rooms=1, allocated=5)
    ten = local(TUESDAY, 10)
    assert _free_at(office, walk_in, ten) == 1
    _book(office, walk_in, ten, 1)
    with pytest.raises(errors.SlotTaken):
        _book(office, walk_in, ten, 2)
    assert _free_at(office, video, ten) == 1  # the room is the meeting's
    _book(office, video, ten, 3)
    with pytest.raises(errors.SlotTaken):  # one room: one meeting
        _book(office, video, ten, 4)


def test_video_room__bookable_in_hours_no_counter_is_given_to_appointments(frozen):
    # Appointments only 10–12: the room is bookable while the office is open (10–16) …
    office, video, walk_in = _world(desks=2, rooms=1, allocated=2, hours=range(10, 12))
    starts = [s.start for s in queries.free_slots_on(office=office, service=video, day=TUESDAY)]
    assert local(TUESDAY, 14) in starts and local(TUESDAY, 15, 30) in starts
    assert local(TUESDAY, 16) not in starts  # … not after closing
    assert _free_at(office, walk_in, local(TUESDAY, 14)) == 0
    # no allocation at all: the meetings still have their room
    AppointmentAllocation.objects.filter(office=office).delete()
    assert _free_at(office, video, local(TUESDAY, 14)) == 1


def test_office_without_a_room__has_no_video_time(frozen):
    office, video, _walk_in = _world(desks=3, rooms=0, allocated=3)
    assert queries.free_slots_on(office=office, service=video, day=TUESDAY) == []


def test_registry_change__a_room_taken_away_releases_meetings_not_in_office_bookings(frozen):
    office, video, walk_in = _world(desks=1, rooms=2, allocated=1)
    ten = local(TUESDAY, 10)
    kept_desk = _book(office, walk_in, ten, 1)
    first = _book(office, video, ten, 2)
    second = _book(office, video, ten, 3)
    rooms = office.service_points.filter(name="Videorum")
    rooms.filter(pk=rooms.order_by("-number").values("pk")[:1]).update(is_active=False)
    released = services.release_bookings_without_capacity(offices=[office])
    assert released == [second]
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[kept_desk.pk] == statuses[first.pk] == BookingStatus.BOOKED
    # fewer counters for appointments: the in-office booking goes, the meeting stays
    AppointmentAllocation.objects.filter(office=office).update(counters=0)
    assert services.release_bookings_without_capacity(offices=[office]) == [kept_desk]
    assert Booking.objects.get(pk=first.pk).status == BookingStatus.BOOKED


UTC = dt.UTC
T10 = dt.datetime(2025, 3, 11, 9, tzinfo=UTC)  # 10:00 in Stockholm (winter time)


def _held(key, *, video, capability=None):
    return capacity.Held(
        key=key,
        start=T10,
        end=T10 + dt.timedelta(minutes=30),
        capability=capability,
        releasable=True,
        offered=True,
        inside_hours=True,
        video=video,
    )


@pytest.mark.parametrize(
    ("counters", "rooms", "lost"),
    [
        (1, 1, set()),  # one of each: both fit, neither takes the other's place
        (0, 1, {1}),  # no counter: the in-office booking goes, the meeting stays
        (1, 0, {2}),  # no room: the meeting goes, the in-office booking stays
        (0, 0, {1, 2}),
    ],
)
def test_without_room__counters_and_rooms_apart(counters, rooms, lost):
    held = [_held(1, video=False), _held(2, video=True, capability=7)]
    found = capacity.without_room(
        held,
        allocation={10: counters},
        counters_all=counters,
        pools_of={},
        rooms_of={7: rooms},
    )
    assert set(found) == lost
    assert set(found.values()) <= {capacity.NO_COUNTER}


def test_rooms_at_every_hour():
    assert capacity.rooms_at_every_hour(2) == dict.fromkeys(range(24), 2)
    assert set(capacity.rooms_at_every_hour(0).values()) == {0}
