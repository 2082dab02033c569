"""Ticket numbers restart at Stockholm midnight, not UTC midnight, also on DST weekends."""

import datetime as dt

import pytest
import time_machine

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import services
from tests.factories import open_around_the_clock

UTC = dt.UTC


@pytest.fixture(autouse=True)
def open_all_day(world):
    """These tests are about day boundaries, so the office is open at every hour of every
    day (a ticket is issued only inside an open interval)."""
    open_around_the_clock(world.office)


def _issue_at(world, instant):
    with time_machine.travel(instant, tick=False):
        return services.issue_ticket(office=world.office, service=world.tax)


def test_visit__issue_ticket__2359_and_0001_local_are_different_days(world):
    before = _issue_at(world, dt.datetime(2026, 11, 25, 23, 59, tzinfo=STOCKHOLM))
    also_before = _issue_at(world, dt.datetime(2026, 11, 25, 23, 59, 30, tzinfo=STOCKHOLM))
    after = _issue_at(world, dt.datetime(2026, 11, 26, 0, 1, tzinfo=STOCKHOLM))

    assert (before.local_day, before.ticket) == (dt.date(2026, 11, 25), "S-001")
    assert also_before.ticket == "S-002"
    assert (after.local_day, after.ticket) == (dt.date(2026, 11, 26), "S-001")


def test_visit__issue_ticket__just_after_utc_midnight_is_still_the_local_day(world):
    # 00:30 UTC is 01:30 in Stockholm: the same local day as 23:30 UTC? No: 23:30 UTC the
    # day before is already 00:30 local on the new day.
    late_utc = _issue_at(world, dt.datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
    after_utc_midnight = _issue_at(world, dt.datetime(2026, 11, 26, 0, 30, tzinfo=UTC))

    assert late_utc.local_day == dt.date(2026, 11, 26)
    assert after_utc_midnight.local_day == dt.date(2026, 11, 26)
    assert after_utc_midnight.ticket == "S-002"


def test_visit__issue_ticket__afternoon_after_utc_day_change_keeps_counting(world):
    """TheQ's bug: tickets broke after 17:00 local. Here 17:30 continues the day's numbers."""
    morning = _issue_at(world, dt.datetime(2026, 6, 10, 10, 0, tzinfo=STOCKHOLM))
    evening = _issue_at(world, dt.datetime(2026, 6, 10, 17, 30, tzinfo=STOCKHOLM))

    assert morning.local_day == evening.local_day == dt.date(2026, 6, 10)
    assert evening.ticket == "S-002"


@pytest.mark.parametrize(
    ("instants", "day"),
    [
        # spring forward, 29 March 2026: 02:00 CET jumps to 03:00 CEST
        (
            [
                dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
                dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            ],
            dt.date(2026, 3, 29),
        ),
        # fall back, 25 October 2026: 02:30 local happens twice
        (
            [
                dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            ],
            dt.date(2026, 10, 25),
        ),
    ],
)
def test_visit__issue_ticket__dst_nights_stay_one_day(world, instants, day):
    tickets = [_issue_at(world, instant) for instant in instants]

    assert {t.local_day for t in tickets} == {day}
    assert [t.ticket for t in tickets] == ["S-001", "S-002"]


def test_visit__issue_ticket__dst_day_is_23_hours_and_next_day_restarts(world):
    last = _issue_at(world, dt.datetime(2026, 3, 29, 23, 59, tzinfo=STOCKHOLM))
    first = _issue_at(world, dt.datetime(2026, 3, 30, 0, 1, tzinfo=STOCKHOLM))

    assert (last.local_day, first.local_day) == (dt.date(2026, 3, 29), dt.date(2026, 3, 30))
    assert first.ticket == "S-001"
    assert (first.arrived_at - last.arrived_at) == dt.timedelta(minutes=2)
