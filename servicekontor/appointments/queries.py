"""Reads: free times of an office, the earliest free time near a place, today's bookings.

The free times come from `capacity_book.CapacityBook` (bulk loading) and the pure `capacity`
module (the arithmetic).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from personnummer import personnummer

from servicekontor.appointments import capacity, conf, video_links
from servicekontor.appointments.capacity_book import CapacityBook
from servicekontor.appointments.capacity_inputs import cached_inputs
from servicekontor.appointments.models import (
    HOLDS_CAPACITY,
    Booking,
    BookingStatus,
    VideoMeeting,
)
from servicekontor.appointments.tokens import format_code, hash_token, identity_hash
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.geography import haversine_km
from servicekontor.network import opening_hours
from servicekontor.network import queries as network_queries
from servicekontor.network.models import Office


@dataclass(frozen=True)
class DayFree:
    day: dt.date
    slots: list[capacity.Slot]


def free_days(
    *, office: Office, service: Service, first_day: dt.date, days: int, now: dt.datetime | None
) -> list[DayFree]:
    """Days from `first_day` (at most `days`) with their free slots inside the booking window."""
    now = now or clock.now()
    last_day = first_day + dt.timedelta(days=days - 1)
    book = CapacityBook(offices=[office], service=service, first_day=first_day, last_day=last_day)
    window = book.window(office.pk, now)
    return [
        DayFree(day=day, slots=book.slots(office.pk, day, window=window))
        for day in book.days()
        if day <= window.last_day
    ]


def free_slots_on(
    *, office: Office, service: Service, day: dt.date, now: dt.datetime | None = None
) -> list[capacity.Slot]:
    days = free_days(office=office, service=service, first_day=day, days=1, now=now)
    return days[0].slots if days else []


def bookable_services() -> QuerySet[Service]:
    return (
        Service.objects.exclude(mode="walk_in")
        .filter(offerings__isnull=False)
        .distinct()
        .select_related("agency")
        .order_by("agency__name_sv", "name_sv")
    )


def offices_offering_bookable(*, service: Service, day: dt.date) -> QuerySet[Office]:
    return network_queries.offices_offering(service=service, day=day)


@dataclass(frozen=True)
class OfficeChoice:
    office: Office
    distance_km: float | None
    earliest: capacity.Slot | None


# Earliest-time searches read bookings in widening windows (days from today): most offices
# have a free time within the first two days, and each window is one bulk read.
_LOOK_WINDOWS = ((0, 1), (2, 13), (14, 366))


def earliest_per_office(
    *, service: Service, offices: Sequence[Office], now: dt.datetime | None = None
) -> dict[int, capacity.Slot | None]:
    """Each office's earliest free slot for the service within its booking window."""
    now = now or clock.now()
    today = clock.local_date_of(now)
    inputs = cached_inputs(offices=offices, service=service)
    horizon = max((i.rules.horizon_days for i in inputs.values()), default=0)
    result: dict[int, capacity.Slot | None] = {}
    remaining = list(offices)
    for first_offset, last_offset in _LOOK_WINDOWS:
        if not remaining or first_offset > horizon:
            break
        first = today + dt.timedelta(days=first_offset)
        last = today + dt.timedelta(days=min(last_offset, horizon))
        book = CapacityBook(
            offices=remaining, service=service, first_day=first, last_day=last, inputs=inputs
        )
        still = []
        for office in remaining:
            slot = book.earliest(office.pk, now)
            result[office.pk] = slot
            if slot is None:
                still.append(office)
        remaining = still
    for office in offices:
        result.setdefault(office.pk, None)
    return result


