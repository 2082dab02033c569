"""The simulator's own promises: inputs reproduced, the state machine obeyed, reproducible."""

import dataclasses
import itertools
import math

import numpy as np
import pytest

from servicekontor.queueing.states import State, target_state
from servicekontor.simulation.model import (
    ACTIONS,
    OUTCOMES,
    STATES,
    Behaviour,
    Day,
    Officer,
    OfficeScenario,
    ServiceSpec,
    simulate_office,
    simulate_offices,
)

SERVICES = (
    ServiceSpec(service_id=11, agency=0, handling_minutes=10, share=0.5, booked_share=0.2),
    ServiceSpec(service_id=12, agency=1, handling_minutes=15, share=0.3, booked_share=0.2),
    ServiceSpec(service_id=13, agency=2, handling_minutes=20, share=0.15),
    ServiceSpec(service_id=14, agency=0, handling_minutes=20, share=0.05, walk_in=False),
)
OPEN = ((10 * 3600.0, 12 * 3600.0), (13 * 3600.0, 16 * 3600.0))  # closed for lunch
PROFILE = tuple(1.0 + (h in (10, 11)) for h in range(24))


def _officers(n=6):
    return tuple(
        Officer(
            agencies=frozenset({0, 1, 2}) if k % 3 == 0 else frozenset({0, 1 + k % 2}),
            start=10 * 3600.0,
            end=16.25 * 3600.0,
            break_start=11 * 3600.0 + 600 * k,
            break_seconds=1800,
        )
        for k in range(n)
    )


def _scenario(seed=7, days=60, visits=150.0, **behaviour):
    base = {"hour_profile": PROFILE, "patience_minutes": 40.0, **behaviour}
    return OfficeScenario(
        office_id=3,
        services=SERVICES,
        days=tuple(
            Day(ordinal=739000 + d, intervals=OPEN, expected_visits=visits, officers=_officers())
            for d in range(days)
        ),
        behaviour=Behaviour(**base),
        seed=seed,
    )


def test_simulate_office__arrival_counts_match_the_inputs():
    result = simulate_office(_scenario())
    v = result.visits
    n = result.visit_count
    expected = 60 * 150.0
    assert abs(n - expected) < 4 * math.sqrt(expected)  # Poisson: sd = sqrt(mean)
    # per service, by share
    for i, spec in enumerate(SERVICES):
        count = int((v["service"] == i).sum())
        mean = expected * spec.share
        assert abs(count - mean) < 4 * math.sqrt(mean), (spec.service_id, count, mean)
    # booked share of the services that take bookings
    booked = ~np.isnan(v["booked"])
    assert abs(booked[v["service"] == 0].mean() - 0.2) < 0.03
    assert booked[v["service"] == 3].all() and not booked[v["service"] == 2].any()
    # nobody arrives outside the open hours; the hour profile doubles 10-12
    walk = v["arrived"][~booked]
    in_open = np.zeros(walk.size, dtype=bool)
    for s, e in OPEN:
        in_open |= (walk >= s) & (walk < e)
    assert in_open.all()
    morning = ((walk >= 10 * 3600) & (walk < 12 * 3600)).sum()
    afternoon = ((walk >= 13 * 3600) & (walk < 16 * 3600)).sum()
    # rates: 2 per hour-unit for 2 hours vs 1 for 3 hours -> 4:3
    assert morning / afternoon == pytest.approx(4 / 3, rel=0.06)


def test_simulate_office__service_time_means_match_the_catalogue():
    result = simulate_office(_scenario(days=80, multi_errand_share=0.0, transfer_probability=0.0))
    errands = result.errands
    for i, spec in enumerate(SERVICES):
        seconds = errands[errands[:, 1] == i][:, 4] - errands[errands[:, 1] == i][:, 3]
        assert seconds.size > 200
        se = seconds.std() / math.sqrt(seconds.size)
        assert abs(seconds.mean() - spec.handling_minutes * 60) < 4 * se, spec.service_id
        # lognormal: cv as configured
        assert seconds.std() / seconds.mean() == pytest.approx(0.6, rel=0.15)


def test_simulate_office__every_event_is_a_transition_of_the_state_machine():
    result = simulate_office(_scenario(days=20, visits=220.0))
    events = result.events
    order = np.lexsort((np.arange(len(events)), events[:, 1], events[:, 0]))
    state: dict[int, State | None] = {}
    actions_seen = set()
    for row in events[order]:
        vid, _at, action, frm, to = int(row[0]), row[1], int(row[2]), int(row[3]), int(row[4])
        current = state.get(vid)
        assert (STATES[frm] if frm >= 0 else None) == current
        assert target_state(ACTIONS[action], current) == STATES[to]
        state[vid] = STATES[to]
        actions_seen.add(ACTIONS[action].value)
    final = result.visits["state"]
    for vid, s in state.items():
        assert s is not None and STATES[final[vid]] == s
        assert s.value in ("finished", "no_show", "not_served")  # nothing left open
    assert {"issue", "check_in", "call", "recall", "start", "transfer", "finish", "no_show"} <= (
        actions_seen
    )
    # each visit's events are in time order, and outcomes match states
    for vid in range(result.visit_count):
        out = OUTCOMES[result.visits["outcome"][vid]]
        st = STATES[final[vid]].value
        assert (st == "finished") == (out not in ("", "no_show", "not_served_at_closing"))


