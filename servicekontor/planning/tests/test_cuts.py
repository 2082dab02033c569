"""Zero-half cuts for set covering: every cut holds at every 0/1 cover (brute force)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from servicekontor.planning import cuts, highs, optimize


@st.composite
def _covering(draw, max_rows: int = 9, max_cols: int = 8):
    """A random 0/1 matrix with no empty row (every row coverable)."""
    n = draw(st.integers(2, max_rows))
    m = draw(st.integers(2, max_cols))
    a = np.array(
        draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=n, max_size=n))
    )
    for i in range(n):
        if not a[i].any():
            a[i, draw(st.integers(0, m - 1))] = True
    return a.astype(float)


def _covers(a: np.ndarray) -> np.ndarray:
    """Every 0/1 vector covering every row of ``a``."""
    m = a.shape[1]
    points = np.array(list(itertools.product((0.0, 1.0), repeat=m)))
    return points[(points @ a.T >= 1).all(axis=1)]


def _lp(a: np.ndarray) -> np.ndarray:
    res = linprog(np.ones(a.shape[1]), A_ub=-a, b_ub=-np.ones(a.shape[0]), bounds=(0, 1))
    assert res.status == 0
    return res.x


@settings(max_examples=150, deadline=None)
@given(_covering(), st.data())
def test_zero_half_cut__any_rows_any_point__holds_at_every_cover(a, data):
    # Validity does not depend on the separation: any U, any point that picks J.
    m = a.shape[1]
    rows = np.array(
        data.draw(st.lists(st.integers(0, a.shape[0] - 1), min_size=1, unique=True)),
        dtype=np.int64,
    )
    x = np.array(
        data.draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), min_size=m, max_size=m))
    )
    coef, rhs = cuts.zero_half_cut(sparse.csr_matrix(a), rows, x)
    assert (coef >= 0).all()
    assert (_covers(a) @ coef >= rhs).all()


@settings(max_examples=150, deadline=None)
@given(_covering())
def test_zero_half_cuts__at_the_lp__valid_and_violated(a):
    x = _lp(a)
    found, rhs = cuts.zero_half_cuts(sparse.csr_matrix(a), x)
    dense = found.toarray()
    assert (dense @ x <= rhs - cuts.MIN_VIOLATION + 1e-9).all()  # each cuts off the LP point
    covers = _covers(a)
    assert (covers @ dense.T >= rhs[None, :]).all()  # and no 0/1 cover


def test_zero_half_cuts__odd_cycle__lifts_the_triangle():
    # Rows {0,1}, {1,2}, {0,2}; the LP is x = ½ (value 1.5), the cover needs 2.
    a = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=float)
    found, rhs = cuts.zero_half_cuts(sparse.csr_matrix(a), np.full(3, 0.5))
    assert found.toarray().tolist() == [[1.0, 1.0, 1.0]] and rhs.tolist() == [2]


@settings(max_examples=80, deadline=None)
@given(_covering())
def test_cut_rounds__between_the_lp_and_the_optimum(a):
    res = cuts.cut_rounds(sparse.csr_matrix(a), rounds=4)
    best = _covers(a).sum(axis=1).min()
    assert res.lp_before - 1e-6 <= res.lp_after <= best + 1e-6
    dense = res.cuts.toarray()
    assert (_covers(a) @ dense.T >= res.rhs[None, :]).all()


@settings(max_examples=100, deadline=None)
@given(_covering(max_rows=10, max_cols=9))
def test_solve_lscp__zero_half_cuts_always__optimum_of_brute_force(a):
    s = optimize.solve_lscp(sparse.csr_matrix(a), zero_half=True)
    assert s.objective == _covers(a).sum(axis=1).min()
    assert s.optimal and a[:, list(s.chosen)].any(axis=1).all()


def test_zero_half_pays__only_just_below_a_whole_number():
    assert optimize._zero_half_pays(58.80) and optimize._zero_half_pays(28.86)
    assert not optimize._zero_half_pays(57.0)  # an integral LP: nothing to lift
    assert not optimize._zero_half_pays(33.59) and not optimize._zero_half_pays(37.47)


def _points(seed: int, count: int = 150, radius: float = 15.0) -> sparse.csr_matrix:
    """Random points covering each other within ``radius``: cores big enough for HiGHS to
    call back after its root LP (the tiny instances above close at the root)."""
    pts = np.random.default_rng(seed).uniform(0, 100, (count, 2))
    return optimize.coverage_matrix(np.linalg.norm(pts[:, None] - pts[None], axis=2), radius)


def _milp_optimum(a: np.ndarray) -> float:
    res = milp(
        c=np.ones(a.shape[1]),
        constraints=[LinearConstraint(a, 1.0, np.inf)],
        integrality=np.ones(a.shape[1]),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    assert res.status == 0
    return float(round(res.fun))


def test_solve_lscp__rule_says_cuts__same_optimum(monkeypatch):
    # The rule as wired (the core's LP first, then the cut rounds and our search on the LP
    # with the cuts), made to say yes on every fractional LP; the path must really run.
    monkeypatch.setattr(optimize, "ZERO_HALF_MAX_ROUND_UP", 1.0)
    rounds = []
    real = cuts.cut_rounds

    def spy(*args, **kwargs):
        rounds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cuts, "cut_rounds", spy)
    for seed in range(6):
        covers = _points(seed)
        s = optimize.solve_lscp(covers)
        assert s.optimal and s.objective == _milp_optimum(covers.toarray().astype(float))
        assert covers[:, list(s.chosen)].toarray().any(axis=1).all()
    assert len(rounds) >= 2


@settings(max_examples=120, deadline=None)
@given(_covering(max_rows=8, max_cols=8), st.data())
def test_complemented_rounds__any_flips__every_cut_holds_at_every_01_point_of_the_rows(a, data):
    # The rows Σ_j a_ij u_j >= 1 with u_j = 1 − x_j for the flipped columns: every cut, in the
    # columns x, holds at every 0/1 x satisfying them and cuts off the point of its round.
    n, m = a.shape
    flipped = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    cost = np.array(data.draw(st.lists(st.integers(-5, 5), min_size=m, max_size=m)), float)
    sign = np.where(flipped, -1.0, 1.0)
    solver = highs.lp_solver(
        cost=cost,
        matrix=sparse.csc_matrix(a * sign[None, :]),
        row_lower=1.0 - a[:, flipped].sum(axis=1),
        row_upper=np.full(n, np.inf),
        col_lower=np.zeros(m),
        col_upper=np.ones(m),
    )
    res = cuts.complemented_rounds(solver, sparse.csr_matrix(a), flipped, rounds=4)
    points = np.array(list(itertools.product((0.0, 1.0), repeat=m)))
    u = np.where(flipped[None, :], 1.0 - points, points)
    feasible = points[(u @ a.T >= 1).all(axis=1)]
    dense = res.cuts.toarray()
    assert (feasible @ dense.T >= res.rhs[None, :] - 1e-9).all()
    assert res.lp_after >= res.lp_before - 1e-7  # a minimisation: cuts only raise it
    assert res.rounds <= 4 and res.rhs.size == dense.shape[0]


def test_complemented_rounds__maximal_covering_triangle__cut_lifts_the_lp():
    # The maximal covering's odd cycle: rows {0,1}, {1,2}, {0,2} worth 1 each, y_i <= x_a + x_b
    # as x_a + x_b + (1 − y_i) >= 1, at most 1.5 sites. The LP opens each site half and covers
    # all three rows (3); the {0,½}-cut of the three rows, x0 + x1 + x2 + Σ(1 − y) >= 2, is
    # Σy <= Σx + 1 <= 2.5.
    a = np.array([[1, 1, 0, 1, 0, 0], [0, 1, 1, 0, 1, 0], [1, 0, 1, 0, 0, 1]], dtype=float)
    flipped = np.array([False, False, False, True, True, True])
    found, rhs = cuts.zero_half_cuts(sparse.csr_matrix(a), np.array([0.5, 0.5, 0.5, 0, 0, 0]))
    assert found.toarray().tolist() == [[1.0] * 6] and rhs.tolist() == [2]
    sign = np.where(flipped, -1.0, 1.0)
    matrix = np.vstack([a * sign[None, :], [1, 1, 1, 0, 0, 0]])
    solver = highs.lp_solver(
        cost=np.array([0, 0, 0, -1, -1, -1], dtype=float),
        matrix=sparse.csc_matrix(matrix),
        row_lower=np.array([0.0, 0.0, 0.0, -np.inf]),
        row_upper=np.array([np.inf, np.inf, np.inf, 1.5]),
        col_lower=np.zeros(6),
        col_upper=np.ones(6),
    )
    res = cuts.complemented_rounds(solver, sparse.csr_matrix(a), flipped, rounds=3)
    assert res.lp_before == pytest.approx(-3.0)
    assert res.lp_after == pytest.approx(-2.5)
    assert res.cuts.toarray()[0].tolist() == [1, 1, 1, -1, -1, -1] and res.rhs[0] == -1


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 20),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_row_keys__unique_over_them__is_unique_of_the_rows(rows, cols, boolean, seed):
    """np.unique over cuts._row_keys gives np.unique(rows, axis=0)'s order and first
    indices, for booleans and for integers of either sign (repeated rows included)."""
    rng = np.random.default_rng(seed)
    a: np.ndarray
    if boolean:
        a = rng.random((rows, cols)) < rng.random()
    else:
        a = rng.integers(-3, 4, size=(rows, cols)) * int(rng.integers(1, 10**12))
    a = np.vstack([a, a[rng.integers(0, rows, size=3)]])
    _, first = np.unique(cuts._row_keys(a), return_index=True)
    expected, expected_first = np.unique(a, axis=0, return_index=True)
    assert np.array_equal(first, expected_first)
    assert np.array_equal(a[first], expected)


def _zero_half_cuts_dense(a: sparse.csr_matrix, x: np.ndarray, max_cuts: int = 100):
    """cuts.zero_half_cuts as it was before decision 0098 (dense XOR of whole rows,
    np.unique(axis=0)): the reference the faster version must match cut for cut."""
    a = sparse.csr_matrix(a, dtype=np.float64)
    m = a.shape[1]
    empty = (sparse.csr_matrix((0, m)), np.zeros(0, dtype=np.int64))
    slack = a @ x - 1.0
    frac = np.flatnonzero((x > cuts.FRACTIONAL) & (x < 1.0 - cuts.FRACTIONAL))
    if frac.size == 0:
        return empty
    sub = sparse.csr_matrix(a[:, frac])
    cand = np.flatnonzero((slack < 1.0 - 1e-9) & (np.diff(sub.indptr) > 0))
    if cand.size == 0:
        return empty
    b = sub[cand].toarray()
    s = np.maximum(slack[cand], 0.0)
    f = np.minimum(x[frac], 1.0 - x[frac])
    fix = np.abs(1.0 - 2.0 * x[frac])
    high = (x > 0.5).astype(np.float64)
    flips = ((1.0 + np.asarray(a[cand] @ high).ravel()) % 2).astype(bool)
    order = np.argsort(s, kind="stable")
    cand, b, s, flips = cand[order], b[order], s[order], flips[order]
    k = cand.size
    bits = b.astype(bool)
    u = np.eye(k, dtype=bool)
    par, sig = flips.copy(), s.copy()
    used = np.zeros(k, dtype=bool)
    size = np.ones(k, dtype=np.int64)

    def costs(r):
        odd = bits[r]
        best = np.where(odd, fix, np.inf).min(axis=1)
        return sig[r] + odd @ f + np.where(par[r], 0.0, np.minimum(best, 1.0))

    cost = costs(np.arange(k))
    best_u = u.copy()
    for col in np.argsort(-f, kind="stable"):
        have = np.flatnonzero(bits[:, col] & ~used)
        if have.size == 0:
            continue
        pivot = have[np.argmin(sig[have])]
        if sig[pivot] >= 1.0:
            continue
        used[pivot] = True
        others = np.flatnonzero(bits[:, col])
        others = others[(others != pivot) & (size[others] + size[pivot] <= cuts.MAX_ROWS)]
        if others.size == 0:
            continue
        bits[others] ^= bits[pivot]
        u[others] ^= u[pivot]
        size[others] = u[others].sum(axis=1)
        par[others] ^= par[pivot]
        sig[others] += sig[pivot]
        now = costs(others)
        better = now < cost[others] - 1e-9
        cost[others[better]] = now[better]
        best_u[others[better]] = u[others[better]]
    u = best_u
    good = np.flatnonzero(cost < 1.0 - 2 * cuts.MIN_VIOLATION)
    good = good[np.argsort(cost[good], kind="stable")][: 3 * max_cuts]
    if good.size == 0:
        return empty
    sets = np.unique(u[good], axis=0)
    counts = np.rint((sparse.csr_matrix(sets, dtype=np.float64) @ a[cand]).toarray())
    coef, rhs = cuts._cuts_of_sets(counts.astype(np.int64), sets.sum(axis=1), x)
    violation = rhs - coef @ x
    keep = np.flatnonzero(violation >= cuts.MIN_VIOLATION)
    if keep.size == 0:
        return empty
    coef, rhs, violation = coef[keep], rhs[keep], violation[keep]
    _, first = np.unique(np.column_stack([coef, rhs]), axis=0, return_index=True)
    first = first[np.argsort(-violation[first], kind="stable")][:max_cuts]
    return sparse.csr_matrix(coef[first].astype(np.float64)), rhs[first].astype(np.int64)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_zero_half_cuts__same_cuts_as_the_dense_elimination(seed, max_cuts):
    """The elimination that XORs only the pivot row's own entries and deduplicates by row
    keys (decision 0098) returns the dense version's cuts, in its order, on random
    coverings (10–60 rows, 6–30 columns) at random fractional points."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(10, 61)), int(rng.integers(6, 31))
    a = (rng.random((n, m)) < rng.uniform(0.1, 0.4)).astype(float)
    a[np.arange(n), rng.integers(0, m, size=n)] = 1.0
    x = np.where(rng.random(m) < 0.3, np.round(rng.random(m)), rng.random(m))
    got, got_rhs = cuts.zero_half_cuts(sparse.csr_matrix(a), x, max_cuts=max_cuts)
    want, want_rhs = _zero_half_cuts_dense(sparse.csr_matrix(a), x, max_cuts=max_cuts)
    assert np.array_equal(got_rhs, want_rhs)
    assert np.array_equal(got.toarray(), want.toarray())
