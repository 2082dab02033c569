"""On the night the clocks go back, times in the repeated hour say which one they are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.core import clock
from servicekontor.core.templatetags.wall_clock import wall_time

UTC = dt.UTC
# 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:00–02:59 happens twice.
SUMMER_0230 = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
WINTER_0230 = dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_wall_time__same_wall_time_twice__two_different_labels() -> None:
    with translation.override("sv"):
        assert wall_time(SUMMER_0230) == "02:30 (sommartid)"
        assert wall_time(WINTER_0230) == "02:30 (vintertid)"
    with translation.override("en"):
        assert wall_time(SUMMER_0230) == "02:30 (summer time)"
        assert wall_time(WINTER_0230) == "02:30 (winter time)"


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(2026, 10, 24, 23, 59, tzinfo=UTC),  # 01:59 CEST: before the fold
        dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC),  # 03:00 CET: after it
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # spring: 03:30 CEST, no fold
        dt.datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
    ],
)
def test_wall_time__outside_the_repeated_hour__plain(instant: dt.datetime) -> None:
    assert len(wall_time(instant)) == 5


def test_wall_time__slot_across_the_change__start_and_end_unambiguous() -> None:
    start = dt.datetime(2026, 10, 25, 0, 50, tzinfo=UTC)  # 02:50 CEST
    end = start + dt.timedelta(minutes=10)  # 02:00 CET
    with translation.override("sv"):
        html = Template("{% load wall_clock %}{{ a|wall_time }}–{{ b|wall_time }}").render(
            Context({"a": start, "b": end})
        )
    assert html == "02:50 (sommartid)–02:00 (vintertid)"


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1)))
def test_wall_time__labels_are_unique_per_instant_within_a_day(naive: dt.datetime) -> None:
    """Two different minutes of one local day never get the same label."""
    a = naive.replace(second=0, microsecond=0, tzinfo=UTC)
    b = a + dt.timedelta(hours=1)
    if clock.local_date_of(a) == clock.local_date_of(b):
        assert wall_time(a) != wall_time(b)