def test_simulate_office__closing_leaves_the_rest_not_served():
    # one officer for a busy day: many are still in line at closing
    scenario = _scenario(days=3, visits=150.0, patience_minutes=math.inf)
    scenario = OfficeScenario(
        office_id=3,
        services=SERVICES,
        days=tuple(
            Day(
                ordinal=d.ordinal,
                intervals=d.intervals,
                expected_visits=150.0,
                officers=_officers(1),
            )
            for d in scenario.days
        ),
        behaviour=scenario.behaviour,
        seed=1,
    )
    result = simulate_office(scenario)
    events = result.events
    close = events[events[:, 2] == ACTIONS.index("close")]
    assert len(close) > 50
    assert (close[:, 1] == 16 * 3600 + 15 * 60).all()  # at closing + the serving margin


def test_simulate_office__officers_serve_only_their_agencies():
    scenario = _scenario(days=10)
    result = simulate_office(scenario)
    officers = scenario.days[0].officers
    for _vid, svc, officer, _s, _e, _outcome in result.errands:
        assert SERVICES[int(svc)].agency in officers[int(officer)].agencies


def test_simulate_office__same_seed_same_output_and_parallel_equals_serial():
    a, b = simulate_office(_scenario(days=5)), simulate_office(_scenario(days=5))
    assert np.array_equal(a.events, b.events)
    assert all(np.array_equal(a.visits[k], b.visits[k], equal_nan=True) for k in a.visits)
    c = simulate_office(_scenario(days=5, seed=8))
    assert not np.array_equal(a.events[:, 1], c.events[:, 1]) or a.events.shape != c.events.shape
    scenarios = [_scenario(days=3, seed=s) for s in (1, 2, 3)]
    serial = simulate_offices(scenarios, processes=1)
    parallel = simulate_offices(scenarios, processes=2)
    for x, y in zip(serial, parallel, strict=True):
        assert np.array_equal(x.events, y.events)


@pytest.mark.parametrize("bookings", [True, False])
def test_simulate_office__calls_follow_the_shared_call_order(bookings):
    """Whenever an officer calls, no waiting visit they may serve comes first by the key
    (with bookings, and walk-ins only: the day loop's inline pick for days without bookings)."""
    from servicekontor.queueing.call_order import call_order_key

    scenario = _scenario(days=4, visits=200.0, transfer_probability=0.0, multi_errand_share=0.0)
    if not bookings:
        walk_ins = tuple(dataclasses.replace(s, booked_share=0.0, walk_in=True) for s in SERVICES)
        scenario = dataclasses.replace(scenario, services=walk_ins)
    result = simulate_office(scenario)
    assert np.isnan(result.visits["booked"]).all() != bookings
    v, events = result.visits, result.events
    officers = scenario.days[0].officers
    call = ACTIONS.index("call")
    for day in np.unique(v["day"]):
        ids = np.flatnonzero(v["day"] == day)
        ev = events[np.isin(events[:, 0], ids)]
        ev = ev[np.lexsort((ev[:, 0], ev[:, 1]))]
        called_at = {int(r[0]): r[1] for r in ev if r[2] == call}
        for r in ev[ev[:, 2] == call]:
            vid, now, officer = int(r[0]), r[1], int(r[5])
            ags = officers[officer].agencies

            def key(i, now=now):
                return call_order_key(
                    booked_start=None if np.isnan(v["booked"][i]) else v["booked"][i],
                    priority=int(v["priority"][i]),
                    queued_at=v["queued"][i],
                    visit_id=int(i),
                    now=now,
                )

            for other in ids:
                if other == vid or SERVICES[v["service"][other]].agency not in ags:
                    continue
                waiting = v["queued"][other] <= now and called_at.get(int(other), math.inf) > now
                if waiting and v["ticket"][other] >= 0 and v["arrived"][other] < now:
                    assert key(vid) < key(other), (day, vid, other)


def test_simulate_office__desk_log_follows_the_officers():
    """Ready at sign-in, serving from each call, ready again when the visit leaves the desk,
    a break, signed out last: the rows the desk services append to DeskStatusEvent."""
    from servicekontor.simulation.model import DESK_STATUSES

    scenario = _scenario(days=3)
    result = simulate_office(scenario)
    desk = result.desk
    call = ACTIONS.index("call")
    calls = result.events[result.events[:, 2] == call]
    for day in np.unique(desk[:, 0]):
        for k in range(len(scenario.days[0].officers)):
            rows = desk[(desk[:, 0] == day) & (desk[:, 1] == k)]
            statuses = [DESK_STATUSES[int(x)] for x in rows[:, 3]]
            assert statuses[0] == "idle" and statuses[-1] == "signed_out"
            assert statuses.count("signed_out") == 1 and statuses.count("break") == 1
            assert (np.diff(rows[:, 2]) >= 0).all()
            for a, b in itertools.pairwise(statuses):
                assert not (a == "serving" and b == "serving")
            ids = np.flatnonzero(result.visits["day"] == day)
            mine = calls[np.isin(calls[:, 0], ids) & (calls[:, 5] == k)]
            assert statuses.count("serving") == len(mine)
