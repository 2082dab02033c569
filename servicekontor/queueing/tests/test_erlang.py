"""Erlang C and Erlang A: textbook values, an independent solution, properties, large offices."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.queueing import erlang


def _erlang_c_by_factorials(agents: int, load: Fraction) -> float:
    """The textbook closed form with exact rationals (only for small offices)."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    bottom = sum(load**k / math.factorial(k) for k in range(agents)) + top
    return float(top / bottom)


# Erlang C tables (e.g. Koole 2013, ch. 5; any traffic-engineering table): A = 10 Erlangs.
@pytest.mark.parametrize(("agents", "expected"), [(11, 0.6821), (12, 0.4494), (13, 0.2853)])
def test_erlang_c__textbook_table__a_10(agents, expected):
    # 600 an hour x 1 minute = 10 Erlangs
    got = erlang.erlang_c_wait_probability(
        arrivals_per_hour=600, mean_service_minutes=1, agents=agents
    )
    assert got == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize(
    ("per_hour", "minutes", "agents"), [(120, 3, 8), (30, 12, 7), (47, 9.5, 9), (5, 20, 2)]
)
def test_erlang_c__equals_closed_form_with_exact_factorials(per_hour, minutes, agents):
    load = Fraction(per_hour) * Fraction(minutes) / 60
    got = erlang.erlang_c_wait_probability(
        arrivals_per_hour=per_hour, mean_service_minutes=minutes, agents=agents
    )
    assert got == pytest.approx(_erlang_c_by_factorials(agents, load), rel=1e-12)


def test_erlang_c__service_level_and_mean_wait__worked_example():
    # lambda = 2/min, 3 min, 8 agents: C = 0.35698; c mu - lambda = 8/3 - 2 = 2/3 per minute
    c_prob = 0.3569810858786803
    sl = erlang.erlang_c_service_level(
        arrivals_per_hour=120, mean_service_minutes=3, agents=8, target_minutes=0.5
    )
    assert sl == pytest.approx(1 - c_prob * math.exp(-(2 / 3) * 0.5), rel=1e-12)
    wait = erlang.erlang_c_mean_wait(arrivals_per_hour=120, mean_service_minutes=3, agents=8)
    assert wait == pytest.approx(c_prob / (2 / 3), rel=1e-12)


def test_erlang_c__unstable_and_empty_offices():
    assert (
        erlang.erlang_c_wait_probability(arrivals_per_hour=60, mean_service_minutes=10, agents=5)
        == 1
    )
    assert (
        erlang.erlang_c_mean_wait(arrivals_per_hour=60, mean_service_minutes=10, agents=5)
        == math.inf
    )
    assert (
        erlang.erlang_c_service_level(
            arrivals_per_hour=60, mean_service_minutes=10, agents=5, target_minutes=15
        )
        == 0
    )
    assert (
        erlang.erlang_c_wait_probability(arrivals_per_hour=0, mean_service_minutes=10, agents=0)
        == 0
    )
    assert (
        erlang.erlang_c_agents_needed(
            arrivals_per_hour=0, mean_service_minutes=10, target_minutes=15
        )
        == 0
    )


def test_erlang_c__bad_input_is_a_value_error():
    with pytest.raises(ValueError):
        erlang.erlang_c_wait_probability(arrivals_per_hour=-1, mean_service_minutes=3, agents=2)
    with pytest.raises(ValueError):
        erlang.erlang_c_wait_probability(arrivals_per_hour=1, mean_service_minutes=0, agents=2)
    with pytest.raises(ValueError):
        erlang.erlang_c_agents_needed(
            arrivals_per_hour=10, mean_service_minutes=3, target_minutes=1, service_level=1.0
        )


