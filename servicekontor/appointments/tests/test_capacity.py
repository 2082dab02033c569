"""The pure slot arithmetic: no database."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.appointments import capacity

TZ = ZoneInfo("Europe/Stockholm")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


MONDAY = dt.date(2025, 3, 10)
ALL_DAY = dict.fromkeys(range(24), 2)


def test_slot_grid__lays_slots_from_each_interval_start__never_past_its_end():
    grid = capacity.slot_grid([(at(MONDAY, 10), at(MONDAY, 11, 10))], 20)
    assert [s.astimezone(TZ).strftime("%H:%M") for s, _ in grid] == ["10:00", "10:20", "10:40"]
    assert grid[-1][1] == at(MONDAY, 11)


def test_day_slots__capacity_is_min_of_counters_and_allocation():
    slots = capacity.day_slots(
        intervals=[(at(MONDAY, 10), at(MONDAY, 12))],
        minutes=30,
        allocation={10: 3, 11: 1},
        pools=[capacity.Pool(counters=2)],
    )
    assert [s.capacity for s in slots] == [2, 2, 1, 1]


def test_day_slots__no_allocation_means_no_bookable_time():
    slots = capacity.day_slots(
        intervals=[(at(MONDAY, 10), at(MONDAY, 12))],
        minutes=30,
        allocation={},
        pools=[capacity.Pool(counters=2)],
    )
    assert slots == []


def test_day_slots__bookings_of_other_lengths_use_up_overlapping_slots():
    # one counter; a 45-minute booking from 10:00 blocks the 10:00 and 10:30 20-minute… slots
    booked = [(at(MONDAY, 10), at(MONDAY, 10, 45))]
    slots = capacity.day_slots(
        intervals=[(at(MONDAY, 10), at(MONDAY, 12))],
        minutes=30,
        allocation=ALL_DAY,
        pools=[capacity.Pool(counters=1, booked=booked)],
    )
    assert [(s.local_start.strftime("%H:%M"), s.free) for s in slots] == [
        ("10:00", 0),
        ("10:30", 0),
        ("11:00", 1),
        ("11:30", 1),
    ]


def test_day_slots__capability_pool_limits_services_that_need_it():
    # 3 counters, 1 with a photo station; one photo booking at 10:00 → photo slot full,
    # general pool still has room.
    booked = [(at(MONDAY, 10), at(MONDAY, 10, 30))]
    slots = capacity.day_slots(
        intervals=[(at(MONDAY, 10), at(MONDAY, 11))],
        minutes=30,
        allocation=ALL_DAY | {10: 3},
        pools=[capacity.Pool(counters=3, booked=booked), capacity.Pool(counters=1, booked=booked)],
    )
    assert [(s.capacity, s.free) for s in slots] == [(1, 0), (1, 1)]


def test_booking_window__opens_horizon_days_ahead_and_closes_before_start():
    now = at(MONDAY, 9)
    window = capacity.booking_window(now=now, rules=capacity.Rules(horizon_days=3))
    assert not window.admits(at(MONDAY, 10, 59))
    assert window.admits(at(MONDAY, 11))
    assert window.admits(at(MONDAY + dt.timedelta(days=3), 15))
    assert not window.admits(at(MONDAY + dt.timedelta(days=4), 10))


def test_slot_grid__dst_spring_day__slots_are_real_minutes_long():
    day = dt.date(2025, 3, 30)  # 02:00 → 03:00
    grid = capacity.slot_grid([(at(day, 0), at(day, 6))], 60)
    assert len(grid) == 5  # 00, 01, 03, 04, 05 local: the day has one hour less
    assert all(e - s == dt.timedelta(hours=1) for s, e in grid)
    assert [s.astimezone(TZ).hour for s, _ in grid] == [0, 1, 3, 4, 5]


def test_slot_grid__dst_autumn_day__the_repeated_hour_gives_an_extra_slot():
    day = dt.date(2025, 10, 26)  # 03:00 → 02:00
    grid = capacity.slot_grid([(at(day, 0), at(day, 6))], 60)
    assert len(grid) == 7
    assert [s.astimezone(TZ).hour for s, _ in grid] == [0, 1, 2, 2, 3, 4, 5]


def test_has_room__matches_the_slot_listing():
    booked = [(at(MONDAY, 10), at(MONDAY, 10, 30))]
    pools = [capacity.Pool(counters=1, booked=booked)]
    assert not capacity.has_room(
        start=at(MONDAY, 10), end=at(MONDAY, 10, 30), allocation=ALL_DAY, pools=pools
    )
    assert capacity.has_room(
        start=at(MONDAY, 10, 30), end=at(MONDAY, 11), allocation=ALL_DAY, pools=pools
    )


# --- properties -------------------------------------------------------------------------------

days = st.sampled_from([MONDAY, dt.date(2025, 3, 30), dt.date(2025, 10, 26), dt.date(2025, 12, 24)])


@st.composite
def office_days(draw):
    day = draw(days)
    opens = draw(st.integers(0, 12))
    length = draw(st.integers(1, 10))
    intervals = [(at(day, opens), at(day, min(23, opens + length), 0))]
    if draw(st.booleans()) and opens + length + 2 <= 22:
        second = opens + length + 1
        intervals.append((at(day, second), at(day, min(23, second + draw(st.integers(1, 3))))))
    allocation = {h: draw(st.integers(0, 4)) for h in range(24)}
    counters = draw(st.integers(0, 4))
    capable = draw(st.integers(0, counters))
    return day, intervals, allocation, counters, capable


def _load_ok(pool_bookings, limit_counters, allocation, checkpoints) -> bool:
    for t in checkpoints:
        in_progress = sum(1 for s, e in pool_bookings if s <= t < e)
        limit = min(limit_counters, allocation.get(t.astimezone(TZ).hour, 0))
        if in_progress > max(0, limit):
            return False
    return True


@settings(max_examples=150, deadline=None)
@given(
    office_days(),
    st.lists(
        st.tuples(st.sampled_from([15, 20, 30, 45, 60]), st.booleans(), st.integers(0, 500)),
        max_size=40,
    ),
)
def test_property__greedy_booking_never_exceeds_capacity_and_stays_in_opening_hours(case, requests):
    _day, intervals, allocation, counters, capable = case
    general: list[capacity.Interval] = []  # all bookings (draw on every counter)
    special: list[capacity.Interval] = []  # bookings that need the capability
    for minutes, needs_capability, pick in requests:
        pools = [capacity.Pool(counters=counters, booked=list(general))]
        if needs_capability:
            pools.append(capacity.Pool(counters=capable, booked=list(special)))
        free = capacity.free_slots(
            intervals=intervals, minutes=minutes, allocation=allocation, pools=pools
        )
        for slot in free:
            assert any(o <= slot.start and slot.end <= c for o, c in intervals)
            assert slot.end - slot.start == dt.timedelta(minutes=minutes)
            assert 0 < slot.free <= slot.capacity <= counters
        if not free:
            continue
        slot = free[pick % len(free)]
        assert capacity.has_room(start=slot.start, end=slot.end, allocation=allocation, pools=pools)
        general.append((slot.start, slot.end))
        if needs_capability:
            special.append((slot.start, slot.end))
    utc = [(o.astimezone(dt.UTC), c.astimezone(dt.UTC)) for o, c in intervals]
    checkpoints = [s for s, _ in general] + [
        o + dt.timedelta(minutes=5 * k)
        for o, c in utc
        for k in range(int((c - o).total_seconds() // 300))
    ]
    assert _load_ok(general, counters, allocation, checkpoints)
    assert _load_ok(special, capable, allocation, checkpoints)


@settings(max_examples=100, deadline=None)
@given(office_days(), st.sampled_from([10, 20, 25, 60]))
def test_property__sum_of_capacity_never_exceeds_counter_time(case, minutes):
    _day, intervals, allocation, counters, _ = case
    slots = capacity.day_slots(
        intervals=intervals, minutes=minutes, allocation=allocation, pools=[capacity.Pool(counters)]
    )
    # Aware datetimes with the same tzinfo subtract as wall clocks; real minutes need UTC.
    open_minutes = sum(
        (c.astimezone(dt.UTC) - o.astimezone(dt.UTC)).total_seconds() / 60 for o, c in intervals
    )
    assert sum(s.capacity for s in slots) * minutes <= counters * open_minutes


@settings(max_examples=150, deadline=None)
@given(
    office_days(),
    st.sampled_from([15, 20, 30, 45, 60]),
    st.lists(st.tuples(st.integers(0, 95), st.sampled_from([15, 30, 60])), max_size=12),
    st.integers(0, 95),
)
def test_property__slot_at__the_day_slot_starting_then(case, minutes, booked, asked):
    """`slot_at` (the contact page's and the booking's one slot) is the slot of `day_slots`
    that starts at the instant asked, with the same capacity and free places; None if none."""
    day, intervals, allocation, counters, capable = case
    midnight = at(day, 0)
    bookings = [
        (midnight + dt.timedelta(minutes=15 * q), midnight + dt.timedelta(minutes=15 * q + m))
        for q, m in booked
    ]
    pools = [
        capacity.Pool(counters=counters, booked=bookings),
        capacity.Pool(counters=capable, booked=bookings[::2]),
    ]
    listed = capacity.day_slots(
        intervals=intervals, minutes=minutes, allocation=allocation, pools=pools
    )
    start = (midnight + dt.timedelta(minutes=15 * asked)).astimezone(dt.UTC)
    expected = next((s for s in listed if s.start == start), None)
    found = capacity.slot_at(
        intervals=intervals, minutes=minutes, allocation=allocation, pools=pools, start=start
    )
    assert found == expected
    for slot in listed:  # every listed slot is found, as listed
        assert slot == capacity.slot_at(
            intervals=intervals,
            minutes=minutes,
            allocation=allocation,
            pools=pools,
            start=slot.start,
        )


# --- without_room: which bookings a registry change leaves without a place -----------------


def _held(key, start_h, *, cap=None, releasable=True, offered=True, inside=True):
    start = dt.datetime(2025, 3, 11, start_h, tzinfo=capacity.STOCKHOLM)
    return capacity.Held(
        key=key,
        start=start,
        end=start + dt.timedelta(minutes=30),
        capability=cap,
        releasable=releasable,
        offered=offered,
        inside_hours=inside,
    )


ALL_DAY = dict.fromkeys(range(8, 18), 2)


def test_without_room__everything_fits__nothing_lost():
    held = [_held(1, 10), _held(2, 10), _held(3, 11)]
    assert capacity.without_room(held, allocation=ALL_DAY, counters_all=2, pools_of={}) == {}


def test_without_room__one_counter_less__the_later_booked_goes():
    held = [_held(1, 10), _held(2, 10), _held(3, 11)]
    lost = capacity.without_room(held, allocation=ALL_DAY, counters_all=1, pools_of={})
    assert lost == {2: capacity.NO_COUNTER}


def test_without_room__kept_regardless_bookings_push_releasable_ones_out():
    held = [_held(1, 10), _held(2, 10, releasable=False)]
    lost = capacity.without_room(held, allocation=ALL_DAY, counters_all=1, pools_of={})
    assert lost == {1: capacity.NO_COUNTER}


def test_without_room__closed_and_not_offered_come_first():
    held = [_held(1, 10, inside=False), _held(2, 10, offered=False), _held(3, 10)]
    lost = capacity.without_room(held, allocation=ALL_DAY, counters_all=2, pools_of={})
    assert lost == {1: capacity.CLOSED, 2: capacity.NOT_OFFERED}


def test_without_room__allocation_lowered_for_one_hour():
    held = [_held(1, 10), _held(2, 10), _held(3, 11), _held(4, 11)]
    allocation = {**ALL_DAY, 11: 1}
    lost = capacity.without_room(held, allocation=allocation, counters_all=2, pools_of={})
    assert lost == {4: capacity.NO_COUNTER}


def test_without_room__capability_pool_shrinks():
    """Two passport bookings at 10, but only one counter left with the passport kit."""
    passport = 7
    pools_of = {passport: capacity.capability_pools([{passport}, set()], passport)}
    held = [_held(1, 10, cap=passport), _held(2, 10, cap=passport)]
    lost = capacity.without_room(held, allocation=ALL_DAY, counters_all=2, pools_of=pools_of)
    assert lost == {2: capacity.NO_COUNTER}


@settings(max_examples=300, deadline=None)
@given(
    day=st.sampled_from(
        # An ordinary day and both DST days of 2026 (23 and 25 hours).
        [dt.date(2026, 12, 1), dt.date(2026, 3, 29), dt.date(2026, 10, 25)]
    ),
    opens=st.integers(0, 20 * 60),
    lengths=st.lists(st.integers(0, 10 * 60), min_size=1, max_size=3),
    minutes=st.sampled_from([5, 7, 10, 15, 20, 30, 45, 60]),
    allocated_hours=st.sets(st.integers(0, 23)),
    now_offset_s=st.integers(-2 * 86400, 86400),
    now_us=st.integers(0, 999_999),
    closes_minutes=st.sampled_from([0, 7, 60, 120]),
    horizon=st.integers(0, 3),
    windowed=st.booleans(),
)
def test_grid_in_window__is_the_grid_the_window_admits_with_counters(
    day,
    opens,
    lengths,
    minutes,
    allocated_hours,
    now_offset_s,
    now_us,
    closes_minutes,
    horizon,
    windowed,
):
    """The walk that skips to the window's first slot yields exactly what filtering the whole
    grid by `Window.admits` and the first hour's counters yields, in order."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=TZ)
    intervals, start = [], opens
    for length in lengths:
        if start + length > 24 * 60:
            break
        intervals.append(
            (
                midnight + dt.timedelta(minutes=start),
                midnight + dt.timedelta(minutes=start + length),
            )
        )
        start += length + 30
    allocation = dict.fromkeys(allocated_hours, 1)
    window = (
        capacity.booking_window(
            now=midnight + dt.timedelta(seconds=now_offset_s, microseconds=now_us),
            rules=capacity.Rules(
                horizon_days=horizon, closes_before=dt.timedelta(minutes=closes_minutes)
            ),
        )
        if windowed
        else None
    )
    expected = [
        (s, e)
        for s, e in capacity.slot_grid(intervals, minutes)
        if (window is None or window.admits(s)) and capacity._allocated(allocation, s) > 0
    ]
    assert list(capacity._grid_in_window(intervals, minutes, window, allocation)) == expected
