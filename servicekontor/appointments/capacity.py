"""Bookable slots of a day, derived as Berlin's and Munich's ZMS derive them.

Pure: plain data in, plain data out, no Django.

Bookable time = the office's opening intervals × the counters that can serve the service
(active, with the service's required capability) × how many counters the office gives to
appointments in each local hour (`allocation`: hour → counters). A slot is as long as the
service's handling time; slots are laid end to end from the start of each opening interval
and never run past its end.

A booking occupies one counter for its whole [start, end). A slot has room when, at every
instant inside it and for every *pool* of counters it draws on, the appointments in progress
stay below the pool's limit: min(counters in the pool, counters allocated that hour). Every
booking draws on "all counters". A service that needs capability c also draws on one pool per
set T of the office's capabilities containing c: the counters having any capability in T,
shared by the bookings of services needing any capability in T (`capability_pools`). These
are Hall's condition for adding a c-booking: at every instant the bookings in progress can be
given distinct counters that have what each needs (docs/appointments.md).

A video meeting is not served at a counter: the citizen sits in a video room (a desk with the
capability its service needs) and meets the agency's caseworker on a screen. It draws on one
pool only, the rooms with that capability, at every open hour (`rooms_at_every_hour`), and
in-office bookings never draw on the rooms: neither takes the other's place.

Arithmetic runs on aware datetimes in absolute time; only the allocation lookup uses the local
wall-clock hour, so DST days (23 or 25 hours) need no special case.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_HOUR = dt.timedelta(hours=1)

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Pool:
    """Counters a booking can draw on, and the bookings already drawing on them."""

    counters: int
    booked: Sequence[Interval] = ()


def capability_pools(
    counters: Sequence[Iterable[int]], required: int | None
) -> tuple[tuple[frozenset[int], int], ...]:
    """The pools a booking needing capability `required` draws on besides "all counters".

    `counters` holds each active counter's capabilities. For every set T of capabilities the
    counters have that contains `required`: (T, counters having at least one capability in T).
    Only sets containing `required` can be overfilled by one more such booking, so with
    "all counters" these are all of Hall's conditions that adding it can break. There are
    2^(k−1) of them for k capabilities at the office (k is 1 or 2 in practice).
    """
    if required is None:
        return ()
    kits = [frozenset(caps) for caps in counters]
    others = sorted(set().union(*kits) - {required}) if kits else []
    pools = []
    for size in range(len(others) + 1):
        for combo in itertools.combinations(others, size):
            kinds = frozenset((required, *combo))
            pools.append((kinds, sum(1 for kit in kits if kit & kinds)))
    return tuple(pools)


def rooms_at_every_hour(rooms: int) -> dict[int, int]:
    """The allocation of a video meeting: its `rooms` video rooms at every local hour (the
    office's opening intervals still bound the slots). A room is not a counter the office
    gives to appointments: the citizen meets the agency's caseworker on a screen, and no
    officer serves the meeting, so neither the counters' allocation nor the counters limit
    it, and it takes no counter's place (docs/appointments.md, "Video meetings")."""
    return dict.fromkeys(range(24), rooms)


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    capacity: int  # places when nothing is booked
    free: int  # places left now

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(STOCKHOLM)

    @property
    def epoch(self) -> int:
        """Seconds since 1970 (UTC): how a slot is named in URLs and forms."""
        return int(self.start.timestamp())


@dataclass(frozen=True)
class Rules:
    """When a citizen may book: from `closes_before` ahead of the start up to `horizon_days`."""

    horizon_days: int = 56
    closes_before: dt.timedelta = dt.timedelta(hours=2)
    per_person_per_day: int = 1


@dataclass(frozen=True)
class Window:
    earliest_start: dt.datetime  # a slot must start at or after this instant
    last_day: dt.date  # and on or before this local day
    lead: dt.timedelta = dt.timedelta(0)  # the rule behind `earliest_start` (now + lead)

    def admits(self, start: dt.datetime) -> bool:
        return start >= self.earliest_start and start.astimezone(STOCKHOLM).date() <= self.last_day


class NoTime(StrEnum):
    """Why a day shows no free time on the times page: each its own words (walk finding
    2026-12-01: closed days and today after closing said "no free time")."""

    CLOSED = "closed"  # no opening hours that day, or the office has closed for the day
    NOT_OFFERED = "not_offered"  # open, but the service is not offered that day
    TOO_LATE_TODAY = "too_late_today"  # open, but booking has closed for the rest of today
    FULLY_BOOKED = "fully_booked"  # every bookable time is taken
    NONE_FOR_BOOKING = "none_for_booking"  # open, but no counter is given to bookings


def booking_window(*, now: dt.datetime, rules: Rules) -> Window:
    """Booking opens `horizon_days` local days ahead and closes `closes_before` the start."""
    today = now.astimezone(STOCKHOLM).date()
    return Window(
        earliest_start=now + rules.closes_before,
        last_day=today + dt.timedelta(days=rules.horizon_days),
        lead=rules.closes_before,
    )


def slot_grid(intervals: Iterable[Interval], minutes: int) -> list[Interval]:
    """Slots of `minutes` laid from each interval's start; none runs past the interval's end."""
    if minutes <= 0:
        raise ValueError("slot length must be positive")
    length = dt.timedelta(minutes=minutes)
    grid: list[Interval] = []
    for opens, closes in intervals:
        # Step in UTC: adding a timedelta to a zoned datetime is wall-clock arithmetic.
        start = opens.astimezone(dt.UTC)
        end_utc = closes.astimezone(dt.UTC)
        while start + length <= end_utc:
            grid.append((start, start + length))
            start += length
    return grid


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_US = dt.timedelta(microseconds=1)
_US_PER_HOUR = 3_600_000_000


def _us(at: dt.datetime) -> int:
    """Microseconds since the epoch of an aware instant, exactly (the arithmetic below runs
    on these: comparing and bisecting integers costs a fraction of aware datetimes)."""
    return (at - _EPOCH) // _ONE_US


@dataclass
class _PoolIndex:
    counters: int
    starts: list[int] = field(default_factory=list)  # booking starts, µs since the epoch, sorted
    ends: list[int] = field(default_factory=list)  # booking ends, the same

    @classmethod
    def of(cls, pool: Pool) -> _PoolIndex:
        return cls(
            counters=pool.counters,
            starts=sorted(_us(s) for s, _ in pool.booked),
            ends=sorted(_us(e) for _, e in pool.booked),
        )


@functools.lru_cache(maxsize=4096)
def _local_hour(utc_hour: int) -> int:
    """Stockholm wall-clock hour of the UTC hour `utc_hour` (hours since the epoch)."""
    return dt.datetime.fromtimestamp(utc_hour * 3600, tz=STOCKHOLM).hour


def _allocated(allocation: Mapping[int, int], at: dt.datetime) -> int:
    """Counters given to appointments in the local hour of `at`."""
    return allocation.get(_local_hour(_us(at) // _US_PER_HOUR), 0)


def _room(
    start: dt.datetime, end: dt.datetime, allocation: Mapping[int, int], pools: list[_PoolIndex]
) -> tuple[int, int]:
    """(capacity, free) of [start, end): the tightest instant over all pools.

    Load only rises at a booking's start and the limit only changes at the top of an hour
    (Stockholm's offset is whole hours), so the minimum over the slot is attained at its
    start or at one of those instants. In integer microseconds since the epoch: the same
    instants, limits and counts as in aware datetimes (`test_capacity_room.py` compares)."""
    s, e = _us(start), _us(end)
    # The slot's start and the tops of the hours strictly inside it, with the counters
    # allocated at each: the same for every pool (only each pool's own counters cap them).
    first_hour = s // _US_PER_HOUR
    instants = [s]
    allocated = [allocation.get(_local_hour(first_hour), 0)]
    hour = first_hour + 1
    while hour * _US_PER_HOUR < e:
        instants.append(hour * _US_PER_HOUR)
        allocated.append(allocation.get(_local_hour(hour), 0))
        hour += 1
    tightest = min(allocated)
    capacity = free = None
    for pool in pools:
        counters = pool.counters
        # The capacity is the tightest limit at those instants: a booking's start inside the
        # slot lies in one of their hours, so it adds no other limit.
        limit = max(0, min(counters, tightest))
        capacity = limit if capacity is None else min(capacity, limit)
        starts, ends = pool.starts, pool.ends
        if not starts:  # nothing booked from this pool: free = its tightest limit
            free = limit if free is None else min(free, limit)
            continue
        for at, allocated_at in zip(instants, allocated, strict=True):
            in_progress = bisect.bisect_right(starts, at) - bisect.bisect_right(ends, at)
            left = max(0, min(counters, allocated_at)) - in_progress
            free = left if free is None else min(free, left)
        # and at each booking's start inside the slot
        for at in starts[bisect.bisect_right(starts, s) : bisect.bisect_left(starts, e)]:
            in_progress = bisect.bisect_right(starts, at) - bisect.bisect_right(ends, at)
            allocated_at = allocation.get(_local_hour(at // _US_PER_HOUR), 0)
            left = max(0, min(counters, allocated_at)) - in_progress
            free = left if free is None else min(free, left)
    return (capacity or 0), max(0, free or 0)


def day_slots(
    *,
    intervals: Sequence[Interval],
    minutes: int,
    allocation: Mapping[int, int],
    pools: Sequence[Pool],
) -> list[Slot]:
    """Every slot of the day with its capacity and free places (including full ones)."""
    if not pools:
        return []
    indexed = [_PoolIndex.of(pool) for pool in pools]
    slots = []
    for start, end in slot_grid(intervals, minutes):
        capacity, free = _room(start, end, allocation, indexed)
        if capacity > 0:
            slots.append(Slot(start=start, end=end, capacity=capacity, free=free))
    return slots


def slot_at(
    *,
    intervals: Sequence[Interval],
    minutes: int,
    allocation: Mapping[int, int],
    pools: Sequence[Pool],
    start: dt.datetime,
) -> Slot | None:
    """The slot of `day_slots` that starts at `start` (full or not), or None: the room of that
    one slot only, not of every slot of the day (the contact page and the booking ask for one).
    """
    if not pools:
        return None
    grid = slot_grid(intervals, minutes)
    found = next(((s, e) for s, e in grid if s == start), None)
    if found is None:
        return None
    capacity, free = _room(found[0], found[1], allocation, [_PoolIndex.of(p) for p in pools])
    if capacity <= 0:
        return None
    return Slot(start=found[0], end=found[1], capacity=capacity, free=free)


def iter_free_slots(
    *,
    intervals: Sequence[Interval],
    minutes: int,
    allocation: Mapping[int, int],
    pools: Sequence[Pool],
    window: Window | None = None,
) -> Iterator[Slot]:
    """`free_slots`, one at a time and in order: the room of a slot is worked out only when
    it is asked for (the earliest free time stops at the first), and never for a slot
    outside the window (most of today's have passed)."""
    if not pools:
        return
    indexed = [_PoolIndex.of(pool) for pool in pools]
    for start, end in _grid_in_window(intervals, minutes, window, allocation):
        capacity, free = _room(start, end, allocation, indexed)
        if capacity > 0 and free > 0:
            yield Slot(start=start, end=end, capacity=capacity, free=free)


def _grid_in_window(
    intervals: Iterable[Interval],
    minutes: int,
    window: Window | None,
    allocation: Mapping[int, int],
) -> Iterator[Interval]:
    """The slots of `slot_grid` that `window` admits and whose first hour has counters for
    appointments (the others have capacity 0), in the same order. Does not walk the slots
    before the window opens (most of today's for an office open all day): the first admitted
    slot of an interval is found by arithmetic, and the walk stops at the window's last day."""
    if minutes <= 0:
        raise ValueError("slot length must be positive")
    length = dt.timedelta(minutes=minutes)
    length_us = length // dt.timedelta(microseconds=1)
    earliest = window.earliest_start.astimezone(dt.UTC) if window is not None else None
    # A start's local date is on or before `last_day` exactly when it is before the local
    # midnight that begins the next day.
    after_last = (
        dt.datetime.combine(
            window.last_day + dt.timedelta(days=1), dt.time(0), tzinfo=STOCKHOLM
        ).astimezone(dt.UTC)
        if window is not None
        else None
    )
    for opens, closes in intervals:
        start = opens.astimezone(dt.UTC)
        end_utc = closes.astimezone(dt.UTC)
        if earliest is not None and start < earliest:
            start += length * -((start - earliest) // length)  # the first at or after it
        stop = end_utc if after_last is None else min(end_utc, after_last + length)
        start_us = (start - _EPOCH) // dt.timedelta(microseconds=1)
        while start + length <= stop:
            if (after_last is None or start < after_last) and allocation.get(
                _local_hour(start_us // _US_PER_HOUR), 0
            ) > 0:
                yield start, start + length
            start += length
            start_us += length_us


def free_slots(
    *,
    intervals: Sequence[Interval],
    minutes: int,
    allocation: Mapping[int, int],
    pools: Sequence[Pool],
    window: Window | None = None,
) -> list[Slot]:
    """Slots with at least one free place, inside the booking window when one is given."""
    return list(
        iter_free_slots(
            intervals=intervals, minutes=minutes, allocation=allocation, pools=pools, window=window
        )
    )


def has_room(
    *,
    start: dt.datetime,
    end: dt.datetime,
    allocation: Mapping[int, int],
    pools: Sequence[Pool],
) -> bool:
    """Whether one more booking fits into [start, end) (the booking service's final check)."""
    if not pools:
        return False
    _, free = _room(
        start.astimezone(dt.UTC),
        end.astimezone(dt.UTC),
        allocation,
        [_PoolIndex.of(p) for p in pools],
    )
    return free > 0


# --- after a registry change: which bookings lose their place --------------------------------


@dataclass(frozen=True)
class Held:
    """A booking holding a place on one day, as the replay after a registry change sees it."""

    key: int
    start: dt.datetime
    end: dt.datetime
    capability: int | None  # the capability its service needs
    releasable: bool  # a future booking the office may cancel (not checked in, not started)
    offered: bool  # the office operates and offers its service on the day
    inside_hours: bool  # [start, end) lies inside one opening interval of the day
    video: bool = False  # a video meeting: it holds a video room with its capability


# Why a booking lost its place (the values of models.OfficeCancelReason).
CLOSED, NOT_OFFERED, NO_COUNTER = "closed", "not_offered", "no_counter"


def without_room(
    held: Sequence[Held],
    *,
    allocation: Mapping[int, int],
    counters_all: int,
    pools_of: Mapping[int, Sequence[tuple[frozenset[int], int]]],
    rooms_of: Mapping[int, int] | None = None,
) -> dict[int, str]:
    """The releasable bookings of one office-day that no longer fit, with the reason.

    `held` in the order places were taken (first booked first); `allocation` (local hour →
    counters for appointments) and `counters_all` (active counters, video rooms not among
    them) describe the day as it is now; `pools_of[c]` is `capability_pools(counters, c)` for
    each capability of an in-office booking in `held`; `rooms_of[c]` the active video rooms
    having capability c, for each capability of a video meeting in `held`. A video meeting
    holds one of those rooms at any hour (`rooms_at_every_hour`) and no counter; an in-office
    booking a counter and no room.

    The day is replayed as the booking service would have admitted it: first the bookings that
    cannot be released (checked in or already started) are placed whatever the capacity, then
    each releasable one in order is kept if the office is open and offers its service then and
    `has_room` says it fits beside those kept so far; otherwise it is returned. Keeping the
    earliest bookings means a later registry change never moves someone who booked first.
    Returns {key: CLOSED | NOT_OFFERED | NO_COUNTER}.
    """
    kept: list[tuple[Interval, int | None, bool]] = [
        ((h.start, h.end), h.capability, h.video) for h in held if not h.releasable
    ]
    lost: dict[int, str] = {}
    for h in held:
        if not h.releasable:
            continue
        if not h.offered:
            lost[h.key] = NOT_OFFERED
            continue
        if not h.inside_hours:
            lost[h.key] = CLOSED
            continue
        if h.video:
            rooms = (rooms_of or {}).get(h.capability, 0) if h.capability else 0
            booked = [i for i, cap, video in kept if video and cap == h.capability]
            pools = [Pool(counters=rooms, booked=booked)]
            limit: Mapping[int, int] = rooms_at_every_hour(rooms)
        else:
            pools = [Pool(counters=counters_all, booked=[i for i, _, v in kept if not v])]
            pools += [
                Pool(counters=counters, booked=[i for i, cap, v in kept if not v and cap in kinds])
                for kinds, counters in (pools_of.get(h.capability, ()) if h.capability else ())
            ]
            limit = allocation
        if has_room(start=h.start, end=h.end, allocation=limit, pools=pools):
            kept.append(((h.start, h.end), h.capability, h.video))
        else:
            lost[h.key] = NO_COUNTER
    return lost
