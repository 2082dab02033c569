"""Offices at the same distance of a place share its visits (walk: Göteborg Gamlestaden,
Malmö Mobilia and Malmö Värnhem carry their city's point, so the nearest-office rule gave
every locality to the other office on that point: 0 visits, 0 FTE at offices serving ~1,500
visits a month; closing one showed no effect and closing its twin overstated it)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.changeplans import effects
from servicekontor.changeplans.registry_state import OfficeOnDay
from servicekontor.network.opening_hours import WeeklyRule
from servicekontor.planning.measures import TIE_KM, nearest

WEEK = tuple(WeeklyRule(d, dt.time(10), dt.time(16)) for d in range(5))
FK = 1
CODES = {FK: "fk"}
DEMAND = effects.Demand(
    population=np.array([1000.0, 2000.0, 3000.0, 4000.0]),
    counties=("A", "A", "B", "B"),
    latitude=np.full(4, 60.0),
    longitude=np.array([10.0, 11.0, 12.0, 13.0]),
)
STAFF = effects.StaffPolicy(targets={FK: (0.8, 15)})
NO_COST = effects.CostInputs({}, (), None)


def office(code: str, lon: float) -> OfficeOnDay:
    return OfficeOnDay(code, code.upper(), "A", 60.0, lon, frozenset({"fk"}), WEEK)


def run(steps, visits):
    baseline = effects.Baseline(
        visits=visits, seconds_per_visit={FK: 600.0}, hour_profile={}, default_rate=0.1
    )
    return effects.evaluate(
        [effects.StepInput(dt.date(2027, 1, i + 1), s) for i, s in enumerate(steps)],
        demand=DEMAND,
        baseline=baseline,
        agency_codes=CODES,
        staff=STAFF,
        cost=NO_COST,
        existing={"x", "t1", "t2", "z"},
    )


def total(e: effects.StepEffect) -> float:
    return sum(e.visits.values()) + sum(e.unserved.values())


# twins at 12.0 (the city's point, or a few metres apart), other offices at 9.5 and 13.0
@settings(max_examples=15, deadline=None)
@given(
    v1=st.one_of(st.none(), st.floats(100, 20_000)),
    v2=st.one_of(st.none(), st.floats(100, 20_000)),
    apart_m=st.sampled_from([0.0, 1.0, 20.0]),
)
def test_twins__both_get_visits_total_kept_closing_one_moves_its_share_to_the_other(
    v1, v2, apart_m
):
    twin2_lon = 12.0 + apart_m / 1000 / 55.6  # ~55.6 km per degree of longitude at 60°
    base = (office("x", 9.5), office("t1", 12.0), office("t2", twin2_lon), office("z", 13.0))
    visits = {("x", FK): 3000.0, ("z", FK): 2000.0}
    if v1 is not None:
        visits[("t1", FK)] = v1
    if v2 is not None:
        visits[("t2", FK)] = v2
    start, without_t1 = run([base, (base[0], base[2], base[3])], visits)
    # no open office with demand around it gets nothing, and observed visits are reproduced
    assert start.office_visits("t1") > 0 and start.office_visits("t2") > 0
    assert start.staff["t1"].fte > 0 and start.staff["t2"].fte > 0
    if (v1 is None) == (v2 is None):  # both observed (or neither): shared by observations
        for code, v in (("t1", v1), ("t2", v2)):
            if v is not None:
                assert start.office_visits(code) == pytest.approx(v, rel=1e-6)
    if v1 == v2:  # symmetric (the same observations, or none): equal shares
        assert start.office_visits("t1") == pytest.approx(start.office_visits("t2"), rel=1e-6)
    assert total(without_t1) == pytest.approx(total(start))
    # closing t1 hands its visits to its twin, nobody else's change
    assert without_t1.visits_moved == pytest.approx(start.office_visits("t1"), rel=1e-6)
    assert set(without_t1.moved) == {("t1", "t2")}
    assert without_t1.office_visits("t2") == pytest.approx(
        start.office_visits("t1") + start.office_visits("t2"), rel=1e-6
    )
    assert without_t1.office_visits("x") == pytest.approx(start.office_visits("x"), rel=1e-6)


def test_nearest__shares_by_weight_when_all_known_else_equally():
    d = np.array([[5.0, 5.0, 9.0], [5.0, 5.0 + TIE_KM / 2, 1.0], [1.0, 5.0, 5.0]])
    cols = [0, 1, 2]
    by_visits = nearest(d, cols, weight=[300.0, 100.0, 50.0])
    assert by_visits.shares(0) == ((0, 0.75), (1, 0.25))
    assert by_visits.shares(1) == ((2, 1.0),)
    assert by_visits.shares(2) == ((0, 1.0),)
    equal = nearest(d, cols, weight=[300.0, 0.0, 50.0])
    assert equal.shares(0) == ((0, 0.5), (1, 0.5))
    np.testing.assert_allclose(equal.totals([10.0, 20.0, 30.0], 3), [35.0, 5.0, 20.0])
