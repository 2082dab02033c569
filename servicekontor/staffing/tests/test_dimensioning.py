"""Officers needed per hour: pooled and per agency, occupancy cap, shrinkage; properties."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.queueing import erlang
from servicekontor.staffing import dimensioning
from servicekontor.staffing.dimensioning import AgencyDemand, Policy


def test_hour_need__one_agency__erlang_c_then_shrinkage():
    need = dimensioning.hour_need(
        [AgencyDemand(1, 30, 12)], Policy(max_occupancy=1.0, shrinkage=0.2)
    )
    c = erlang.erlang_c_agents_needed(
        arrivals_per_hour=30, mean_service_minutes=12, target_minutes=15
    )
    assert need.pooled == need.base == c == need.by_agency[1]
    assert need.scheduled == math.ceil(c / 0.8)
    assert need.model == "erlang_c"
    assert need.promised_service_level >= 0.8


def test_hour_need__two_agencies__pooling_needs_fewer_than_separate_queues():
    demands = [AgencyDemand(1, 20, 10), AgencyDemand(2, 20, 10)]
    need = dimensioning.hour_need(demands, Policy(max_occupancy=1.0, shrinkage=0.0))
    assert need.pooled <= need.by_agency[1] + need.by_agency[2]
    assert need.base == max(need.pooled, need.by_agency[1], need.by_agency[2])


def test_hour_need__strictest_target_applies_to_the_pool():
    loose = dimensioning.hour_need(
        [AgencyDemand(1, 40, 10, 30, 0.5), AgencyDemand(2, 1, 10, 30, 0.5)]
    )
    strict = dimensioning.hour_need(
        [AgencyDemand(1, 40, 10, 30, 0.5), AgencyDemand(2, 1, 10, 5, 0.95)]
    )
    assert strict.pooled > loose.pooled


def test_hour_need__occupancy_cap():
    need = dimensioning.hour_need([AgencyDemand(1, 60, 10, 60, 0.1)], Policy(max_occupancy=0.5))
    assert need.pooled >= 20  # 10 Erlangs at most 50 % busy


def test_hour_need__abandonment__erlang_a():
    need = dimensioning.hour_need([AgencyDemand(1, 60, 10, patience_minutes=20)])
    assert need.model == "erlang_a"
    assert 0 <= need.promised_service_level <= 1


def test_hour_need__nobody__zero():
    need = dimensioning.hour_need([AgencyDemand(1, 0, 10)])
    assert need.base == need.scheduled == 0 and need.model == "none"


def test_policy__bad__error():
    with pytest.raises(ValueError):
        Policy(max_occupancy=0)
    with pytest.raises(ValueError):
        Policy(shrinkage=1)


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(0.1, 150),
    b=st.floats(0, 150),
    extra=st.floats(0, 50),
    minutes=st.floats(2, 25),
)
def test_hour_need__more_arrivals__never_fewer_officers(a, b, extra, minutes):
    base = dimensioning.hour_need([AgencyDemand(1, a, minutes), AgencyDemand(2, b, minutes)])
    more = dimensioning.hour_need(
        [AgencyDemand(1, a + extra, minutes), AgencyDemand(2, b, minutes)]
    )
    assert more.base >= base.base
    assert more.scheduled >= base.scheduled >= base.base


def test_fte__one_definition_a_week_and_a_month():
    """Walk F22: one FTE is 40 h a week, 8 h a working day; a month's by its weekdays."""
    assert dimensioning.HOURS_PER_FTE_WEEK == 40
    assert dimensioning.fte(80.0, working_days=dimensioning.WORKING_DAYS_PER_WEEK) == 2
    assert dimensioning.working_days_in_month(2026, 2) == 20
    assert dimensioning.working_days_in_month(2026, 12) == 23
    assert dimensioning.fte(184.0, working_days=23) == 1  # December 2026: 23 × 8 h
    assert dimensioning.fte(Fraction(100), working_days=20) == Fraction(5, 8)  # exact
    with pytest.raises(ValueError):
        dimensioning.fte(1.0, working_days=0)
