"""Many citizens book video meetings at the same moment, on PostgreSQL: neither the office's
video room nor the caseworker's time is ever double booked, and a failed booking leaves
nothing behind (room and caseworker are taken together or not at all)."""

import datetime as dt

import pytest

from servicekontor.appointments import errors, services
from servicekontor.appointments.models import Booking, BookingStatus, VideoMeeting
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.video import caseworker, office_with_rooms, video_service
from servicekontor.core import clock
from servicekontor.network import queries as network_queries
from tests.factories import race

THREADS = 16


def _next_open_day(office) -> dt.date:
    day = clock.local_today() + dt.timedelta(days=2)
    while not network_queries.opening_intervals(office=office, day=day):
        day += dt.timedelta(days=1)
    return day


def _attempt(office_of, service, start):
    def attempt(n: int) -> str:
        try:
            services.book_appointment(
                office=office_of(n),
                service=service,
                starts_at=start,
                contact=Contact(name=f"Medborgare {n}", email=f"m{n}@example.org"),
            )
        except errors.NoCaseworkerFree:
            return "no caseworker"
        except errors.SlotTaken:
            return "no room"
        return "ok"

    return attempt


def _outcomes(results):
    return [r if isinstance(r, str) else f"error {r!r}" for r in results]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_video__race__one_caseworker_many_offices__booked_once():
    """One caseworker free at 10:00; sixteen citizens at four offices (two rooms each) book
    that time at once: exactly one gets it."""
    service = video_service()
    offices = [office_with_rooms(service, rooms=2, code=f"kontor-{i}") for i in range(4)]
    day = _next_open_day(offices[0])
    only = caseworker(service.agency, day)
    start = network_queries.opening_intervals(office=offices[0], day=day)[0][0]

    outcomes = _outcomes(race(THREADS, _attempt(lambda n: offices[n % 4], service, start)))

    assert sorted(outcomes) == ["no caseworker"] * (THREADS - 1) + ["ok"]
    assert VideoMeeting.objects.filter(caseworker=only, active=True).count() == 1
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_video__race__one_room_many_caseworkers__booked_once():
    """One video room; sixteen caseworkers free; sixteen citizens book 10:00 at once: exactly
    one meeting, and no caseworker is left holding a meeting without a room."""
    service = video_service()
    office = office_with_rooms(service, rooms=1, desks=4)
    day = _next_open_day(office)
    for n in range(THREADS):
        caseworker(service.agency, day, n=n)
    start = network_queries.opening_intervals(office=office, day=day)[0][0]

    outcomes = _outcomes(race(THREADS, _attempt(lambda n: office, service, start)))

    assert sorted(outcomes) == ["no room"] * (THREADS - 1) + ["ok"]
    assert VideoMeeting.objects.count() == 1  # the losers wrote nothing
    assert Booking.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_video__race__rooms_and_caseworkers_both_scarce():
    """Two offices with one room each and three caseworkers: at most one meeting per room and
    per caseworker — exactly two succeed, whichever threads win."""
    service = video_service()
    offices = [office_with_rooms(service, rooms=1, code=f"rum-{i}") for i in range(2)]
    day = _next_open_day(offices[0])
    for n in range(3):
        caseworker(service.agency, day, n=n)
    start = network_queries.opening_intervals(office=offices[0], day=day)[0][0]

    outcomes = _outcomes(race(THREADS, _attempt(lambda n: offices[n % 2], service, start)))

    assert outcomes.count("ok") == 2, outcomes
    assert set(outcomes) <= {"ok", "no room", "no caseworker"}
    active = VideoMeeting.objects.filter(active=True)
    assert sorted(m.room.office.code for m in active) == ["rum-0", "rum-1"]
    assert len({m.caseworker_id for m in active}) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_video__database_refuses_an_overlapping_meeting_written_without_the_locks():
    """The exclusion constraints: a second active meeting of the same caseworker overlapping
    the first is refused by PostgreSQL itself."""
    from django.db import IntegrityError, transaction

    service = video_service()
    office = office_with_rooms(service, rooms=2)
    day = _next_open_day(office)
    worker = caseworker(service.agency, day)
    start = network_queries.opening_intervals(office=office, day=day)[0][0]
    first = services.book_appointment(
        office=office, service=service, starts_at=start, contact=Contact(name="A", email="a@x.se")
    ).booking
    meeting = first.video_meetings.get(active=True)
    other_room = (
        office.service_points.exclude(pk=meeting.room_id)
        .filter(capabilities=service.required_capability)
        .get()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        VideoMeeting.objects.create(
            booking=Booking.objects.create(
                office=office,
                service=service,
                day=day,
                starts_at=start + dt.timedelta(minutes=10),
                ends_at=start + dt.timedelta(minutes=40),
                code="RAWRAW22",
                token_hash="x" * 64,
                created_at=clock.now(),
            ),
            caseworker=worker,
            room=other_room,
            starts_at=start + dt.timedelta(minutes=10),
            ends_at=start + dt.timedelta(minutes=40),
            room_name="skraw",
        )