def test_erlang_c__no_overflow_for_a_large_office():
    # 200 arrivals an hour at 12 minutes: 40 Erlangs; and a whole county at 10 000 an hour
    for per_hour, agents in [(200, 45), (200, 200), (10_000, 2100)]:
        p = erlang.erlang_c_wait_probability(
            arrivals_per_hour=per_hour, mean_service_minutes=12, agents=agents
        )
        assert 0 <= p <= 1 and math.isfinite(p)
    needed = erlang.erlang_c_agents_needed(
        arrivals_per_hour=200, mean_service_minutes=12, target_minutes=15
    )
    assert needed == 42
    assert (
        erlang.erlang_c_service_level(
            arrivals_per_hour=200, mean_service_minutes=12, agents=42, target_minutes=15
        )
        >= 0.8
    )
    assert (
        erlang.erlang_c_service_level(
            arrivals_per_hour=200, mean_service_minutes=12, agents=41, target_minutes=15
        )
        < 0.8
    )


def test_erlang_c__occupancy_cap_adds_agents():
    free = erlang.erlang_c_agents_needed(
        arrivals_per_hour=200, mean_service_minutes=12, target_minutes=15
    )
    capped = erlang.erlang_c_agents_needed(
        arrivals_per_hour=200, mean_service_minutes=12, target_minutes=15, max_occupancy=0.85
    )
    assert capped >= free and 40 / capped <= 0.85


offices = st.tuples(
    st.floats(min_value=0.5, max_value=250),  # arrivals per hour
    st.floats(min_value=1, max_value=40),  # minutes
    st.integers(min_value=1, max_value=120),  # agents
)


@settings(max_examples=150, deadline=None)
@given(office=offices, target=st.floats(min_value=0, max_value=60))
def test_erlang_c__properties__probability_and_monotone_in_agents(office, target):
    per_hour, minutes, agents = office
    p = erlang.erlang_c_wait_probability(
        arrivals_per_hour=per_hour, mean_service_minutes=minutes, agents=agents
    )
    more = erlang.erlang_c_wait_probability(
        arrivals_per_hour=per_hour, mean_service_minutes=minutes, agents=agents + 1
    )
    assert 0 <= p <= 1 and 0 <= more <= 1
    assert more <= p + 1e-12
    sl = erlang.erlang_c_service_level(
        arrivals_per_hour=per_hour,
        mean_service_minutes=minutes,
        agents=agents,
        target_minutes=target,
    )
    sl_more = erlang.erlang_c_service_level(
        arrivals_per_hour=per_hour,
        mean_service_minutes=minutes,
        agents=agents + 1,
        target_minutes=target,
    )
    assert 0 <= sl <= 1
    assert sl_more >= sl - 1e-12


# --- Erlang A --------------------------------------------------------------------------------


def _erlang_a_by_generator(per_hour, minutes, patience, agents, states=400):
    """Independent check: solve pi Q = 0 for the truncated generator with numpy."""
    lam, mu, theta = per_hour / 60, 1 / minutes, 1 / patience
    q = np.zeros((states, states))
    for n in range(states):
        if n + 1 < states:
            q[n, n + 1] = lam
        if n > 0:
            q[n, n - 1] = min(n, agents) * mu + max(n - agents, 0) * theta
        q[n, n] = -q[n].sum()
    a = np.vstack([q.T, np.ones(states)])
    b = np.zeros(states + 1)
    b[-1] = 1
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    queue = np.maximum(np.arange(states) - agents, 0)
    return pi[agents:].sum(), theta * (pi @ queue) / lam, (pi @ queue) / lam


@pytest.mark.parametrize(
    ("per_hour", "minutes", "patience", "agents"),
    [(120, 3, 2, 5), (60, 10, 15, 8), (60, 10, 15, 12), (200, 12, 20, 30), (20, 8, 1, 1)],
)
def test_erlang_a__equals_the_generator_solution(per_hour, minutes, patience, agents):
    got = erlang.erlang_a(
        arrivals_per_hour=per_hour,
        mean_service_minutes=minutes,
        mean_patience_minutes=patience,
        agents=agents,
    )
    wait, abandon, mean_wait = _erlang_a_by_generator(per_hour, minutes, patience, agents)
    assert got.wait_probability == pytest.approx(wait, abs=1e-9)
    assert got.abandon_probability == pytest.approx(abandon, abs=1e-9)
    assert got.mean_wait == pytest.approx(mean_wait, abs=1e-9)


