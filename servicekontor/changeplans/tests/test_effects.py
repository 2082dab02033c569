"""The effect of each step (pure): visits conserved and moved to the nearest office, the
baseline reproduced, staff from the dimensioning, every öre of cost shared, bookings."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.changeplans import effects, exports
from servicekontor.changeplans.registry_state import (
    Change,
    HoursFact,
    Kind,
    OfferingFact,
    OfficeFact,
    OfficeOnDay,
    Registry,
    apply_plan,
)
from servicekontor.costs import allocation
from servicekontor.network.opening_hours import WeeklyRule
from servicekontor.staffing import dimensioning

WEEK = tuple(WeeklyRule(d, dt.time(10), dt.time(16)) for d in range(5))
FK, AF = 1, 2
CODES = {FK: "fk", AF: "af"}

# four localities on a line (1 degree of longitude apart at latitude 60 is ~55.6 km)
DEMAND = effects.Demand(
    population=np.array([1000.0, 2000.0, 3000.0, 4000.0]),
    counties=("A", "A", "B", "B"),
    latitude=np.full(4, 60.0),
    longitude=np.array([10.0, 11.0, 12.0, 13.0]),
)


def office(code: str, lon: float, agencies=("fk",), rules=WEEK) -> OfficeOnDay:
    return OfficeOnDay(code, code.upper(), "A", 60.0, lon, frozenset(agencies), rules)


BASE = (office("x", 10.0), office("y", 12.0), office("z", 13.0))
BASELINE = effects.Baseline(
    visits={("x", FK): 3000.0, ("y", FK): 6000.0, ("z", FK): 4000.0},
    seconds_per_visit={FK: 600.0, AF: 900.0},
    hour_profile={},
    default_rate=0.1,
)
STAFF = effects.StaffPolicy(targets={FK: (0.8, 15), AF: (0.8, 15)})
NO_COST = effects.CostInputs({}, (), None)


def run(steps, cost=NO_COST, incremental=True):
    return effects.evaluate(
        [effects.StepInput(dt.date(2027, 1, i + 1), s) for i, s in enumerate(steps)],
        demand=DEMAND,
        baseline=BASELINE,
        agency_codes=CODES,
        staff=STAFF,
        cost=cost,
        existing={"x", "y", "z"},
        incremental=incremental,
    )


def test_baseline__reproduces_the_observed_visits():
    (base,) = run([BASE])
    assert base.visits[("x", FK)] == pytest.approx(3000)
    assert base.visits[("y", FK)] == pytest.approx(6000)
    assert base.visits[("z", FK)] == pytest.approx(4000)
    # AF offered nowhere: its demand is unserved, at the mean FK rate
    fk_rate = 13000 / 10000
    assert base.unserved[AF] == pytest.approx(fk_rate * 10000)


def test_close__its_visits_go_to_the_next_nearest_office():
    base, closed = run([BASE, BASE[1:]])
    # x served locality 0 and its share of 1 (as near to y: shared by observed visits)
    assert closed.office_visits("x") == 0
    assert closed.visits_moved == pytest.approx(3000)
    assert set(closed.moved) == {("x", "y")}
    total = lambda e: sum(e.visits.values()) + sum(e.unserved.values())  # noqa: E731
    assert total(closed) == pytest.approx(total(base))
    assert closed.access.offices == 2
    assert closed.access.mean_km > base.access.mean_km


def test_add_agency__its_visits_at_the_nearest_offering_office():
    with_af = (office("x", 10.0, ("fk", "af")), *BASE[1:])
    base, step = run([BASE, with_af])
    assert step.office_visits("x") == pytest.approx(3000 + base.unserved[AF])
    assert AF not in step.unserved
    assert step.staff["x"].fte > base.staff["x"].fte


def test_incremental_equals_naive():
    steps = [BASE, BASE[1:], (office("w", 11.0), *BASE[1:]), BASE]
    assert run(steps, incremental=True) == run(steps, incremental=False)


def test_staff__none_without_visits_or_hours():
    assert effects.office_staff({}, WEEK, baseline=BASELINE, staff=STAFF).fte == 0
    assert effects.office_staff({FK: 1000.0}, (), baseline=BASELINE, staff=STAFF).fte == 0


@settings(max_examples=30, deadline=None)
@given(a=st.floats(1, 50_000), b=st.floats(1, 50_000))
def test_staff__more_visits_never_need_fewer_officers(a, b):
    lo, hi = sorted((a, b))
    f = lambda v: effects.office_staff({FK: v}, WEEK, baseline=BASELINE, staff=STAFF)  # noqa: E731
    assert f(lo).officer_hours_week <= f(hi).officer_hours_week


@pytest.mark.parametrize(
    ("language", "note"),
    [("sv", "fler än kontorets 3 diskar"), ("en", "more than the office's 3 desks")],
)
def test_staff__the_peak_at_the_desks_as_the_staffing_pages_count_it_and_beyond_the_desks(
    language, note
):
    """Walk F12, 2 Dec 2026: the change plan said Kista needs 19 officers at once (the
    scheduled staff, with the shrinkage) while the staffing page said up to 17 at its 12
    desks, and did not say the office cannot seat them."""
    busy = effects.office_staff({FK: 60_000.0}, WEEK, baseline=BASELINE, staff=STAFF, desks=3)
    # 60 000 visits a year of 10 minutes over 30 open hours a week: ~38 an hour
    demand = [dimensioning.AgencyDemand(FK, 60_000.0 / effects.WEEKS_PER_YEAR / 30, 10.0, 15, 0.8)]
    need = dimensioning.hour_need(demand, STAFF.policy)
    assert busy.peak_officers == need.base < need.scheduled
    assert busy.desks == 3 and busy.beyond_desks
    calm = effects.office_staff({FK: 3000.0}, WEEK, baseline=BASELINE, staff=STAFF, desks=3)
    assert not calm.beyond_desks
    unknown = effects.office_staff({FK: 60_000.0}, WEEK, baseline=BASELINE, staff=STAFF)
    assert not unknown.beyond_desks  # no desks known: nothing said
    effect = SimpleNamespace(
        offices=("a", "b"),
        staff={"a": busy, "b": calm},
        office_visits=lambda code: 10,
    )
    step = SimpleNamespace(day=dt.date(2027, 1, 1), effect=effect, bookings={})
    ev = SimpleNamespace(
        steps=[step], office_names={"a": "A", "b": "B"}, office_counties={"a": "", "b": ""}
    )
    with translation.override(language):
        _header, rows = exports.offices_table(ev)  # type: ignore[arg-type]
    assert [r[6:8] for r in rows] == [[busy.peak_officers, 3], [calm.peak_officers, 3]]
    assert note in rows[0][-1] and rows[1][-1] == ""


def test_staff__a_lunch_break_hour_counts_half():
    slots = effects._open_slots((WeeklyRule(0, dt.time(9, 30), dt.time(12)),))
    assert slots == [(0, 9, 0.5), (0, 10, 1.0), (0, 11, 1.0)]


def test_costs__every_ore_shared_and_closed_offices_pools_end():
    pools = {
        c: (
            effects.PoolTemplate(
                f"{c}-rent", "premises", 1_000_001, (allocation.Part(allocation.Driver.MINUTES),)
            ),
        )
        for c in ("x", "y", "z")
    }
    network = (
        effects.NetworkPool(
            allocation.Pool("it", None, 500_000, office_driver=allocation.Driver.FIXED),
            {"x": 1, "y": 1},
        ),
    )
    cost = effects.CostInputs(pools, network, 45_000)
    base, closed, opened = run([BASE, BASE[1:], (office("w", 11.0), *BASE[1:])], cost=cost)
    for e in (base, closed, opened):
        c = e.costs
        assert sum(c.by_agency.values()) == c.total_ore - c.unallocated_ore
        assert c.staff_ore > 0
    assert base.costs.other_ore == 3 * 1_000_001 + 500_000
    assert closed.costs.other_ore == 2 * 1_000_001 + 500_000
    # the new office costs the median office's pools
    assert opened.costs.other_ore == 3 * 1_000_001 + 500_000


def _half_fixed_pools(*, fixed_shares):
    """Premises at x, y and z: half in fixed shares (per agency), half by handled minutes
    (the demo's pools, costs/demo.py)."""
    parts = (
        allocation.Part(allocation.Driver.FIXED, 50),
        allocation.Part(allocation.Driver.MINUTES, 50),
    )
    return {
        c: (effects.PoolTemplate(f"{c}-rent", "premises", 6_000_000, parts, fixed_shares),)
        for c in ("x", "y", "z")
    }


@pytest.mark.parametrize("agencies", [("fk",), ("fk", "af")])
def test_costs__an_opened_office_s_fixed_share_part_goes_equally_to_its_agencies(agencies):
    """The walk: each opening's premises (half in fixed shares, which a new office has no
    agreement for) went to nobody; the cost rose by it while the agencies' shares did not."""
    cost = effects.CostInputs(_half_fixed_pools(fixed_shares={FK: 1}), (), 45_000)
    base, opened = run([BASE, (office("w", 11.0, agencies), *BASE)], cost=cost)
    for e in (base, opened):
        assert e.costs.unallocated_ore == 0
        assert sum(e.costs.by_agency.values()) == e.costs.total_ore
    assert opened.costs.other_ore == base.costs.other_ore + 6_000_000


def test_costs__an_opened_office_without_visits__its_pools_shown_as_not_shared():
    cost = effects.CostInputs(_half_fixed_pools(fixed_shares={FK: 1}), (), 45_000)
    (opened,) = run([(office("w", 11.0, ()), *BASE)], cost=cost)
    assert opened.costs.unallocated_ore == 6_000_000
    assert sum(opened.costs.by_agency.values()) == opened.costs.total_ore - 6_000_000


def test_bookings__affected_when_the_plan_makes_them_impossible():
    t = dt.date(2019, 6, 1)
    before = Registry(
        {"x": OfficeFact("x", "X", "A", 60, 10, t, pk=1)},
        (OfferingFact("x", "s", "fk", t, pk=1),),
        (HoursFact("x", t, None, WEEK, pk=1),),
        {},
        {"fk": ("s",)},
    )
    after, _c = apply_plan(
        before, [Change(1, Kind.CLOSE_OFFICE, dt.date(2027, 3, 1), offices=("x",))]
    )
    monday = dt.date(2027, 3, 1)
    bookings = [
        effects.BookingFact("x", "fk", monday, dt.time(10)),
        effects.BookingFact("x", "fk", monday - dt.timedelta(days=7), dt.time(10)),  # before
        effects.BookingFact("x", "fk", monday, dt.time(18)),  # outside hours anyway
    ]
    assert effects.bookings_affected(bookings, before, after, [monday]) == {monday: {"x": 1}}


def test_staff__a_step_that_moves_visits_moves_staff_office_by_office():
    """Walk F26: "Step's effect: staff 0" while 7 820 visits a year moved from Kista to
    Rinkeby: the network's total hid Kista −0.55 and Rinkeby +0.55 FTE."""
    base = (office("x", 10.0, ("af",)), office("y", 12.0), office("z", 13.0))
    step = (office("x", 10.0, ("af", "fk")), *base[1:])
    busy = effects.Baseline(
        visits={("y", FK): 60000.0, ("z", FK): 40000.0},
        seconds_per_visit={FK: 600.0, AF: 900.0},
        hour_profile={},
        default_rate=0.1,
    )
    before, after = effects.evaluate(
        [
            effects.StepInput(dt.date(2027, 1, 1), base),
            effects.StepInput(dt.date(2027, 1, 2), step),
        ],
        demand=DEMAND,
        baseline=busy,
        agency_codes=CODES,
        staff=STAFF,
        cost=NO_COST,
        existing={"x", "y", "z"},
    )
    changes = dict(after.staff_changes(before))
    assert changes["x"] > 0 > changes["y"]  # the staff goes where the visits go
    assert sum(changes.values()) == pytest.approx(after.fte_total - before.fte_total, abs=0.01)
    with translation.override("en"):
        text = exports._staff_changes(after, before, {"x": "Xby", "y": "Yby"})
    assert f"Xby +{changes['x']:.2f}" in text and f"Yby −{-changes['y']:.2f}" in text
    with translation.override("en"):
        assert exports._staff_changes(before, before, {}) == "none"
