"""Reads: free times of an office, the earliest free time near a place, today's bookings.

`CapacityBook` loads everything the pure capacity module needs for a set of offices and a range
of days in a fixed number of queries (schedules, offerings, allocations, counters, bookings), so
listing eight weeks or scanning every office near a point does not query per day.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.functions import Cast, Extract

from servicekontor.appointments import capacity, conf
from servicekontor.appointments.models import (
    HOLDS_CAPACITY,
    AppointmentAllocation,
    Booking,
    BookingRule,
    BookingStatus,
)
from servicekontor.appointments.tokens import format_code
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.geography import haversine_km
from servicekontor.network import opening_hours
from servicekontor.network import queries as network_queries
from servicekontor.network.dates import DateSpan
from servicekontor.network.models import Offering, Office, OpeningHoursPeriod, ServicePoint


def _rules_of(row: BookingRule | None) -> capacity.Rules:
    if row is None:
        return capacity.Rules()
    return capacity.Rules(
        horizon_days=row.horizon_days,
        closes_before=dt.timedelta(minutes=row.closes_minutes_before),
        per_person_per_day=row.per_person_per_day,
    )


def _schedule_prefetch() -> tuple[Prefetch, str]:
    """What network_queries.schedule_of reads (the same lookups as its with_schedules)."""
    return (
        Prefetch("opening_periods", queryset=OpeningHoursPeriod.objects.prefetch_related("hours")),
        "exceptions",
    )


@dataclass(frozen=True)
class OfficeInputs:
    """What rarely changes: an office's rules of time and counters for one service."""

    schedule: opening_hours.Schedule
    offered: tuple[tuple[dt.date, dt.date | None], ...]  # offering spans, last day inclusive
    rules: capacity.Rules
    allocation: dict[int, dict[int, int]]  # weekday → local hour → counters
    counters_all: int
    # For a service needing capability c: for every set T of the office's capabilities that
    # contains c, (T, active counters having at least one capability in T). Empty otherwise.
    capability_pools: tuple[tuple[frozenset[int], int], ...] = ()

    def offers_on(self, day: dt.date) -> bool:
        operating = DateSpan.operating(self.schedule.opened_on, self.schedule.closed_on)
        return operating.contains(day) and any(
            DateSpan(first, last).contains(day) for first, last in self.offered
        )


def load_inputs(*, offices: Iterable[Office], service: Service) -> dict[int, OfficeInputs]:
    """Read the registry inputs of the offices for the service: 8 queries for any number."""
    # Read the opening rules fresh onto copies of the given instances: no second read of the
    # offices, and no stale prefetch left on (or taken from) the caller's objects.
    fresh = [copy.copy(o) for o in offices]
    for o in fresh:
        o._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    prefetch_related_objects(fresh, *_schedule_prefetch())
    office_ids = [o.pk for o in fresh]
    offered: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for office_id, first, last in Offering.objects.filter(
        office_id__in=office_ids, service=service
    ).values_list("office_id", "valid_from", "valid_to"):
        offered[office_id].append((first, last))
    rules = {
        r.office_id: _rules_of(r)
        for r in BookingRule.objects.filter(office_id__in=office_ids, service=service)
    }
    allocation: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for office_id, weekday, hour, counters in AppointmentAllocation.objects.filter(
        office_id__in=office_ids
    ).values_list("office_id", "weekday", "hour", "counters"):
        allocation[office_id][weekday][hour] = counters
    counters_all: dict[int, int] = defaultdict(int)
    equipment: dict[int, dict[int, set[int]]] = defaultdict(dict)  # office → counter → caps
    for office_id, point_id, capability_id in ServicePoint.objects.filter(
        office_id__in=office_ids, is_active=True
    ).values_list("office_id", "pk", "capabilities"):
        if point_id not in equipment[office_id]:
            equipment[office_id][point_id] = set()
            counters_all[office_id] += 1
        if capability_id is not None:
            equipment[office_id][point_id].add(capability_id)
    return {
        o.pk: OfficeInputs(
            schedule=network_queries.schedule_of(o),
            offered=tuple(offered.get(o.pk, [])),
            rules=rules.get(o.pk, capacity.Rules()),
            allocation={w: dict(h) for w, h in allocation.get(o.pk, {}).items()},
            counters_all=counters_all[o.pk],
            capability_pools=capacity.capability_pools(
                list(equipment[o.pk].values()), service.required_capability_id
            ),
        )
        for o in fresh
    }


# Listings read the registry inputs through the cache; any save or delete of a row they come
# from bumps INPUTS_VERSION (signals in apps.py), and bulk writes, which send no signals, are
# covered by the timeout. Booking always reads fresh under its lock, so a stale listing can at
# worst offer a time that the booking then refuses.
INPUTS_TIMEOUT_S = 60
INPUTS_VERSION_KEY = "appointments:inputs-version"


def invalidate_inputs() -> None:
    cache.set(INPUTS_VERSION_KEY, secrets.token_hex(8), None)


