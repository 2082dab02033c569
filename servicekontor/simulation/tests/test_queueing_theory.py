"""The simulator against queueing theory: Erlang C (M/M/c) and Erlang A (M/M/c+M).

One office, one service, Poisson arrivals at a constant rate, exponential service, c officers
who never rest, no bookings, recalls, transfers or walking. Each replication is one long day;
the first hours are warm-up. The theory must lie inside the replications' confidence
interval (mean +- 3.3 standard errors, two-sided ~99.9 %: with fixed seeds the test is
deterministic, the wide band keeps a later change of the random stream from failing it).
"""

import math

import numpy as np
import pytest

from servicekontor.queueing import erlang
from servicekontor.simulation.model import (
    Behaviour,
    Day,
    Officer,
    OfficeScenario,
    ServiceSpec,
    simulate_office,
)

HOURS = 100
WARM_UP = 4 * 3600.0
REPLICATIONS = 16
Z = 3.3

PLAIN = Behaviour(
    service_distribution="exponential",
    booked_no_show=0.0,
    walk_seconds=0.0,
    recall_probability=0.0,
    recall_seconds=0.0,
    transfer_probability=0.0,
    multi_errand_share=0.0,
    priority_share=0.0,
    serve_after_close_minutes=10 * 60.0,
)


def _replications(per_hour, minutes, agents, behaviour):
    close = HOURS * 3600.0
    end = close + behaviour.serve_after_close_minutes * 60
    officers = tuple(Officer(agencies=frozenset({0}), start=0.0, end=end) for _ in range(agents))
    stats = []
    for r in range(REPLICATIONS):
        scenario = OfficeScenario(
            office_id=r,
            services=(ServiceSpec(service_id=1, agency=0, handling_minutes=minutes, share=1),),
            days=(
                Day(
                    ordinal=1,
                    intervals=((0.0, close),),
                    expected_visits=per_hour * HOURS,
                    officers=officers,
                ),
            ),
            behaviour=behaviour,
            seed=20261130,
        )
        v = simulate_office(scenario).visits
        keep = (v["arrived"] >= WARM_UP) & (v["arrived"] < close - 3600)
        left = ~np.isnan(v["left_at"][keep])
        called = np.where(left, v["left_at"][keep], v["first_call"][keep])
        wait = called - v["queued"][keep]
        assert not np.isnan(wait).any()
        stats.append(
            (
                np.mean(wait > 1e-9),
                np.mean(wait) / 60,
                np.mean(left),
                np.mean(~left & (wait <= 5 * 60)),
            )
        )
    s = np.array(stats)
    return s.mean(axis=0), s.std(axis=0, ddof=1) / math.sqrt(REPLICATIONS)


@pytest.mark.parametrize(("per_hour", "minutes", "agents"), [(30, 10, 6), (50, 6, 6)])
def test_simulation__mm_c__agrees_with_erlang_c(per_hour, minutes, agents):
    mean, se = _replications(per_hour, minutes, agents, PLAIN)
    kw = {"arrivals_per_hour": per_hour, "mean_service_minutes": minutes, "agents": agents}
    p_wait = erlang.erlang_c_wait_probability(**kw)
    mean_wait = erlang.erlang_c_mean_wait(**kw)
    sl = erlang.erlang_c_service_level(**kw, target_minutes=5)
    assert abs(mean[0] - p_wait) <= Z * se[0], (mean[0], p_wait, se[0])
    assert abs(mean[1] - mean_wait) <= Z * se[1], (mean[1], mean_wait, se[1])
    assert abs(mean[3] - sl) <= Z * se[3], (mean[3], sl, se[3])
    assert mean[2] == 0  # nobody leaves without patience
    # and the band is narrow enough to mean something
    assert se[0] < 0.03 and se[1] < 0.3 * mean_wait


@pytest.mark.parametrize(
    ("per_hour", "minutes", "patience", "agents"), [(30, 10, 10, 5), (40, 10, 20, 6)]
)
def test_simulation__mm_c_plus_m__agrees_with_erlang_a(per_hour, minutes, patience, agents):
    behaviour = Behaviour(**{**_fields(PLAIN), "patience_minutes": float(patience)})
    mean, se = _replications(per_hour, minutes, agents, behaviour)
    kw = {
        "arrivals_per_hour": per_hour,
        "mean_service_minutes": minutes,
        "mean_patience_minutes": patience,
        "agents": agents,
    }
    theory = erlang.erlang_a(**kw)
    sl = erlang.erlang_a_service_level(**kw, target_minutes=5)
    assert abs(mean[0] - theory.wait_probability) <= Z * se[0], (mean[0], theory)
    assert abs(mean[1] - theory.mean_wait) <= Z * se[1], (mean[1], theory)
    assert abs(mean[2] - theory.abandon_probability) <= Z * se[2], (mean[2], theory)
    assert abs(mean[3] - sl) <= Z * se[3], (mean[3], sl)
    assert theory.abandon_probability > 0.05  # the case really tests abandonment


def _fields(behaviour):
    return {name: getattr(behaviour, name) for name in behaviour.__dataclass_fields__}
