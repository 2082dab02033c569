"""Erlang C against the pyworkforce library (0.5.1) on a table of cases: agree to 1e-6."""

import pytest

from servicekontor.queueing import erlang

pyworkforce = pytest.importorskip("pyworkforce.queuing")

# (arrivals per hour, mean service minutes, agents, target minutes)
CASES = [
    (600, 1.0, 11, 0.5),
    (600, 1.0, 13, 0.25),
    (30, 12.0, 7, 15.0),
    (45, 10.0, 9, 15.0),
    (12, 20.0, 5, 15.0),
    (90, 8.0, 14, 15.0),
    (200, 6.0, 23, 10.0),
    (200, 12.0, 45, 15.0),
    (5, 15.0, 2, 15.0),
    (120, 3.0, 8, 1.0),
]


def _pyworkforce(arrivals, aht, agents, target):
    # pyworkforce counts transactions per interval; one hour of 60 minutes
    model = pyworkforce.ErlangC(transactions=arrivals, aht=aht, asa=target, interval=60)
    return model.waiting_probability(positions=agents), model.service_level(positions=agents)


@pytest.mark.parametrize(("arrivals", "aht", "agents", "target"), CASES)
def test_erlang_c__pyworkforce__agree_to_1e_6(arrivals, aht, agents, target):
    their_wait, their_sl = _pyworkforce(arrivals, aht, agents, target)
    kw = {"arrivals_per_hour": arrivals, "mean_service_minutes": aht, "agents": agents}
    assert erlang.erlang_c_wait_probability(**kw) == pytest.approx(their_wait, abs=1e-6)
    assert erlang.erlang_c_service_level(**kw, target_minutes=target) == pytest.approx(
        their_sl, abs=1e-6
    )


@pytest.mark.parametrize(("arrivals", "aht", "agents", "target"), CASES)
def test_erlang_c_agents_needed__pyworkforce__same_count(arrivals, aht, agents, target):
    model = pyworkforce.ErlangC(transactions=arrivals, aht=aht, asa=target, interval=60)
    theirs = model.required_positions(service_level=0.8)["raw_positions"]
    ours = erlang.erlang_c_agents_needed(
        arrivals_per_hour=arrivals, mean_service_minutes=aht, target_minutes=target
    )
    assert ours == theirs


@pytest.mark.parametrize(("arrivals", "aht"), [(5.0, 6.0), (5.5, 6.0)])
def test_erlang_c_agents_needed__pyworkforce_one_more__ours_meets_the_target_by_its_formula(
    arrivals, aht
):
    # pyworkforce starts its search at round(load + 1): with 0.5 Erlangs it never tries 1
    model = pyworkforce.ErlangC(transactions=arrivals, aht=aht, asa=15, interval=60)
    theirs = model.required_positions(service_level=0.8)["raw_positions"]
    ours = erlang.erlang_c_agents_needed(
        arrivals_per_hour=arrivals, mean_service_minutes=aht, target_minutes=15
    )
    assert ours == theirs - 1
    assert model.service_level(positions=ours) >= 0.8