def test_erlang_a__single_agent_closed_form():
    # M/M/1+M with theta = mu: death rate n mu, so N ~ Poisson(lambda/mu) (an M/M/inf)
    got = erlang.erlang_a(
        arrivals_per_hour=60, mean_service_minutes=2, mean_patience_minutes=2, agents=1
    )
    a = 2.0
    assert got.wait_probability == pytest.approx(1 - math.exp(-a), rel=1e-10)
    mean_queue = a - (1 - math.exp(-a))  # E[(N-1)+] = E[N] - P(N>=1)
    assert got.mean_queue == pytest.approx(mean_queue, rel=1e-10)


@pytest.mark.parametrize(
    ("per_hour", "minutes", "agents"), [(120, 3, 8), (200, 12, 45), (30, 12, 7)]
)
def test_erlang_a__tends_to_erlang_c_as_patience_grows(per_hour, minutes, agents):
    c_wait = erlang.erlang_c_wait_probability(
        arrivals_per_hour=per_hour, mean_service_minutes=minutes, agents=agents
    )
    c_mean = erlang.erlang_c_mean_wait(
        arrivals_per_hour=per_hour, mean_service_minutes=minutes, agents=agents
    )
    c_sl = erlang.erlang_c_service_level(
        arrivals_per_hour=per_hour, mean_service_minutes=minutes, agents=agents, target_minutes=5
    )
    previous = math.inf
    for patience in (1e3, 1e5, 1e7):
        a = erlang.erlang_a(
            arrivals_per_hour=per_hour,
            mean_service_minutes=minutes,
            mean_patience_minutes=patience,
            agents=agents,
        )
        gap = abs(a.wait_probability - c_wait)
        assert gap <= previous
        previous = gap
    assert a.wait_probability == pytest.approx(c_wait, rel=1e-4)
    assert a.mean_wait == pytest.approx(c_mean, rel=1e-4)
    infinite = erlang.erlang_a(
        arrivals_per_hour=per_hour,
        mean_service_minutes=minutes,
        mean_patience_minutes=math.inf,
        agents=agents,
    )
    assert infinite.wait_probability == pytest.approx(c_wait, rel=1e-9)
    assert infinite.abandon_probability == 0
    sl = erlang.erlang_a_service_level(
        arrivals_per_hour=per_hour,
        mean_service_minutes=minutes,
        mean_patience_minutes=math.inf,
        agents=agents,
        target_minutes=5,
    )
    assert sl == pytest.approx(c_sl, rel=1e-8)


def test_erlang_a__overloaded_office_is_stable_and_large_offices_do_not_overflow():
    a = erlang.erlang_a(
        arrivals_per_hour=200, mean_service_minutes=12, mean_patience_minutes=10, agents=20
    )  # 40 Erlangs on 20 agents: half leave
    assert 0.4 < a.abandon_probability < 0.6
    assert a.wait_probability == pytest.approx(1, abs=1e-3)
    big = erlang.erlang_a(
        arrivals_per_hour=10_000, mean_service_minutes=12, mean_patience_minutes=10, agents=2000
    )
    assert all(math.isfinite(x) for x in (big.wait_probability, big.mean_wait))
    sl = erlang.erlang_a_service_level(
        arrivals_per_hour=200,
        mean_service_minutes=12,
        mean_patience_minutes=10,
        agents=45,
        target_minutes=15,
    )
    assert 0.8 < sl <= 1


