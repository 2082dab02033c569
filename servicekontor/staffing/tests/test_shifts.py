"""Shift proposals: tiny instances against brute force, every slot's need covered."""

import itertools
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.staffing import shifts

TINY = shifts.ShiftRules(
    slot_minutes=60,
    min_hours=2,
    max_hours=4,
    break_after_hours=3,
    break_minutes=60,
    setup_minutes=0,
)


def _brute_force(need, profiles, need_by_agency, available, rules):
    pats = shifts.patterns(len(need), rules)
    variables = [(p, k) for k in range(len(profiles)) for p in pats]
    top = max(need) if need else 0
    best = None
    for counts in itertools.product(range(top + 1), repeat=len(variables)):
        per_profile = [0] * len(profiles)
        cover = np.zeros(len(need))
        agency_cover = {a: np.zeros(len(need)) for a in need_by_agency}
        cost = 0
        for (p, k), c in zip(variables, counts, strict=True):
            if not c:
                continue
            per_profile[k] += c
            at = np.array([p.works(t) for t in range(len(need))]) * c
            cover += at
            for a in agency_cover:
                if a in profiles[k]:
                    agency_cover[a] += at
            cost += p.paid_slots * c
        if any(cap is not None and n > cap for n, cap in zip(per_profile, available, strict=True)):
            continue
        if np.all(cover >= need) and all(
            np.all(agency_cover[a] >= np.array(v)) for a, v in need_by_agency.items()
        ):
            best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize(
    ("need", "profiles", "by_agency", "available"),
    [
        ([1, 2, 1], [frozenset({0})], {}, [None]),
        ([2, 1, 1, 2], [frozenset({0})], {}, [None]),
        ([1, 1, 2], [frozenset({0, 1}), frozenset({0})], {1: [1, 0, 1]}, [None, None]),
        ([1, 2, 2], [frozenset({0, 1}), frozenset({0})], {1: [0, 1, 1]}, [1, None]),
        ([2, 2, 1], [frozenset({0}), frozenset({1})], {0: [1, 1, 0], 1: [1, 1, 1]}, [None, None]),
    ],
)
def test_solve_day__tiny__equals_brute_force(need, profiles, by_agency, available):
    plan = shifts.solve_day(
        need, profiles=profiles, need_by_agency=by_agency, available=available, rules=TINY
    )
    best = _brute_force(need, profiles, by_agency, available, TINY)
    assert plan.status == "optimal"
    assert plan.paid_slots == best


def test_solve_day__not_enough_officers__infeasible():
    plan = shifts.solve_day([3, 3, 3], profiles=[frozenset({0})], available=[2], rules=TINY)
    assert plan.status == "infeasible"
    assert not plan.shifts


def test_solve_day__more_needed_than_available__infeasible_without_the_programme(monkeypatch):
    """An office of two officers needing fifteen at once: no integer programme is built
    (HiGHS took ~60 ms a day to prove what the bounds say)."""

    def no_milp(*args, **kwargs):
        raise AssertionError("the programme was solved")

    monkeypatch.setattr(shifts, "milp", no_milp)
    plan = shifts.solve_day(
        [15, 15, 15, 15],
        profiles=[frozenset({0, 1}), frozenset({0})],
        need_by_agency={1: [1, 1, 1, 1]},
        available=[1, 1],
        rules=TINY,
    )
    assert plan.status == "infeasible"
    assert not plan.shifts
    assert plan.coverage == (0, 0, 0, 0)


@settings(max_examples=40, deadline=None)
@given(
    need=st.lists(st.integers(0, 4), min_size=3, max_size=5),
    caps=st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=1, max_size=2),
    agency_need=st.lists(st.integers(0, 3), min_size=5, max_size=5),
)
def test_solve_day__answer_without_the_programme__is_the_programme_s(need, caps, agency_need):
    """Wherever the bounds rule the cover out (`_surely_infeasible`), HiGHS finds no cover
    either: the shortcut never changes an answer."""
    profiles = [frozenset({0, 1}), frozenset({0})][: len(caps)]
    by_agency = {1: agency_need[: len(need)]}
    need_arr = np.asarray(need, dtype=float)
    arrays = {1: np.asarray(by_agency[1], dtype=float)}
    if not shifts._surely_infeasible(need_arr, arrays, profiles, caps):
        return
    with mock.patch.object(shifts, "_surely_infeasible", return_value=False):
        solved = shifts.solve_day(
            need, profiles=profiles, need_by_agency=by_agency, available=caps, rules=TINY
        )
    assert solved.status == "infeasible"


def test_patterns__long_shift__has_a_break_and_no_long_stretch():
    rules = shifts.ShiftRules()
    for p in shifts.patterns(20, rules):
        length_h = (p.end - p.start) / 2
        assert rules.min_hours <= length_h <= rules.max_hours
        if length_h > rules.break_after_hours:
            assert p.break_end - p.break_start == 1
            assert (p.break_start - p.start) / 2 <= rules.break_after_hours
            assert (p.end - p.break_end) / 2 <= rules.break_after_hours
        else:
            assert p.break_start == p.break_end


@settings(max_examples=25, deadline=None)
@given(
    need=st.lists(st.integers(0, 6), min_size=8, max_size=20),
    agency_part=st.lists(st.integers(0, 3), min_size=20, max_size=20),
)
def test_solve_day__random__every_slot_covered(need, agency_part):
    profiles = [frozenset({0, 1}), frozenset({0})]
    by_agency = {1: [min(n, a) for n, a in zip(need, agency_part, strict=False)]}
    plan = shifts.solve_day(need, profiles=profiles, need_by_agency=by_agency)
    if sum(need) == 0:
        assert plan.status == "empty"
        return
    assert plan.status == "optimal"
    assert all(c >= n for c, n in zip(plan.coverage, need, strict=True))
    trained = [0] * len(need)
    for s in plan.shifts:
        if 1 in profiles[s.profile]:
            for t in range(len(need)):
                trained[t] += s.count * s.pattern.works(t)
    assert all(c >= n for c, n in zip(trained, by_agency[1], strict=True))
    assert plan.paid_slots == sum(s.count * s.pattern.paid_slots for s in plan.shifts)


def test_slot_need__setup_and_hours():
    rules = shifts.ShiftRules()
    need, first = shifts.slot_need({10: 2, 11: 3}, open_minute=600, close_minute=720, rules=rules)
    assert first == 570
    assert need == [1, 2, 2, 3, 3, 1]


def test_solve_day__bad_input__error():
    with pytest.raises(shifts.ShiftError):
        shifts.solve_day([1, -1], profiles=[frozenset({0})])
    with pytest.raises(shifts.ShiftError):
        shifts.solve_day([1, 1], profiles=[frozenset({0})], need_by_agency={0: [1]})
