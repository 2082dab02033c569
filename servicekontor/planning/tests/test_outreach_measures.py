"""Outreach stops in the accessibility measures (weighted by how often they are served) and
proposed by the planner. Pure, no database, except the last test."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.core.geography import Locality
from servicekontor.planning import outreach
from servicekontor.planning.plans import PlanRequest, Question, Site, plan


def test_outreach__expected_distance__textbook_cases():
    # One demand; a stop 5 km away served 1 day in 5, the office 50 km away.
    d = np.array([[50.0, 5.0]])
    e = outreach.expected_nearest_km(d, np.array([1.0, 0.2]))
    assert e[0] == pytest.approx(0.2 * 5 + 0.8 * 50)
    # Two stops (independent days), then the office.
    d = np.array([[5.0, 10.0, 50.0]])
    e = outreach.expected_nearest_km(d, np.array([0.2, 0.4, 1.0]))
    assert e[0] == pytest.approx(0.2 * 5 + 0.8 * 0.4 * 10 + 0.8 * 0.6 * 50)
    # No site open every day: nobody is sure to be served: infinite.
    assert np.isinf(outreach.expected_nearest_km(np.array([[5.0]]), np.array([0.2]))[0])
    assert outreach.reach_probability(d, np.array([0.2, 0.4, 1.0]), 12)[0] == pytest.approx(
        1 - 0.8 * 0.6
    )


@given(
    st.lists(st.floats(0, 500), min_size=1, max_size=8),
    st.lists(st.floats(0.05, 1), min_size=1, max_size=8),
)
def test_outreach__property__between_nearest_site_and_nearest_office(dists, freqs):
    n = min(len(dists), len(freqs))
    d = np.array([[*dists[:n], 600.0]])
    f = np.array([*freqs[:n], 1.0])
    e = outreach.expected_nearest_km(d, f)[0]
    assert d.min() - 1e-9 <= e <= 600.0 + 1e-9
    # All served every day: the nearest distance (the measure without stops).
    assert outreach.expected_nearest_km(d, np.ones_like(f))[0] == pytest.approx(d.min())


def _loc(i, lat, lon, pop):
    return Locality(
        geonameid=i,
        name=f"L{i}",
        ascii_name=f"L{i}",
        alternate_names=(),
        latitude=lat,
        longitude=lon,
        population=pop,
        county_code="",
        county="C",
    )


def test_outreach__plan__existing_stop_counts_and_planner_proposes_a_stop():
    # A town with an office and a remote village 1° north (~111 km) with no office.
    town, village = _loc(1, 60.0, 15.0, 10000), _loc(2, 61.0, 15.0, 1000)
    office = Site("office", "Office", 60.0, 15.0)
    measure = PlanRequest(action=Question.MEASURE, radius_km=25)
    without = plan(measure, localities=[town, village], existing=[office])
    stop = Site("stop", "Stop", 61.0, 15.0, frequency=0.2)
    with_stop = plan(measure, localities=[town, village], existing=[office], stops=[stop])
    assert without.before.share_within_km(50) == pytest.approx(10000 / 11000)
    assert with_stop.before.share_within_km(50) == pytest.approx((10000 + 0.2 * 1000) / 11000)
    assert with_stop.before.mean_km < without.before.mean_km
    assert with_stop.covered_before == round(10000 + 0.2 * 1000)
    proposed = plan(
        PlanRequest(action=Question.PROPOSE, k=0, stops=1, stop_days=2, radius_km=25),
        localities=[town, village],
        existing=[office],
    )
    assert [s.code for s in proposed.opened_stops] == ["2"]
    assert proposed.opened_stops[0].frequency == pytest.approx(0.4)
    assert proposed.opened == ()
    assert proposed.covered_after == round(10000 + 0.4 * 1000)


def test_outreach__greedy_stops__stops_when_nothing_more_to_gain():
    d = np.array([[0.0, 100.0], [100.0, 0.0]])
    chosen = outreach.greedy_stops(
        d,
        np.array([1.0, 1.0]),
        open_cols=[0],
        freq=np.array([1.0, 0.2]),
        candidates=[1],
        k=5,
        stop_freq=0.2,
        radius_km=10,
    )
    assert chosen == [1]


@pytest.mark.django_db
def test_outreach__existing_stops__frequency_from_the_rules():
    from servicekontor.planning.queries import existing_sites, existing_stops
    from tests.factories import make_office, make_outreach_stop

    make_office(code="kontor")
    make_outreach_stop(code="varannan", interval=2)
    day = dt.date(2026, 3, 11)
    assert [s.code for s in existing_sites(day=day)] == ["kontor"]
    (stop,) = existing_stops(day=day)
    assert stop.code == "varannan" and stop.frequency == pytest.approx(0.5 / 5)