@settings(max_examples=60, deadline=None)
@given(
    office=st.tuples(
        st.floats(min_value=0.5, max_value=200),
        st.floats(min_value=1, max_value=30),
        st.integers(min_value=1, max_value=40),
    ),
    patience=st.floats(min_value=0.5, max_value=120),
    target=st.floats(min_value=0, max_value=30),
)
def test_erlang_a__properties(office, patience, target):
    per_hour, minutes, agents = office
    kw = {
        "arrivals_per_hour": per_hour,
        "mean_service_minutes": minutes,
        "mean_patience_minutes": patience,
    }
    a, more = erlang.erlang_a(**kw, agents=agents), erlang.erlang_a(**kw, agents=agents + 1)
    for r in (a, more):
        assert 0 <= r.wait_probability <= 1 and 0 <= r.abandon_probability <= 1
    assert more.wait_probability <= a.wait_probability + 1e-9
    assert more.abandon_probability <= a.abandon_probability + 1e-9
    sl = erlang.erlang_a_service_level(**kw, agents=agents, target_minutes=target)
    sl_more = erlang.erlang_a_service_level(**kw, agents=agents + 1, target_minutes=target)
    assert 0 <= sl <= 1
    assert sl_more >= sl - 1e-9
    # nobody is called who was not served: SL <= 1 - P(abandon)
    assert sl <= 1 - a.abandon_probability + 1e-9


def test_erlang_a__agents_needed_is_the_smallest():
    kw = {"arrivals_per_hour": 200, "mean_service_minutes": 12, "mean_patience_minutes": 20}
    c = erlang.erlang_a_agents_needed(**kw, target_minutes=15)
    assert erlang.erlang_a_service_level(**kw, agents=c, target_minutes=15) >= 0.8
    assert erlang.erlang_a_service_level(**kw, agents=c - 1, target_minutes=15) < 0.8
    # patience lets a few leave: never more agents than Erlang C asks for
    assert c <= erlang.erlang_c_agents_needed(
        arrivals_per_hour=200, mean_service_minutes=12, target_minutes=15
    )


@settings(max_examples=30, deadline=None)
@given(
    cases=st.lists(
        st.tuples(
            st.floats(0, 400, allow_nan=False),
            st.floats(0.5, 40, allow_nan=False),
            st.floats(0, 30, allow_nan=False),
            st.floats(0, 0.99, allow_nan=False),
        ),
        min_size=1,
        max_size=40,
    ),
    occupancy=st.floats(0.5, 1.0),
)
def test_erlang_c_agents_needed_many__same_as_one_by_one(cases, occupancy):
    lam, mean, target, level = (np.array(x) for x in zip(*cases, strict=True))
    many = erlang.erlang_c_agents_needed_many(
        arrivals_per_hour=lam,
        mean_service_minutes=mean,
        target_minutes=target,
        service_level=level,
        max_occupancy=occupancy,
    )
    one = [
        erlang.erlang_c_agents_needed(
            arrivals_per_hour=a,
            mean_service_minutes=m,
            target_minutes=t,
            service_level=s,
            max_occupancy=occupancy,
        )
        for a, m, t, s in cases
    ]
    assert many.tolist() == one


@settings(max_examples=25, deadline=None)
@given(
    arrivals=st.floats(1, 120),
    service=st.floats(2, 20),
    patience=st.floats(1, 120),
    target=st.floats(1, 20),
    level=st.floats(0.5, 0.95),
)
def test_erlang_a_agents_needed__smallest_meeting_the_target(
    arrivals, service, patience, target, level
):
    kw = {
        "arrivals_per_hour": arrivals,
        "mean_service_minutes": service,
        "mean_patience_minutes": patience,
    }
    c = erlang.erlang_a_agents_needed(**kw, target_minutes=target, service_level=level)
    assert erlang.erlang_a_service_level(**kw, agents=c, target_minutes=target) >= level
    if c > max(1, math.ceil(level * arrivals * service / 60)):
        assert erlang.erlang_a_service_level(**kw, agents=c - 1, target_minutes=target) < level
