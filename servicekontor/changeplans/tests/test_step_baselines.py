"""A step's effect is its own: the network on the step's date with the plan's changes up to
and including the step, minus the network on the same date with the plan's earlier changes
only. The registry's own changes between steps (an office it opens or closes) are in both,
so they are never credited to a step (walk: a past-dated change moved the baseline to
2019-12-31 and closing Kista was credited with the registry's growth 2020-2026)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.changeplans import effects
from servicekontor.changeplans.registry_state import (
    Change,
    HoursFact,
    Kind,
    NewOffice,
    OfferingFact,
    OfficeFact,
    Registry,
    apply_plan,
    network_on,
)
from servicekontor.network.opening_hours import WeeklyRule

WEEK = tuple(WeeklyRule(d, dt.time(10), dt.time(16)) for d in range(5))
FK = 1
CODES = {FK: "fk"}
D0 = dt.date(2027, 1, 1)
LONS = (10.0, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0)
DEMAND = effects.Demand(
    population=np.array([1000.0, 3000.0, 2000.0, 5000.0, 1500.0, 2500.0, 4000.0]),
    counties=("A", "A", "A", "B", "B", "B", "B"),
    latitude=np.full(7, 60.0),
    longitude=np.array(LONS),
)
BASELINE = effects.Baseline(
    visits={}, seconds_per_visit={FK: 600.0}, hour_profile={}, default_rate=0.2
)
STAFF = effects.StaffPolicy(targets={FK: (0.8, 15)})
NO_COST = effects.CostInputs({}, (), 90_000)


def registry(offices: list[tuple[str, float, dt.date, dt.date | None]]) -> Registry:
    """Offices (code, longitude, opened_on, closed_on) offering fk, open weekdays, while
    they operate."""
    facts = {
        code: OfficeFact(code, code.upper(), "A", 60.0, lon, opened, closed)
        for code, lon, opened, closed in offices
    }
    offerings = tuple(
        OfferingFact(code, "s", "fk", opened, None if closed is None else closed - dt.timedelta(1))
        for code, _lon, opened, closed in offices
    )
    hours = tuple(HoursFact(code, opened, None, WEEK) for code, _lon, opened, _c in offices)
    return Registry(facts, offerings, hours, {}, {"fk": ("s",)})


def evaluate(reg: Registry, changes: list[Change], days: list[dt.date]) -> effects.PlanSteps:
    return effects.evaluate_plan_steps(
        reg,
        changes,
        days,
        base_day=days[0] - dt.timedelta(days=1),
        rate_network=network_on(reg, D0),
        demand=DEMAND,
        baseline=BASELINE,
        agency_codes=CODES,
        staff=STAFF,
        cost=NO_COST,
        existing=set(reg.offices),
    )


def oracle(reg: Registry, changes: list[Change], day: dt.date) -> list[effects.StepEffect]:
    """The definition, computed on its own: both networks on ``day``."""
    without, _ = apply_plan(reg, [c for c in changes if c.day < day])
    with_step, _ = apply_plan(reg, [c for c in changes if c.day <= day])
    return effects.evaluate(
        [
            effects.StepInput(day, network_on(without, day)),
            effects.StepInput(day, network_on(with_step, day)),
        ],
        rate_network=network_on(reg, D0),
        demand=DEMAND,
        baseline=BASELINE,
        agency_codes=CODES,
        staff=STAFF,
        cost=NO_COST,
        existing=set(reg.offices),
    )


def _same(a: effects.StepEffect, b: effects.StepEffect) -> None:
    assert a.offices == b.offices
    assert a.access == b.access
    assert a.visits == pytest.approx(b.visits)
    assert a.fte_total == pytest.approx(b.fte_total)
    assert a.costs.total_ore == b.costs.total_ore


def test_registry_growth_between_steps__not_credited_to_the_next_step():
    # the registry opens "b" between the plan's two steps; the plan closes "c" at the second
    reg = registry(
        [
            ("a", 10.0, dt.date(2019, 1, 1), None),
            ("c", 13.0, dt.date(2019, 1, 1), None),
            ("b", 11.5, dt.date(2028, 1, 1), None),
        ]
    )
    new = NewOffice("n", "N", "A", 60.0, 12.5)
    changes = [
        Change(1, Kind.OPEN_OFFICE, dt.date(2027, 6, 1), new_office=new, rules=WEEK),
        Change(2, Kind.ADD_SERVICES, dt.date(2027, 6, 1), offices=("n",), agency="fk"),
        Change(3, Kind.CLOSE_OFFICE, dt.date(2029, 1, 1), offices=("c",)),
    ]
    result = evaluate(reg, changes, [dt.date(2027, 6, 1), dt.date(2029, 1, 1)])
    without, with_step = result.steps[1]
    # the step closes one office: one place fewer than on the same day without it ("b" in
    # both), and the visits moved are c's only (not the localities b took from a in 2028)
    assert with_step.access.offices == without.access.offices - 1
    assert set(with_step.moved) <= {("c", "n"), ("c", "b"), ("c", "a")}
    assert with_step.visits_moved == pytest.approx(without.office_visits("c"))


DAYS = [dt.date(2027, 3, 1), dt.date(2027, 9, 1), dt.date(2028, 3, 1), dt.date(2029, 1, 1)]


@st.composite
def plans(draw):
    """A registry of 2-5 offices, some opened or closed by the registry itself on dates
    between the plan's steps, and a plan closing some and opening others."""
    n = draw(st.integers(2, 5))
    lons = draw(st.lists(st.sampled_from(LONS), min_size=n, max_size=n))
    offices = []
    for i, lon in enumerate(lons):
        opened = draw(
            st.sampled_from([dt.date(2019, 1, 1), dt.date(2027, 6, 1), dt.date(2028, 6, 1)])
        )
        closed = draw(st.sampled_from([None, dt.date(2028, 9, 1), dt.date(2030, 1, 1)]))
        offices.append((f"r{i}", lon, opened, closed))
    offices[0] = ("r0", lons[0], dt.date(2019, 1, 1), None)  # one office always there
    changes: list[Change] = []
    key = 0
    for day in draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True)):
        if draw(st.booleans()):
            code = draw(st.sampled_from([o[0] for o in offices]))
            key += 1
            changes.append(Change(key, Kind.CLOSE_OFFICE, day, offices=(code,), position=key))
        else:
            lon = draw(st.sampled_from(LONS))
            code = f"n{key}"
            new = NewOffice(code, code, "A", 60.0, lon)
            key += 1
            changes.append(
                Change(key, Kind.OPEN_OFFICE, day, new_office=new, rules=WEEK, position=key)
            )
            key += 1
            changes.append(
                Change(key, Kind.ADD_SERVICES, day, offices=(code,), agency="fk", position=key)
            )
    return registry(offices), changes


@settings(max_examples=40, deadline=None)
@given(plans())
def test_step_effect__with_the_step_minus_without_it_on_the_same_day(case):
    reg, changes = case
    days = sorted({c.day for c in changes})
    result = evaluate(reg, changes, days)
    assert len(result.steps) == len(days)
    for day, (without, with_step) in zip(days, result.steps, strict=True):
        expected_without, expected_with = oracle(reg, changes, day)
        _same(without, expected_without)
        _same(with_step, expected_with)
        assert with_step.moved == pytest.approx(expected_with.moved)
        # the step moves at most the visits of the localities whose office it changes: the
        # total is conserved, so what one office loses another gains
        assert sum(with_step.visits.values()) + sum(with_step.unserved.values()) == pytest.approx(
            sum(without.visits.values()) + sum(without.unserved.values())
        )