def cached_inputs(*, offices: Iterable[Office], service: Service) -> dict[int, OfficeInputs]:
    given = list(offices)
    version = cache.get(INPUTS_VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache.add(INPUTS_VERSION_KEY, version, None)
        version = cache.get(INPUTS_VERSION_KEY, version)
    keys = {o.pk: f"appointments:inputs:v2:{version}:{o.pk}:{service.pk}" for o in given}
    found = cache.get_many(list(keys.values()))
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [o for o in given if o.pk not in result]
    if missing:
        loaded = load_inputs(offices=missing, service=service)
        cache.set_many({keys[pk]: value for pk, value in loaded.items()}, INPUTS_TIMEOUT_S)
        result.update(loaded)
    return result


class CapacityBook:
    """Capacity inputs of `offices` for `service` on [first_day, last_day], loaded in bulk.

    `fresh=True` (the booking service, under its lock) reads the registry inputs from the
    database; otherwise they may come from the cache (see `cached_inputs`). Bookings are always
    read from the database.
    """

    def __init__(
        self,
        *,
        offices: Iterable[Office],
        service: Service,
        first_day: dt.date,
        last_day: dt.date,
        fresh: bool = False,
        inputs: dict[int, OfficeInputs] | None = None,
    ) -> None:
        given = list(offices)
        office_ids = [o.pk for o in given]
        self.service = service
        self.first_day = first_day
        self.last_day = last_day
        self.offices = {o.pk: o for o in given}
        if inputs is None:
            inputs = (
                load_inputs(offices=given, service=service)
                if fresh
                else cached_inputs(offices=given, service=service)
            )
        self.inputs = inputs
        self._booked: dict[tuple[int, dt.date], list[tuple[capacity.Interval, int | None]]] = (
            defaultdict(list)
        )
        rows = Booking.objects.filter(
            office_id__in=office_ids,
            day__gte=first_day,
            day__lte=last_day,
            status__in=HOLDS_CAPACITY,
        )
        if connection.vendor == "postgresql":
            # Epoch seconds instead of timestamptz: parsing ~1000 timestamps per read cost more
            # than the capacity arithmetic itself. (SQLite's Extract has no epoch.) tzinfo=UTC:
            # Django would otherwise extract from the Stockholm wall clock, an hour off.
            utc = dt.UTC
            for office_id, day, start_s, end_s, cap_id in rows.annotate(
                start_s=Cast(Extract("starts_at", "epoch", tzinfo=dt.UTC), BigIntegerField()),
                end_s=Cast(Extract("ends_at", "epoch", tzinfo=dt.UTC), BigIntegerField()),
            ).values_list(
                "office_id", "day", "start_s", "end_s", "service__required_capability_id"
            ):
                interval = (
                    dt.datetime.fromtimestamp(start_s, tz=utc),
                    dt.datetime.fromtimestamp(end_s, tz=utc),
                )
                self._booked[(office_id, day)].append((interval, cap_id))
        else:
            for office_id, day, starts, ends, cap_id in rows.values_list(
                "office_id", "day", "starts_at", "ends_at", "service__required_capability_id"
            ):
                self._booked[(office_id, day)].append(((starts, ends), cap_id))

    def rules(self, office_id: int) -> capacity.Rules:
        return self.inputs[office_id].rules

    def offers(self, office_id: int, day: dt.date) -> bool:
        return self.service.bookable and self.inputs[office_id].offers_on(day)

    def allocation(self, office_id: int, day: dt.date) -> dict[int, int]:
        """Local hour → counters given to appointments at the office on that weekday."""
        return self.inputs[office_id].allocation.get(day.weekday(), {})

    def pools(self, office_id: int, day: dt.date) -> list[capacity.Pool]:
        inputs = self.inputs[office_id]
        booked = self._booked.get((office_id, day), [])
        pools = [capacity.Pool(counters=inputs.counters_all, booked=[i for i, _ in booked])]
        pools += [
            capacity.Pool(counters=counters, booked=[i for i, cap in booked if cap in kinds])
            for kinds, counters in inputs.capability_pools
        ]
        return pools

    def slots(
        self,
        office_id: int,
        day: dt.date,
        *,
        window: capacity.Window | None = None,
        include_full: bool = False,
    ) -> list[capacity.Slot]:
        """Free slots of the day inside `window` (every slot with `include_full`)."""
        if not self.offers(office_id, day):
            return []
        intervals = opening_hours.intervals_on(self.inputs[office_id].schedule, day)
        if not intervals:
            return []
        allocation = self.allocation(office_id, day)
        pools = self.pools(office_id, day)
        minutes = self.service.handling_minutes
        if include_full:
            return capacity.day_slots(
                intervals=intervals, minutes=minutes, allocation=allocation, pools=pools
            )
        return capacity.free_slots(
            intervals=intervals, minutes=minutes, allocation=allocation, pools=pools, window=window
        )

    def window(self, office_id: int, now: dt.datetime) -> capacity.Window:
        return capacity.booking_window(now=now, rules=self.rules(office_id))

    def days(self) -> list[dt.date]:
        return list(opening_hours.days(self.first_day, (self.last_day - self.first_day).days + 1))

    def earliest(self, office_id: int, now: dt.datetime) -> capacity.Slot | None:
        window = self.window(office_id, now)
        for day in self.days():
            if day > window.last_day:
                return None
            slots = self.slots(office_id, day, window=window)
            if slots:
                return slots[0]
        return None


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
    from servicekontor.appointments.tokens import hash_token

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
    import hmac

    from personnummer import personnummer

    from servicekontor.appointments.tokens import identity_hash

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
    return [
        {
            "booking": booking,
            "code": format_code(booking.code),
            "can_check_in": booking.status == BookingStatus.BOOKED
            and now >= booking.starts_at - early,
        }
        for booking in bookings_of_day(office=office, day=clock.local_date_of(now))
    ]
