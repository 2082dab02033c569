"""The registry inputs of the capacity arithmetic, loaded in bulk, and their cache.

For a set of offices and one service: the opening schedule, the offering spans, the booking
rules, the counters allocated to appointments per hour, the counters' capability pools and,
for a video meeting, the video rooms (`OfficeInputs`), in 8 queries for any number of
offices (`load_inputs`). Listings read them through `cached_inputs`; `invalidate_inputs` is
connected in `apps.py` to every model they are built from.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects

from servicekontor.appointments import capacity
from servicekontor.appointments.models import AppointmentAllocation, BookingRule
from servicekontor.catalog.models import Service
from servicekontor.network import opening_hours, registry_cache
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
    """What network_queries.schedule_of reads (the same lookups as its with_schedules; an
    outreach stop reads its rules with one query more)."""
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
    # Active counters an officer serves at: every active desk but the video rooms (a desk
    # with a capability a video-meeting service needs). A room seats a citizen in front of
    # a screen, not an officer: in-office bookings never take it (docs/appointments.md).
    counters_all: int
    # For a service needing capability c: for every set T of the office's capabilities that
    # contains c, (T, active counters having at least one capability in T). Empty otherwise,
    # and for a video meeting (its place is a room: `rooms`).
    capability_pools: tuple[tuple[frozenset[int], int], ...] = ()
    # For a video meeting: the active video rooms having the capability its service needs;
    # they are its only places, at every open hour, apart from the counters and their
    # allocation (the meeting is the agency caseworker's, no officer serves it). 0 otherwise.
    rooms: int = 0

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
    equipment: dict[int, dict[int, set[int]]] = defaultdict(dict)  # office → desk → caps
    rooms: dict[int, set[int]] = defaultdict(set)  # office → its video rooms
    # One row per desk, capability and service needing that capability (the same statement:
    # whether a capability is a video room's is whether a video-meeting service needs it).
    for office_id, point_id, capability_id, video in ServicePoint.objects.filter(
        office_id__in=office_ids, is_active=True
    ).values_list("office_id", "pk", "capabilities", "capabilities__services__video_meeting"):
        caps = equipment[office_id].setdefault(point_id, set())
        if capability_id is not None:
            caps.add(capability_id)
        if video:
            rooms[office_id].add(point_id)
    needed = service.required_capability_id

    def inputs(o: Office) -> OfficeInputs:
        desks = equipment[o.pk]
        counters = [caps for point, caps in desks.items() if point not in rooms[o.pk]]
        return OfficeInputs(
            schedule=network_queries.schedule_of(o),
            offered=tuple(offered.get(o.pk, [])),
            rules=rules.get(o.pk, capacity.Rules()),
            allocation={w: dict(h) for w, h in allocation.get(o.pk, {}).items()},
            counters_all=len(counters),
            capability_pools=(
                () if service.video_meeting else capacity.capability_pools(counters, needed)
            ),
            rooms=(
                sum(1 for caps in desks.values() if needed in caps)
                if service.video_meeting and needed is not None
                else 0
            ),
        )

    return {o.pk: inputs(o) for o in fresh}


# Listings read the registry inputs through the cache, under two versions: this app's, which
# every save or delete of an allocation or booking rule replaces (signals in apps.py; the
# reference data's bulk write calls `invalidate_inputs`), and the registry's
# (`network.registry_cache`: every registry row, and the registry's bulk writes). Both are
# replaced again after the change commits, so a listing never reads the inputs as they were
# before a change; the timeout only frees memory. Booking still reads fresh under its lock.
INPUTS_TIMEOUT_S = 3600
INPUTS_VERSION_KEY = "appointments:inputs-version"


def _new_inputs_version() -> None:
    cache.set(INPUTS_VERSION_KEY, secrets.token_hex(8), None)


def invalidate_inputs() -> None:
    """Retire the cached inputs now and again once the change commits (a listing that read
    the old rows meanwhile stored them under the version of that moment)."""
    _new_inputs_version()
    transaction.on_commit(_new_inputs_version)


def cached_inputs(*, offices: Iterable[Office], service: Service) -> dict[int, OfficeInputs]:
    """The offices' inputs from the cache, under this app's version and the registry's
    (`network.registry_cache`: retired after commit and by bulk writes too); loaded on a miss.

    Each entry is stored with the two versions it was built under, and read with them in
    one round trip (one MGET: the versions, then the entries under keys naming them, were
    two); an entry of other versions is loaded again (as `registry_cache.cached`)."""
    given = list(offices)
    keys = {o.pk: f"appointments:inputs:v6:{o.pk}:{service.pk}" for o in given}
    found = cache.get_many([INPUTS_VERSION_KEY, registry_cache.VERSION_KEY, *keys.values()])
    version = found.get(INPUTS_VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache.add(INPUTS_VERSION_KEY, version, None)
        version = cache.get(INPUTS_VERSION_KEY, version)
    registry = found.get(registry_cache.VERSION_KEY) or registry_cache.version()
    versions = (str(version), str(registry))
    result: dict[int, OfficeInputs] = {}
    for pk, key in keys.items():
        entry = found.get(key)
        if entry is not None and entry[0] == versions:
            result[pk] = entry[1]
    missing = [o for o in given if o.pk not in result]
    if missing:
        loaded = load_inputs(offices=missing, service=service)
        cache.set_many(
            {keys[pk]: (versions, value) for pk, value in loaded.items()}, INPUTS_TIMEOUT_S
        )
        result.update(loaded)
    return result
