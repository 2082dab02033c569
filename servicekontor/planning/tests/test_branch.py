"""Our branch and bound (branch.maximize, decision 0089) against brute force on small binary
programs; the maximal covering's MILP through it is tested in test_optimize.py
(test_mclp_milp__zero_half_cuts_kept__optimum_among_the_solutions_covering_the_rows)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import linprog

from servicekontor.planning import branch

seeds = st.integers(min_value=0, max_value=10_000)


def _instance(seed: int, integral: bool, continuous: int):
    """max c·x over A x <= b (b >= 0, so x = 0 is feasible), the first columns binary, the
    last ``continuous`` in [0, 1]."""
    rng = np.random.default_rng(seed)
    n_int = int(rng.integers(1, 9))
    n = n_int + continuous
    rows = int(rng.integers(1, 6))
    a = rng.integers(-3, 6, size=(rows, n)).astype(float)
    a[rng.random((rows, n)) < 0.3] = 0.0
    b = rng.integers(0, 2 * n + 1, size=rows).astype(float)
    c = rng.integers(-5, 30, size=n).astype(float)
    if not integral:
        c = c + rng.random(n)
    integer = np.arange(n) < n_int
    return a, b, c, integer


def _brute_force(a, b, c, integer):
    """The optimum over every 0/1 assignment of the integer columns (the continuous ones by
    an LP each, with scipy's HiGHS)."""
    ints = np.flatnonzero(integer)
    conts = np.flatnonzero(~integer)
    best = -np.inf
    for bits in itertools.product((0.0, 1.0), repeat=ints.size):
        x = np.asarray(bits)
        rest = b - a[:, ints] @ x
        value = float(c[ints] @ x)
        if conts.size == 0:
            if np.all(rest >= -1e-9):
                best = max(best, value)
            continue
        lp = linprog(
            -c[conts], A_ub=a[:, conts], b_ub=rest, bounds=[(0, 1)] * conts.size, method="highs"
        )
        if lp.status == 0:
            best = max(best, value - float(lp.fun))
    return best


def _maximize(a, b, c, integer, **kwargs):
    n = c.size
    return branch.maximize(
        cost=c,
        matrix=sparse.csc_matrix(a),
        row_lower=np.full(a.shape[0], -np.inf),
        row_upper=b,
        col_lower=np.zeros(n),
        col_upper=np.ones(n),
        integer=integer,
        start=np.zeros(n),
        **{"time_limit": 30.0, "mip_rel_gap": 1e-9, **kwargs},
    )


@settings(max_examples=120, deadline=None)
@given(seeds, st.booleans(), st.integers(0, 2))
def test_maximize__small_binary_programs__brute_force_optimum_proven(seed, integral, continuous):
    """From the start x = 0, the search ends "Optimal" with the brute force's value as its
    objective and bound, at a feasible x whose integer columns are whole; with integer
    costs and only integer columns it may use that every value is an integer."""
    a, b, c, integer = _instance(seed, integral, continuous)
    out = _maximize(a, b, c, integer, integral=integral and continuous == 0)
    assert out is not None
    best = _brute_force(a, b, c, integer)
    assert out.status == branch.OPTIMAL
    assert out.objective == pytest.approx(best, abs=1e-6)
    assert out.bound == pytest.approx(best, abs=1e-6)
    assert float(c @ out.x) == pytest.approx(best, abs=1e-6)
    assert np.all(a @ out.x <= b + 1e-6)
    whole = out.x[integer]
    assert np.all(np.abs(whole - np.round(whole)) <= 1e-6)


def test_maximize__odd_cycle__branches_to_the_integer_optimum():
    """max x0 + x1 + x2 with x_i + x_j <= 1 for every pair: the LP takes ½ each (1.5), the
    optimum is 1; with the offset the figures move by it."""
    a = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    out = _maximize(a, np.ones(3), np.ones(3), np.ones(3, dtype=bool), integral=True, offset=10.0)
    assert out is not None and out.status == branch.OPTIMAL
    assert out.objective == pytest.approx(11.0) and out.bound == pytest.approx(11.0)
    assert sorted(np.round(out.x).tolist()) == [0.0, 0.0, 1.0]


def test_maximize__watch_stops__start_kept_bound_above_it():
    """A watch that stops at once: status "Interrupted by user", the start as the answer,
    a bound no lower than it (the root's, or infinity before it); a time limit of 0 ends
    the same way with "Time limit reached"."""
    a = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    seen: list[tuple[float, float]] = []

    def watch(incumbent: float, bound: float) -> bool:
        seen.append((incumbent, bound))
        return True

    out = _maximize(a, np.ones(3), np.ones(3), np.ones(3, dtype=bool), integral=True, watch=watch)
    assert out is not None and out.status == branch.INTERRUPTED
    assert out.objective == 0.0 and out.x.tolist() == [0.0, 0.0, 0.0]
    assert out.bound >= out.objective and seen == [(0.0, out.bound)]
    out = _maximize(a, np.ones(3), np.ones(3), np.ones(3, dtype=bool), integral=True, time_limit=0)
    assert out is not None and out.status == branch.TIME_LIMIT and out.bound >= 0.0


def test_maximize__integral_values__a_node_one_below_is_dropped_not_one_above():
    """max 3·x0 + 2·x1 + 2·x2, x0 + x1 + x2 <= 1.5 (the LP 4, the optimum 3 at x0 = 1):
    from the start x0 = 1 the search proves 3, from x1 = 1 (value 2) it must find 3, so the
    node whose bound is 4 > 2 + 1 is kept."""
    a = np.array([[1.0, 1.0, 1.0]])
    c = np.array([3.0, 2.0, 2.0])
    for start, _value in (([1.0, 0.0, 0.0], 3.0), ([0.0, 1.0, 0.0], 2.0)):
        out = branch.maximize(
            cost=c,
            matrix=sparse.csc_matrix(a),
            row_lower=np.array([-np.inf]),
            row_upper=np.array([1.5]),
            col_lower=np.zeros(3),
            col_upper=np.ones(3),
            integer=np.ones(3, dtype=bool),
            start=np.asarray(start),
            time_limit=30.0,
            mip_rel_gap=1e-9,
            integral=True,
        )
        assert out is not None and out.status == branch.OPTIMAL
        assert out.objective == pytest.approx(3.0) and out.x[0] == pytest.approx(1.0)


def _feasible_values(a, b, c, integer):
    """Every feasible 0/1 point of an all-integer instance with its value, best first."""
    points = []
    for bits in itertools.product((0.0, 1.0), repeat=c.size):
        x = np.asarray(bits)
        if np.all(a @ x <= b + 1e-9):
            points.append((float(c @ x), x))
    points.sort(key=lambda point: -point[0])
    return points


@settings(max_examples=150, deadline=None)
@given(seeds, st.booleans(), st.integers(-1_000, 1_000), st.booleans())
def test_maximize__start_just_below_the_optimum__cutoff_keeps_the_optimum(
    seed, integral, offset, from_optimum
):
    """The node LPs' cutoff (decision 0098) with an incumbent close to the optimum and any
    offset: from the best point strictly below the optimum (by 1 where the costs are
    integers: the tightest case of the integral rule) the search finds the optimum; from
    the optimum itself it proves it. A cutoff on the wrong side of the offset, or one that
    drops nodes whose bound is the incumbent + 1, fails here."""
    a, b, c, integer = _instance(seed, integral, 0)
    points = _feasible_values(a, b, c, integer)
    best = points[0][0]
    below = [point for point in points if point[0] < best - 1e-9]
    start_value, start = points[0] if from_optimum or not below else below[0]
    out = branch.maximize(
        cost=c,
        matrix=sparse.csc_matrix(a),
        row_lower=np.full(a.shape[0], -np.inf),
        row_upper=b,
        col_lower=np.zeros(c.size),
        col_upper=np.ones(c.size),
        integer=integer,
        start=start,
        time_limit=30.0,
        mip_rel_gap=1e-9,
        integral=integral,
        offset=float(offset),
    )
    assert out is not None and out.status == branch.OPTIMAL
    assert out.objective == pytest.approx(best + offset, abs=1e-6)
    assert out.bound == pytest.approx(best + offset, abs=1e-6)
    assert float(c @ out.x) == pytest.approx(best, abs=1e-6)
    assert start_value <= best


def test_maximize__cutoff__the_optimum_one_above_the_incumbent_is_found():
    """max 3·x0 + 2·x1 + 2·x2 + x3 with x0 + x1 + x2 <= 1.5 and x3 free of it (the optimum
    4 at x0 = x3 = 1, the LP 4.5): from x1 = x3 = 1 (value 3, one below) the node x0 = 1 has
    the bound 4 = incumbent + 1 and must be solved to the end, not cut off; and the
    caller's HiGHS is handed back without a cutoff."""
    a = np.array([[1.0, 1.0, 1.0, 0.0]])
    c = np.array([3.0, 2.0, 2.0, 1.0])
    lp = branch.highs.lp_solver(
        cost=-c,
        matrix=sparse.csc_matrix(a),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([1.5]),
        col_lower=np.zeros(4),
        col_upper=np.ones(4),
    )
    out = branch.maximize(
        cost=c,
        matrix=sparse.csc_matrix(a),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([1.5]),
        col_lower=np.zeros(4),
        col_upper=np.ones(4),
        integer=np.ones(4, dtype=bool),
        start=np.array([0.0, 1.0, 0.0, 1.0]),
        time_limit=30.0,
        mip_rel_gap=1e-9,
        integral=True,
        offset=-100.0,
        lp=lp,
    )
    assert out is not None and out.status == branch.OPTIMAL
    assert out.objective == pytest.approx(-96.0) and out.x[0] == pytest.approx(1.0)
    assert lp.getOptionValue("objective_bound")[1] == np.inf