def office_choices(
    *,
    service: Service,
    near: tuple[float, float] | None = None,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> list[OfficeChoice]:
    """Offices offering the service today, nearest first when a point is given."""
    now = now or clock.now()
    offices = list(offices_offering_bookable(service=service, day=clock.local_date_of(now)))
    distances: dict[int, float | None] = {
        o.pk: (haversine_km(near[0], near[1], o.latitude, o.longitude) if near else None)
        for o in offices
    }
    if near:
        offices.sort(key=lambda o: (distances[o.pk] or 0.0, o.name))
    if limit is not None:
        offices = offices[:limit]
    earliest = earliest_per_office(service=service, offices=offices, now=now)
    return [
        OfficeChoice(office=o, distance_km=distances[o.pk], earliest=earliest[o.pk])
        for o in offices
    ]


# "Near me": the offices within this distance (of the nearest ten).
NEAR_KM = 100.0


def earliest_near(
    *,
    service: Service,
    near: tuple[float, float],
    radius_km: float = NEAR_KM,
    max_offices: int = 10,
    now: dt.datetime | None = None,
) -> OfficeChoice | None:
    """The earliest free time among the offices within `radius_km` (the nearest `max_offices`)."""
    choices = [
        c
        for c in office_choices(service=service, near=near, limit=max_offices, now=now)
        if c.distance_km is not None and c.distance_km <= radius_km and c.earliest is not None
    ]
    if not choices:
        return None
    return min(choices, key=lambda c: (c.earliest.start, c.distance_km))  # type: ignore[union-attr]


def nearest_with_time(
    *,
    service: Service,
    near: tuple[float, float] | None,
    limit: int = 3,
    now: dt.datetime | None = None,
) -> list[OfficeChoice]:
    """For an empty search: the nearest offices that do have free time."""
    return [c for c in office_choices(service=service, near=near, now=now) if c.earliest][:limit]


def bookings_of_day(*, office: Office, day: dt.date) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(office=office, day=day)
        .select_related("service", "service__agency")
        .order_by("starts_at", "pk")
    )


def booking_by_token(token: str) -> Booking | None:
    if not token or len(token) > 100:
        return None
    return (
        Booking.objects.select_related("office", "service", "service__agency")
        .filter(token_hash=hash_token(token))
        .first()
    )


def bookings_affected_by_closures(*, office: Office, from_day: dt.date) -> list[Booking]:
    """Bookings still holding a place whose time no longer lies inside the opening hours."""
    schedule = network_queries.schedule_of(office)
    affected = []
    for booking in Booking.objects.filter(
        office=office, day__gte=from_day, status__in=HOLDS_CAPACITY
    ).select_related("service"):
        intervals = opening_hours.intervals_on(schedule, booking.day)
        if not any(o <= booking.starts_at and booking.ends_at <= c for o, c in intervals):
            affected.append(booking)
    return affected


def identity_matches(*, booking: Booking, personal_identity_number: str) -> bool:
    """Does the number on the ID shown at the desk match the booking? (Compares keyed hashes.)"""
    if not booking.identity_hash:
        return False
    try:
        number = personnummer.Personnummer(personal_identity_number)
    except (personnummer.PersonnummerException, ValueError, TypeError):
        return False
    return hmac.compare_digest(identity_hash(number.format(True)), booking.identity_hash)


def desk_rows(*, office: Office, now: dt.datetime) -> list[dict[str, object]]:
    """Today's bookings at an office for the desk: the booking, its printed code, and whether
    it may be checked in yet (from `APPOINTMENTS_EARLY_CHECK_IN_MINUTES` before its time)."""
    early = conf.early_check_in()
    bookings = list(bookings_of_day(office=office, day=clock.local_date_of(now)))
    meetings = {
        m.booking_id: m
        for m in VideoMeeting.objects.filter(booking__in=bookings, active=True).select_related(
            "room", "room__office", "caseworker"
        )
    }
    return [
        {
            "booking": booking,
            "code": format_code(booking.code),
            "can_check_in": booking.status == BookingStatus.BOOKED
            and now >= booking.starts_at - early,
            "meeting": meetings.get(booking.pk),
            # The officer starts the call in the room for the citizen.
            "room_link": _room_link(meetings[booking.pk]) if booking.pk in meetings else "",
        }
        for booking in bookings
    ]


def _room_link(meeting: VideoMeeting) -> str:
    return video_links.provider().link(
        room_name=meeting.room_name,
        side="room",
        display_name=f"{meeting.room.office.name} · {meeting.room.number}",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )
