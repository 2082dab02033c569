"""`capacity._room` in integer microseconds (branch kioskcpu) gives what it gave in aware
datetimes: the reference below is the code it replaced, compared on Hypothesis-made slots,
bookings, pools and allocations, the nights the clocks change included."""

import bisect
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.appointments import capacity

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_HOUR = dt.timedelta(hours=1)


# --- the reference: `_room` as it was, in aware datetimes -----------------------------------


def _hour_starts_inside(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    first = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0) + _HOUR
    out = []
    while first < end:
        out.append(first)
        first += _HOUR
    return out


@dataclass
class _OldPoolIndex:
    counters: int
    starts: list[dt.datetime] = field(default_factory=list)
    ends: list[dt.datetime] = field(default_factory=list)

    @classmethod
    def of(cls, pool: capacity.Pool) -> "_OldPoolIndex":
        return cls(
            counters=pool.counters,
            starts=sorted(s.astimezone(dt.UTC) for s, _ in pool.booked),
            ends=sorted(e.astimezone(dt.UTC) for _, e in pool.booked),
        )

    def in_progress(self, at: dt.datetime) -> int:
        return bisect.bisect_right(self.starts, at) - bisect.bisect_right(self.ends, at)

    def starts_inside(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        lo = bisect.bisect_right(self.starts, start)
        hi = bisect.bisect_left(self.starts, end)
        return self.starts[lo:hi]


def _old_allocated(allocation: Mapping[int, int], at: dt.datetime) -> int:
    return allocation.get(capacity._local_hour(int(at.timestamp()) // 3600), 0)


def _old_limit(allocation: Mapping[int, int], counters: int, at: dt.datetime) -> int:
    return max(0, min(counters, _old_allocated(allocation, at)))


def _old_room(
    start: dt.datetime,
    end: dt.datetime,
    allocation: Mapping[int, int],
    pools: list[_OldPoolIndex],
) -> tuple[int, int]:
    hours = _hour_starts_inside(start, end)
    allocated = [_old_allocated(allocation, at) for at in (start, *hours)]
    capacity_ = free = None
    for pool in pools:
        counters = pool.counters
        if pool.starts:
            instants = [start, *hours, *pool.starts_inside(start, end)]
            limits = [max(0, min(counters, a)) for a in allocated]
            limits += [_old_limit(allocation, counters, at) for at in instants[len(allocated) :]]
            for at, limit in zip(instants, limits, strict=True):
                capacity_ = limit if capacity_ is None else min(capacity_, limit)
                left = limit - pool.in_progress(at)
                free = left if free is None else min(free, left)
        else:
            limit = max(0, min(counters, min(allocated)))
            capacity_ = limit if capacity_ is None else min(capacity_, limit)
            free = limit if free is None else min(free, limit)
    return (capacity_ or 0), max(0, free or 0)


# --- the comparison -------------------------------------------------------------------------

# Ordinary days and the nights the clocks go forward (29 March 2026) and back (25 October).
DAYS = [dt.date(2026, 3, 28), dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 12, 2)]


@st.composite
def instants(draw: st.DrawFn, day: dt.date) -> dt.datetime:
    """An instant within two days from the day's local midnight, to the microsecond at
    times, in UTC or in Stockholm's zone (the arithmetic must not care which)."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=STOCKHOLM)
    offset = dt.timedelta(
        minutes=draw(st.integers(0, 48 * 60)),
        microseconds=draw(st.sampled_from([0, 0, 0, 1, 999_999])),
    )
    at = (midnight.astimezone(dt.UTC) + offset).astimezone(dt.UTC)
    return at.astimezone(STOCKHOLM) if draw(st.booleans()) else at


@st.composite
def rooms(draw: st.DrawFn):
    day = draw(st.sampled_from(DAYS))
    start = draw(instants(day))
    end = start + dt.timedelta(minutes=draw(st.sampled_from([5, 10, 20, 30, 45, 60, 90, 150])))
    pools = []
    for _ in range(draw(st.integers(1, 3))):
        booked = []
        for _ in range(draw(st.integers(0, 8))):
            b_start = draw(instants(day))
            b_end = b_start + dt.timedelta(minutes=draw(st.integers(1, 120)))
            booked.append((b_start, b_end))
        pools.append(capacity.Pool(counters=draw(st.integers(0, 5)), booked=booked))
    allocation = draw(st.dictionaries(st.integers(0, 23), st.integers(0, 6), max_size=24))
    return start, end, allocation, pools


@settings(max_examples=500, deadline=None)
@given(rooms())
def test_room__integer_microseconds__as_in_aware_datetimes(room) -> None:
    start, end, allocation, pools = room

    new = capacity._room(start, end, allocation, [capacity._PoolIndex.of(p) for p in pools])
    old = _old_room(start, end, allocation, [_OldPoolIndex.of(p) for p in pools])

    assert new == old


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(DAYS), st.data())
def test_allocated__as_before(day, data) -> None:
    at = data.draw(instants(day))
    allocation = {h: h + 1 for h in range(24)}
    assert capacity._allocated(allocation, at) == _old_allocated(allocation, at)
