"""Dates of a plan's changes: anchors followed, moves propagate, cycles refused (pure)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.changeplans.dependencies import (
    DatedItem,
    DependencyError,
    dependants,
    resolve_dates,
)

D = dt.date(2027, 1, 1)


def test_resolve__chain_and_milestone():
    items = [
        DatedItem(1, on_date=D),
        DatedItem(2, after_change=1, offset_days=30),
        DatedItem(3, after_change=2, offset_days=-5),
        DatedItem(4, after_milestone="m", offset_days=1),
    ]
    dates = resolve_dates(items, {"m": dt.date(2027, 6, 1)})
    assert dates == {1: D, 2: dt.date(2027, 1, 31), 3: dt.date(2027, 1, 26), 4: dt.date(2027, 6, 2)}


def test_resolve__a_milestone_moved_by_the_plan_carries_its_followers():
    items = [
        DatedItem(1, on_date=dt.date(2019, 1, 1), moves_milestone="takeover"),
        DatedItem(2, after_milestone="takeover"),
        DatedItem(3, after_change=2, offset_days=10),
    ]
    dates = resolve_dates(items, {"takeover": dt.date(2019, 6, 1)})
    assert dates[2] == dt.date(2019, 1, 1) and dates[3] == dt.date(2019, 1, 11)
    assert dependants(items, 1) == [2, 3]


@pytest.mark.parametrize(
    "items",
    [
        [DatedItem(1, after_change=2), DatedItem(2, after_change=1)],
        [DatedItem(1, after_change=1)],
        [
            DatedItem(1, on_date=D, moves_milestone="m"),
            DatedItem(2, after_milestone="m"),
            DatedItem(3, after_change=3),
        ],
        [DatedItem(1, after_milestone="m", moves_milestone="m")],
        [DatedItem(1, after_change=99)],
        [DatedItem(1, after_milestone="unknown")],
        [DatedItem(1)],
    ],
)
def test_resolve__impossible__raises(items):
    with pytest.raises(DependencyError):
        resolve_dates(items, {"m": D})


@given(
    offsets=st.lists(st.integers(-400, 400), min_size=1, max_size=12),
    shift=st.integers(-1000, 1000),
)
def test_moving_the_root__moves_every_follower_by_the_same_days(offsets, shift):
    """A chain 0 <- 1 <- 2 …: moving the first date moves all the others by as much."""

    def chain(start: dt.date) -> list[DatedItem]:
        return [DatedItem(0, on_date=start)] + [
            DatedItem(i + 1, after_change=i, offset_days=o) for i, o in enumerate(offsets)
        ]

    before = resolve_dates(chain(D), {})
    after = resolve_dates(chain(D + dt.timedelta(days=shift)), {})
    assert all((after[k] - before[k]).days == shift for k in before)
    assert dependants(chain(D), 0) == list(range(1, len(offsets) + 1))
