"""The exact solvers against brute-force enumeration, and property tests."""

import itertools
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import sparse

from servicekontor.planning import heuristics, optimize, subgradient


def _instance(seed: int, n: int = 9, m: int = 7):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 100, size=(n, 2))
    sites = rng.uniform(0, 100, size=(m, 2))
    dist = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    weights = rng.integers(1, 1000, size=n).astype(float)
    return dist, weights


def _brute(dist, weights, p, fixed, value):
    m = dist.shape[1]
    free = [j for j in range(m) if j not in fixed]
    best = None
    for combo in itertools.combinations(free, p - len(fixed)):
        cols = sorted(list(fixed) + list(combo))
        v = value(cols)
        if best is None or v < best:
            best = v
    return best


@pytest.fixture(params=["lagrangian first", "highs only"])
def pmedian_path(request, monkeypatch):
    """solve_pmedian as it runs, and with a Lagrangian that proves nothing (HiGHS decides)."""
    if request.param == "highs only":
        monkeypatch.setattr(
            optimize,
            "_pmedian_lagrangian",
            lambda *args, **kwargs: optimize._PmedianLagrangian(-np.inf, None, np.inf),
        )
    return request.param


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_solve_pmedian__tiny__matches_brute_force(seed, p, pmedian_path):
    dist, w = _instance(seed)
    fixed = [0] if seed % 3 == 0 and p > 1 else []
    s = optimize.solve_pmedian(dist, w, p, fixed=fixed)
    best = _brute(dist, w, p, fixed, lambda cols: float(w @ dist[:, cols].min(axis=1)))
    assert s.objective == pytest.approx(best, rel=1e-9)
    assert s.optimal and s.gap <= 1e-6
    assert len(s.chosen) == p and set(fixed) <= set(s.chosen)
    assert s.heuristic_objective is not None and s.heuristic_objective >= s.objective - 1e-6


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_solve_mclp__tiny__matches_brute_force(seed, p):
    dist, w = _instance(seed)
    covers = optimize.coverage_matrix(dist, 35.0)
    fixed = [1] if seed % 4 == 0 and p > 1 else []
    s = optimize.solve_mclp(covers, w, p, fixed=fixed)
    best = -_brute(
        dist, w, p, fixed, lambda cols: -float(w[(dist[:, cols] <= 35.0).any(axis=1)].sum())
    )
    assert s.objective == pytest.approx(best)
    assert s.optimal
    assert len(s.chosen) == p and set(fixed) <= set(s.chosen)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_quick_answers__tiny__bracket_the_brute_force_optimum(seed, p):
    """exact=False: a feasible answer on one side of the optimum, its bound on the other."""
    dist, w = _instance(seed)
    fixed = [0] if seed % 3 == 0 and p > 1 else []
    median = optimize.solve_pmedian(dist, w, p, fixed=fixed, exact=False)
    best = _brute(dist, w, p, fixed, lambda cols: heuristics.assignment_cost(dist, w, cols))
    assert median.method == "heuristic" and len(median.chosen) == p
    assert median.bound <= best + 1e-6 <= median.objective + 2e-6
    assert median.objective == pytest.approx(heuristics.assignment_cost(dist, w, median.chosen))

    covers = optimize.coverage_matrix(dist, 35.0)
    cover = optimize.solve_mclp(covers, w, p, fixed=fixed, exact=False)
    most = -_brute(
        dist, w, p, fixed, lambda cols: -float(w[(dist[:, cols] <= 35.0).any(axis=1)].sum())
    )
    assert cover.objective <= most + 1e-6 <= cover.bound + 2e-6
    assert set(fixed) <= set(cover.chosen) and len(cover.chosen) == p


def test_solve_lscp__quick__covers_everyone_and_bounds_below():
    dist, _w = _instance(5, n=40, m=30)
    covers = optimize.coverage_matrix(dist, 30.0)
    quick = optimize.solve_lscp(covers, exact=False)
    exact = optimize.solve_lscp(covers)
    coverable = (dist <= 30.0).any(axis=1)
    assert (dist[np.ix_(coverable, list(quick.chosen))] <= 30.0).any(axis=1).all()
    assert quick.bound <= exact.objective <= quick.objective
    assert quick.method == "heuristic" and exact.method == "highs"


def test_solve_pmedian__clustered__lagrangian_bound_alone_proves_it():
    """Clustered demand, like the localities: the bound meets the incumbent without HiGHS."""
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 500, size=(4, 2))
    points = centres[rng.integers(0, 4, 40)] + rng.normal(0, 15, size=(40, 2))
    dist = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    w = rng.lognormal(6, 1.2, 40)
    s = optimize.solve_pmedian(dist, w, 3)
    best = _brute(dist, w, 3, [], lambda cols: heuristics.assignment_cost(dist, w, cols))
    assert s.status == "Lagrangian bound" and s.optimal
    assert s.objective == pytest.approx(best, rel=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_solve_lscp__tiny__matches_brute_force(seed):
    dist, _w = _instance(seed, n=8, m=8)
    covers = optimize.coverage_matrix(dist, 45.0)
    coverable = (dist <= 45.0).any(axis=1)
    s = optimize.solve_lscp(covers)
    best = None
    for size in range(0, 9):
        for combo in itertools.combinations(range(8), size):
            if all((dist[i, list(combo)] <= 45.0).any() for i in np.flatnonzero(coverable)):
                best = size
                break
        if best is not None:
            break
    assert s.objective == best
    assert set(s.uncoverable) == set(np.flatnonzero(~coverable).tolist())
    assert s.optimal


def test_solve_lscp__fixed_sites__kept_and_counted():
    dist = np.array([[0.0, 50.0, 50.0], [50.0, 0.0, 50.0], [50.0, 50.0, 0.0]])
    s = optimize.solve_lscp(optimize.coverage_matrix(dist, 10.0), fixed=[0])
    assert s.chosen == (0, 1, 2) and s.objective == 3


def test_solve_mclp__p_out_of_range__error():
    dist, w = _instance(1)
    with pytest.raises(ValueError):
        optimize.solve_mclp(optimize.coverage_matrix(dist, 30), w, 99)


def test_greedy_cover__covers_every_coverable_row():
    dist, _ = _instance(3, n=30, m=20)
    covers = optimize.coverage_matrix(dist, 30.0)
    chosen = heuristics.greedy_cover(covers)
    coverable = (dist <= 30).any(axis=1)
    assert ((dist[:, chosen] <= 30).any(axis=1) | ~coverable).all()


def test_solve_pmedian__several_rounds__still_optimal(monkeypatch):
    # Rows cut at the poor start's own distance: the truncation must grow, round by round.
    monkeypatch.setattr(
        optimize,
        "_pmedian_lagrangian",
        lambda *args, **kwargs: optimize._PmedianLagrangian(-np.inf, None, np.inf),
    )
    monkeypatch.setattr(optimize, "TRUNCATION_MIN", 1)
    monkeypatch.setattr(optimize, "TRUNCATION_FACTOR", 1.0)
    dist, w = _instance(5, n=40, m=25)
    s = optimize.solve_pmedian(dist, w, 3, start=[0, 1, 2])
    best = _brute(dist, w, 3, [], lambda cols: float(w @ dist[:, cols].min(axis=1)))
    assert s.objective == pytest.approx(best, rel=1e-9)
    assert s.optimal and s.rounds > 1


seeds = st.integers(min_value=0, max_value=10_000)


@settings(max_examples=25, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=4))
def test_mclp__adding_an_office__never_worsens_coverage(seed, p):
    dist, w = _instance(seed, n=12, m=8)
    covers = optimize.coverage_matrix(dist, 30.0)
    assert (
        optimize.solve_mclp(covers, w, p + 1).objective
        >= optimize.solve_mclp(covers, w, p).objective
    )


@settings(max_examples=25, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=4))
def test_pmedian__adding_an_office__never_worsens_distance(seed, p):
    dist, w = _instance(seed, n=12, m=8)
    assert (
        optimize.solve_pmedian(dist, w, p + 1).objective
        <= optimize.solve_pmedian(dist, w, p).objective + 1e-6
    )


@settings(max_examples=25, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=5))
def test_heuristic__never_beats_proven_optimum(seed, p):
    dist, w = _instance(seed, n=15, m=10)
    exact = optimize.solve_pmedian(dist, w, p)
    h = heuristics.greedy_interchange(dist, w, p)
    assert h.objective >= exact.bound - 1e-6
    assert h.objective >= exact.objective - 1e-6
    covers = optimize.coverage_matrix(dist, 30.0)
    mclp = optimize.solve_mclp(covers, w, p)
    hc = heuristics.greedy_interchange((dist > 30.0).astype(float), w, p)
    assert float(w.sum()) - hc.objective <= mclp.bound + 1e-6


@pytest.mark.parametrize("seed", range(8))
def test_solve_lscp__warm_start_and_fixed__same_optimum_as_brute_force(seed):
    # Regression: HiGHS could return the warm start while reporting the presolved optimum.
    dist, _w = _instance(seed, n=9, m=9)
    covers = optimize.coverage_matrix(dist, 40.0)
    fixed = [0]
    coverable = np.flatnonzero((dist <= 40.0).any(axis=1))
    best = None
    for size in range(0, 9):
        for combo in itertools.combinations(range(1, 9), size):
            cols = [0, *combo]
            if all((dist[i, cols] <= 40.0).any() for i in coverable):
                best = size + 1
                break
        if best is not None:
            break
    with_start = optimize.solve_lscp(
        covers, fixed=fixed, start=heuristics.greedy_cover(covers, fixed)
    )
    assert with_start.objective == best
    assert with_start.bound <= with_start.objective
    covered = (dist[:, list(with_start.chosen)] <= 40.0).any(axis=1)
    assert covered[coverable].all()


def _plain_mclp(covers, w, p, fixed):
    """The textbook MCLP without any reduction (one y per demand row, every site), by SciPy."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    a = np.asarray(covers, dtype=float)
    n, m = a.shape
    lower = np.zeros(m + n)
    lower[list(fixed)] = 1.0
    result = milp(
        c=np.concatenate([np.zeros(m), -w]),
        constraints=[
            LinearConstraint(np.hstack([-a, np.eye(n)]), -np.inf, 0.0),
            LinearConstraint(np.concatenate([np.ones(m), np.zeros(n)])[None, :], p, p),
        ],
        integrality=np.concatenate([np.ones(m), np.zeros(n)]),
        bounds=Bounds(lower, np.ones(m + n)),
        options={"mip_rel_gap": 0.0},
    )
    assert result.status == 0
    return -result.fun


@st.composite
def _coverage_instances(draw):
    """Random coverage with repeated rows, nested (dominated) and identical columns."""
    seed = draw(seeds)
    rng = np.random.default_rng(seed)
    n, m = draw(st.integers(4, 30)), draw(st.integers(2, 12))
    a = rng.random((n, m)) < draw(st.sampled_from([0.15, 0.3, 0.5]))
    if n > 2:
        a[rng.integers(0, n, size=n // 3)] = a[rng.integers(0, n, size=n // 3)]  # equal rows
    if m > 2:
        a[:, 1] = a[:, 0] & (rng.random(n) < 0.7)  # column 1 inside column 0
        a[:, -1] = a[:, 0]  # an identical copy of column 0
    integral = draw(st.booleans())
    w = rng.integers(0, 1000, size=n).astype(float)
    if not integral:
        w = w + rng.random(n)
    p = draw(st.integers(1, m))
    fixed = sorted(draw(st.sets(st.integers(0, m - 1), max_size=min(p, 3))))
    return a, w, p, fixed


@settings(max_examples=120, deadline=None)
@given(_coverage_instances())
def test_solve_mclp__reductions__same_optimum_as_plain_model(instance):
    a, w, p, fixed = instance
    s = optimize.solve_mclp(sparse.csr_matrix(a), w, p, fixed=fixed)
    assert s.objective == pytest.approx(_plain_mclp(a, w, p, fixed), rel=1e-9, abs=1e-6)
    assert s.optimal and s.bound >= s.objective - 1e-6
    assert len(s.chosen) == p and set(fixed) <= set(s.chosen)
    # The reported objective is the coverage of the reported sites (mapped back correctly).
    assert s.objective == pytest.approx(float(w[a[:, list(s.chosen)].any(axis=1)].sum()))


def test_solve_mclp__branching_instances__same_optimum_as_plain_model(monkeypatch):
    # Instances whose Lagrangian bound does not prove the incumbent, so the MILP (with
    # COVERING_MILP_HIGHS_OPTIONS) really runs.
    calls = []
    real = optimize._solve_milp

    def counting(**kwargs):
        calls.append(kwargs.get("options"))
        return real(**kwargs)

    monkeypatch.setattr(optimize, "_solve_milp", counting)
    for seed in range(12):
        dist, w = _instance(seed, n=60, m=30)
        covers = optimize.coverage_matrix(dist, 22.0)
        s = optimize.solve_mclp(covers, w, 6)
        assert s.objective == pytest.approx(_plain_mclp(covers.toarray(), w, 6, []))
        assert s.optimal
    assert optimize.COVERING_MILP_HIGHS_OPTIONS in calls


def _subset_values(a, w, k):
    """Covered weight of every k-subset of the columns of the dense 0/1 matrix ``a``."""
    return {
        combo: float(w[a[:, list(combo)].any(axis=1)].sum())
        for combo in itertools.combinations(range(a.shape[1]), k)
    }


@settings(max_examples=200, deadline=None)
@given(_coverage_instances(), seeds, st.sampled_from(["random", "subgradient", "zero"]))
def test_mclp_fixings__any_multipliers__no_better_solution_excluded(instance, seed, multipliers):
    """Every k-subset covering strictly more than the incumbent respects the fixed bounds,
    whatever the multipliers (any 0 <= λ <= w gives a valid L), the incumbent being the value
    of some k-subset (as in solve_mclp)."""
    a, w, p, _ = instance
    a = a.astype(bool)
    rng = np.random.default_rng(seed)
    k = p
    if multipliers == "random":
        lam = w * rng.random(w.size)
    elif multipliers == "zero":
        lam = np.zeros_like(w)
    else:
        lag = subgradient.mclp_lagrangian(
            sparse.csr_matrix(a),
            w,
            k,
            None,
            -np.inf,
            time_limit=5.0,
            max_iter=int(rng.integers(1, 60)),
        )
        lam = None
    if lam is not None:
        scores = a.T.astype(float) @ lam
        bound = float(np.maximum(w - lam, 0).sum() + np.sort(scores)[::-1][:k].sum())
    else:
        scores, bound = lag.scores, lag.upper
    values = _subset_values(a, w, k)
    incumbent = list(values.values())[int(rng.integers(len(values)))]
    integral = bool(np.all(w == np.round(w)))
    slack = 1.0 - 1e-6 if integral else 0.0
    lower, upper = optimize._mclp_fixings(scores, bound, k, incumbent, slack)
    assert np.all(lower <= upper)
    for combo, value in values.items():
        if value > incumbent:
            x = np.zeros(a.shape[1])
            x[list(combo)] = 1.0
            assert np.all(x >= lower) and np.all(x <= upper), (combo, value, incumbent)


def _random_multipliers(a, w, k, rng, kind):
    if kind == "random":
        return w * rng.random(w.size)
    if kind == "beyond":  # above w too: clipped to w inside
        return w * rng.random(w.size) * 2.0
    if kind == "zero":
        return np.zeros_like(w)
    lag = subgradient.mclp_lagrangian(
        sparse.csr_matrix(a),
        w,
        k,
        None,
        -np.inf,
        time_limit=5.0,
        max_iter=int(rng.integers(1, 200)),
    )
    return lag.multipliers


@settings(max_examples=200, deadline=None)
@given(
    _coverage_instances(),
    seeds,
    st.sampled_from(["random", "beyond", "subgradient", "zero"]),
)
def test_mclp_covered_rows__any_multipliers__every_better_solution_covers_them(
    instance, seed, multipliers
):
    """Every k-subset covering strictly more than the incumbent (a k-subset's value, as in
    solve_mclp) covers every row the Lagrangian row fixing returns, whatever the multipliers."""
    a, w, p, _ = instance
    a = a.astype(bool)
    rng = np.random.default_rng(seed)
    k = p
    lam = _random_multipliers(a, w, k, rng, multipliers)
    values = _subset_values(a, w, k)
    incumbent = list(values.values())[int(rng.integers(len(values)))]
    slack = 1.0 - 1e-6 if bool(np.all(w == np.round(w))) else 0.0
    covered = optimize._mclp_covered_rows(sparse.csr_matrix(a), w, k, lam, incumbent, slack)
    assert covered.shape == (a.shape[0],) and covered.dtype == bool
    for combo, value in values.items():
        if value > incumbent:
            assert a[covered][:, list(combo)].any(axis=1).all(), (combo, value, incumbent)


def test_mclp_covered_rows__tight_bound__fixes_the_rows_worth_the_gap():
    """Rows {0}, {1}, {0, 1} over sites 0 and 1 with weights 5, 3, 4 and k = 1; λ = (0, 0, 4)
    gives scores (4, 4) and L = 5 + 3 + 0 + 4 = 12, the optimum 9 (site 0). Leaving row 0
    uncovered: at most 12 − 5 = 7; row 1: at most 9; row 2 (both sites shut, no k-th site):
    every solution covers it. Against the incumbent 7 (site 1), rows 0 and 2 are fixed."""
    a = sparse.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]], dtype=bool))
    w = np.array([5.0, 3.0, 4.0])
    lam = np.array([0.0, 0.0, 4.0])
    covered = optimize._mclp_covered_rows(a, w, 1, lam, 7.0, 1 - 1e-6)
    assert covered.tolist() == [True, False, True]
    # Against 9 (the optimum) row 1 as well: nothing is better than 9 at all.
    covered = optimize._mclp_covered_rows(a, w, 1, lam, 9.0, 1 - 1e-6)
    assert covered.tolist() == [True, True, True]
    # Fractional weights: no slack, so 7 against the incumbent 6.5 keeps row 0 free.
    covered = optimize._mclp_covered_rows(a, w, 1, lam, 6.5, 0.0)
    assert covered.tolist() == [False, False, True]


@settings(max_examples=150, deadline=None)
@given(_coverage_instances(), seeds)
def test_mclp_milp__covered_rows__optimum_among_the_solutions_covering_them(instance, seed):
    """The MILP with rows to cover (covering rows, implied rows left out, the weight of the
    implied ones in its constant) has the value of the best k-subset covering those rows, and
    is infeasible when there is none; its start is dropped when it leaves one uncovered."""
    a, w, p, _ = instance
    a = a.astype(bool)
    rng = np.random.default_rng(seed)
    covered = rng.random(a.shape[0]) < rng.choice([0.0, 0.2, 0.5, 1.0])
    covered &= a.any(axis=1) | (rng.random(a.shape[0]) < 0.1)  # now and then an empty one
    values = {
        combo: value
        for combo, value in _subset_values(a, w, p).items()
        if a[covered][:, list(combo)].any(axis=1).all()
    }
    start = np.zeros(a.shape[1])
    start[rng.permutation(a.shape[1])[:p]] = 1.0
    m = a.shape[1]
    try:
        out = optimize._mclp_milp(
            sparse.csr_matrix(a),
            w,
            p,
            col_lower=np.zeros(m),
            col_upper=np.ones(m),
            start=start,
            time_limit=30.0,
            mip_rel_gap=1e-9,
            covered=covered,
        )
    except RuntimeError as error:
        assert not values and "(Infeasible)" in str(error)
        return
    assert values
    best = max(values.values())
    assert out.objective == pytest.approx(best, rel=1e-9, abs=1e-6)
    cols = np.flatnonzero(out.x[:m] > 0.5)
    assert cols.size == p and a[covered][:, cols].any(axis=1).all()
    assert float(w[a[:, cols].any(axis=1)].sum()) == pytest.approx(best, rel=1e-9, abs=1e-6)


def _mclp_milp_rows_and_outcome(a, w, p, covered, start, zero_half):
    """_mclp_milp with the cuts' rule set to keep whatever the rounds find: (rows of the
    model solved, its outcome, the HiGHS options it was given, or "branch" where our branch
    and bound solved it)."""
    rows: list[int] = []
    options: list[object] = []
    real_solve, real_share = optimize._solve_milp, optimize.MCLP_ZERO_HALF_MIN_CLOSED
    real_branch = optimize._branch_and_bound

    def counting(**kwargs):
        rows.append(int(kwargs["matrix"].shape[0]))
        options.append(kwargs["options"])
        return real_solve(**kwargs)

    def branching(**kwargs):
        rows.append(int(kwargs["matrix"].shape[0]))
        options.append("branch")
        return real_branch(**kwargs)

    optimize._solve_milp, optimize.MCLP_ZERO_HALF_MIN_CLOSED = counting, 0.0
    optimize._branch_and_bound = branching
    m = a.shape[1]
    try:
        out = optimize._mclp_milp(
            sparse.csr_matrix(a),
            w,
            p,
            col_lower=np.zeros(m),
            col_upper=np.ones(m),
            start=start,
            time_limit=30.0,
            mip_rel_gap=1e-9,
            covered=covered,
            zero_half=zero_half,
        )
    finally:
        optimize._solve_milp, optimize.MCLP_ZERO_HALF_MIN_CLOSED = real_solve, real_share
        optimize._branch_and_bound = real_branch
    return rows[-1], out, options[-1]


@settings(max_examples=150, deadline=None)
@given(_coverage_instances(), seeds)
def test_mclp_milp__zero_half_cuts_kept__optimum_among_the_solutions_covering_the_rows(
    instance, seed
):
    """The MILP with {0,½}-cuts of its covering rows before it (kept whatever they close: the
    rule's threshold set to 0) has the value of the best k-subset covering the given rows,
    as without them (decision 0070)."""
    a, w, p, _ = instance
    a = a.astype(bool)
    rng = np.random.default_rng(seed)
    covered = (rng.random(a.shape[0]) < rng.choice([0.0, 0.2, 0.5])) & a.any(axis=1)
    values = {
        combo: value
        for combo, value in _subset_values(a, w, p).items()
        if a[covered][:, list(combo)].any(axis=1).all()
    }
    if not values:
        return
    m = a.shape[1]
    start = np.zeros(m)
    start[list(min(values, key=values.__getitem__))] = 1.0  # the worst: room for the cuts
    _, out, _ = _mclp_milp_rows_and_outcome(a, w, p, covered, start, 5)
    best = max(values.values())
    assert out.objective == pytest.approx(best, rel=1e-9, abs=1e-6)
    assert out.bound == pytest.approx(best, rel=1e-9, abs=1e-6)
    cols = np.flatnonzero(out.x[:m] > 0.5)
    assert cols.size == p and a[covered][:, cols].any(axis=1).all()
    assert float(w[a[:, cols].any(axis=1)].sum()) == pytest.approx(best, rel=1e-9, abs=1e-6)


def test_mclp_milp__zero_half_cuts__added_where_the_lp_is_fractional_same_optimum():
    """On random 40 × 12 coverings (k = 3, from the worst k-subset) the rounds add cuts to
    the model on some instances, and its optimum stays the brute force's: the property
    test above is not vacuous."""
    grew = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        a = rng.random((40, 12)) < 0.2
        w = rng.integers(1, 1000, size=40).astype(float)
        values = _subset_values(a, w, 3)
        start = np.zeros(12)
        start[list(min(values, key=values.__getitem__))] = 1.0
        covered = np.zeros(40, dtype=bool)
        with_cuts, out, options = _mclp_milp_rows_and_outcome(a, w, 3, covered, start, 5)
        plain, _, plain_options = _mclp_milp_rows_and_outcome(a, w, 3, covered, start, 0)
        grew += with_cuts > plain
        # Our branch and bound only where the cuts are kept (decision 0089).
        assert options == ("branch" if with_cuts > plain else optimize.COVERING_MILP_HIGHS_OPTIONS)
        assert plain_options is optimize.COVERING_MILP_HIGHS_OPTIONS
        assert out.objective == pytest.approx(max(values.values()))
    assert grew >= 3


@settings(max_examples=80, deadline=None)
@given(_coverage_instances(), seeds, st.sampled_from(["random", "subgradient", "zero"]))
def test_solve_mclp__rows_fixed_before_the_milp__same_optimum_as_plain_model(
    monkeypatch_instance, seed, multipliers
):
    """solve_mclp with a Lagrangian that proves nothing but hands over multipliers (so the
    MILP runs with the rows they fix, possibly infeasible when the incumbent is optimal):
    still the optimum of the textbook model, proven."""
    a, w, p, fixed = monkeypatch_instance
    rng = np.random.default_rng(seed)
    real = optimize._mclp_lagrangian

    def weak(cov, gw, k, best_cols, best_val, **kwargs):
        lam = _random_multipliers(cov.toarray().astype(bool), gw, k, rng, multipliers)
        lam = np.clip(lam, 0.0, gw)
        scores = np.asarray(sparse.csr_matrix(cov, dtype=float).T @ lam).ravel()
        upper = float(np.maximum(gw - lam, 0).sum() + np.sort(scores)[::-1][:k].sum())
        return subgradient.MclpLagrangian(upper, scores, best_cols, best_val, multipliers=lam)

    optimize._mclp_lagrangian = weak  # type: ignore[assignment]
    try:
        s = optimize.solve_mclp(sparse.csr_matrix(a), w, p, fixed=fixed)
    finally:
        optimize._mclp_lagrangian = real
    assert s.objective == pytest.approx(_plain_mclp(a, w, p, fixed), rel=1e-9, abs=1e-6)
    assert s.optimal and s.bound >= s.objective - 1e-6
    assert s.objective == pytest.approx(float(w[a[:, list(s.chosen)].any(axis=1)].sum()))


@settings(max_examples=100, deadline=None)
@given(_coverage_instances(), seeds, st.sampled_from(["random", "subgradient", "zero"]))
def test_solve_mclp__branch_and_bound_before_rens__same_optimum_as_plain_model(
    instance, seed, multipliers
):
    """solve_mclp with a Lagrangian that proves nothing (the MILP path runs) and the first
    attempt's rule set to keep any cuts (decision 0089): still the textbook optimum, proven;
    and RENS runs only where our branch and bound did not."""
    a, w, p, fixed = instance
    rng = np.random.default_rng(seed)
    real_lagrangian, real_rens = optimize._mclp_lagrangian, optimize._mclp_rens
    real_branch, real_share = optimize._branch_and_bound, optimize.MCLP_BRANCH_MIN_CLOSED
    calls: list[str] = []

    def weak(cov, gw, k, best_cols, best_val, **kwargs):
        lam = _random_multipliers(cov.toarray().astype(bool), gw, k, rng, multipliers)
        lam = np.clip(lam, 0.0, gw)
        scores = np.asarray(sparse.csr_matrix(cov, dtype=float).T @ lam).ravel()
        upper = float(np.maximum(gw - lam, 0).sum() + np.sort(scores)[::-1][:k].sum())
        return subgradient.MclpLagrangian(upper, scores, best_cols, best_val, multipliers=lam)

    def rens(*args, **kwargs):
        calls.append("rens")
        return real_rens(*args, **kwargs)

    def branching(**kwargs):
        calls.append("branch")
        return real_branch(**kwargs)

    optimize._mclp_lagrangian = weak  # type: ignore[assignment]
    optimize._mclp_rens = rens
    optimize._branch_and_bound = branching
    optimize.MCLP_BRANCH_MIN_CLOSED = 0.0
    try:
        s = optimize.solve_mclp(sparse.csr_matrix(a), w, p, fixed=fixed)
    finally:
        optimize._mclp_lagrangian, optimize._mclp_rens = real_lagrangian, real_rens
        optimize._branch_and_bound, optimize.MCLP_BRANCH_MIN_CLOSED = real_branch, real_share
    assert s.objective == pytest.approx(_plain_mclp(a, w, p, fixed), rel=1e-9, abs=1e-6)
    assert s.optimal and s.bound >= s.objective - 1e-6
    assert s.objective == pytest.approx(float(w[a[:, list(s.chosen)].any(axis=1)].sum()))
    assert calls[:1] != ["branch"] or "rens" not in calls


def test_solve_mclp__branch_and_bound_before_rens__taken_on_some_instances():
    """On random 40 × 12 coverings (k = 3) with a Lagrangian that proves nothing, the first
    attempt (any cuts kept) runs our branch and bound on some, RENS then never; the optimum
    is the brute force's: the property test above is not vacuous."""
    real_lagrangian, real_rens = optimize._mclp_lagrangian, optimize._mclp_rens
    real_branch, real_share = optimize._branch_and_bound, optimize.MCLP_BRANCH_MIN_CLOSED
    taken = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        a = rng.random((40, 12)) < 0.2
        w = rng.integers(1, 1000, size=40).astype(float)
        calls: list[str] = []

        def weak(cov, gw, k, best_cols, best_val, **kwargs):
            lam = np.clip(gw / np.maximum(cov.sum(axis=1).A.ravel(), 1), 0.0, gw)
            scores = np.asarray(sparse.csr_matrix(cov, dtype=float).T @ lam).ravel()
            upper = float(np.maximum(gw - lam, 0).sum() + np.sort(scores)[::-1][:k].sum())
            return subgradient.MclpLagrangian(upper, scores, best_cols, best_val, multipliers=lam)

        def rens(*args, calls=calls, **kwargs):
            calls.append("rens")
            return real_rens(*args, **kwargs)

        def branching(calls=calls, **kwargs):
            calls.append("branch")
            return real_branch(**kwargs)

        optimize._mclp_lagrangian = weak  # type: ignore[assignment]
        optimize._mclp_rens = rens
        optimize._branch_and_bound = branching
        optimize.MCLP_BRANCH_MIN_CLOSED = 0.0
        try:
            s = optimize.solve_mclp(sparse.csr_matrix(a), w, 3)
        finally:
            optimize._mclp_lagrangian, optimize._mclp_rens = real_lagrangian, real_rens
            optimize._branch_and_bound = real_branch
            optimize.MCLP_BRANCH_MIN_CLOSED = real_share
        assert s.objective == pytest.approx(max(_subset_values(a, w, 3).values()))
        assert s.optimal
        if calls[:1] == ["branch"]:
            taken += 1
            assert "rens" not in calls
    assert taken >= 3


def test_mclp_fixings__tight_bound__fixes_both_ways():
    """Three sites with scores 10, 6, 1 at L = 20, k = 1 (integer weights unless said):
    opening site 1 instead of site 0 gives at most 16, site 2 at most 11; closing site 0 at
    most 16. Against the incumbent 19 all three are fixed."""
    lower, upper = optimize._mclp_fixings(np.array([10.0, 6.0, 1.0]), 20.0, 1, 19.0, 1 - 1e-6)
    assert lower.tolist() == [1.0, 0.0, 0.0] and upper.tolist() == [1.0, 0.0, 0.0]
    # With the incumbent at 15 only the site whose forced bound is 11 goes.
    lower, upper = optimize._mclp_fixings(np.array([10.0, 6.0, 1.0]), 20.0, 1, 15.0, 1 - 1e-6)
    assert lower.tolist() == [0.0, 0.0, 0.0] and upper.tolist() == [1.0, 1.0, 0.0]
    # Site 1's forced bound 16 against the incumbent 16: no better solution opens it.
    lower, upper = optimize._mclp_fixings(np.array([10.0, 6.0, 1.0]), 20.0, 1, 16.0, 1 - 1e-6)
    assert lower.tolist() == [1.0, 0.0, 0.0] and upper.tolist() == [1.0, 0.0, 0.0]
    # Without the integer slack (fractional weights) 16 against 15.5 keeps it.
    lower, upper = optimize._mclp_fixings(np.array([10.0, 6.0, 1.0]), 20.0, 1, 15.5, 0.0)
    assert upper.tolist() == [1.0, 1.0, 0.0]
    # No finite bound: nothing fixed.
    lower, upper = optimize._mclp_fixings(np.array([1.0, 2.0]), np.inf, 1, 0.0, 0.0)
    assert lower.tolist() == [0.0, 0.0] and upper.tolist() == [1.0, 1.0]


def test_solve_mclp__fixing_removes_columns__same_optimum_as_plain_model(monkeypatch):
    """Instances where the reduced-cost fixing closes and opens sites before the MILP (the
    fixed columns are counted through a wrapper): the answer is still the optimum of the
    unreduced textbook model."""
    fixed_counts = []
    real = optimize._mclp_fixings

    def counting(*args):
        lower, upper = real(*args)
        fixed_counts.append((int((upper == 0).sum()), int((lower == 1).sum())))
        return lower, upper

    monkeypatch.setattr(optimize, "_mclp_fixings", counting)
    for seed in range(8):
        dist, w = _instance(seed, n=120, m=50)
        covers = optimize.coverage_matrix(dist, 18.0)
        s = optimize.solve_mclp(covers, w, 10)
        assert s.optimal
        assert s.objective == pytest.approx(_plain_mclp(covers.toarray(), w, 10, []))
    assert sum(closed for closed, _ in fixed_counts) >= 20
    assert sum(opened for _, opened in fixed_counts) >= 5


def test_solve_mclp__rows_fixed__used_and_same_optimum_as_plain_model(monkeypatch):
    """On the instances of the fixing test the MILP gets rows to cover (counted through a
    wrapper) and the answer is still the optimum of the textbook model."""
    counts = []
    real = optimize._mclp_covered_rows

    def counting(*args):
        covered = real(*args)
        counts.append(int(covered.sum()))
        return covered

    monkeypatch.setattr(optimize, "_mclp_covered_rows", counting)
    for seed in range(8):
        dist, w = _instance(seed, n=120, m=50)
        covers = optimize.coverage_matrix(dist, 18.0)
        s = optimize.solve_mclp(covers, w, 10)
        assert s.optimal
        assert s.objective == pytest.approx(_plain_mclp(covers.toarray(), w, 10, []))
    assert len(counts) >= 3 and all(count > 0 for count in counts)


@settings(max_examples=60, deadline=None)
@given(_coverage_instances())
def test_greedy_interchange_cover__no_single_swap_improves(instance):
    a, w, p, fixed = instance
    h = heuristics.greedy_interchange_cover(sparse.csr_matrix(a), w, p, fixed)

    def covered(cols):
        return float(w[a[:, list(cols)].any(axis=1)].sum())

    assert len(h.chosen) == min(p, a.shape[1]) and set(fixed) <= set(h.chosen)
    assert h.objective == pytest.approx(covered(h.chosen))
    for out in set(h.chosen) - set(fixed):
        for inn in set(range(a.shape[1])) - set(h.chosen):
            swapped = (set(h.chosen) - {out}) | {inn}
            assert covered(swapped) <= h.objective + 1e-6 * max(1.0, float(w.sum()))
    assert h.objective <= _plain_mclp(a, w, p, fixed) + 1e-6


@settings(max_examples=80, deadline=None)
@given(_coverage_instances(), st.integers(0, 2**31 - 1))
def test_cover_interchange_batch__any_start__improving_local_optimum(instance, seed):
    """The many-swaps-per-pass interchange (large models) ends where no single swap improves,
    never below its start, with the fixed sites kept and its figure what its sites cover."""
    a, w, p, fixed = instance
    m = a.shape[1]
    rng = np.random.default_rng(seed)
    others = [j for j in rng.permutation(m).tolist() if j not in fixed]
    start = sorted(fixed + others[: p - len(fixed)])

    def covered(cols):
        return float(w[a[:, list(cols)].any(axis=1)].sum())

    chosen, swaps, value = heuristics.cover_interchange_batch(sparse.csr_matrix(a), w, start, fixed)
    assert len(chosen) == p and set(fixed) <= set(chosen)
    assert value == pytest.approx(covered(chosen))
    assert value >= covered(start) - 1e-9
    assert (swaps == 0) == (set(chosen) == set(start))
    tolerance = 1e-6 * max(1.0, float(w.sum()))
    for out in set(chosen) - set(fixed):
        for inn in set(range(m)) - set(chosen):
            assert covered((set(chosen) - {out}) | {inn}) <= value + tolerance
    assert value <= _plain_mclp(a, w, p, fixed) + 1e-6


@settings(max_examples=60, deadline=None)
@given(_coverage_instances(), st.integers(0, 2**31 - 1))
def test_cover_iterated_local_search__any_start__never_worse_and_k_sites(instance, seed):
    a, w, p, fixed = instance
    rng = np.random.default_rng(seed)
    others = [j for j in rng.permutation(a.shape[1]).tolist() if j not in fixed]
    start = sorted(fixed + others[: p - len(fixed)])

    def covered(cols):
        return float(w[a[:, list(cols)].any(axis=1)].sum())

    chosen, value = heuristics.cover_iterated_local_search(
        sparse.csr_matrix(a), w, start, fixed, kick=2, time_limit=5.0, seed=seed, patience=20
    )
    assert len(chosen) == p and set(fixed) <= set(chosen)
    assert value == pytest.approx(covered(chosen))
    assert covered(start) - 1e-9 <= value <= _plain_mclp(a, w, p, fixed) + 1e-6


def test_solve_mclp__large_model_not_proven__local_search_gets_the_rest_of_the_limit():
    """Above MILP_MAX_PAIRS, an answer the bound does not prove goes through the iterated
    local search with what is left of the limit (and its result is the answer's)."""
    dist, w = _instance(5, n=60, m=30)
    covers = optimize.coverage_matrix(dist, 22.0)
    seen = []
    real = heuristics.cover_iterated_local_search

    def recording(*args, **kwargs):
        seen.append(kwargs["time_limit"])
        return real(*args, **kwargs)

    def no_bound(cov, gw, k, best_cols, best_val, **_kwargs):
        return subgradient.MclpLagrangian(
            float(gw.sum()), np.zeros(cov.shape[1]), best_cols, best_val
        )

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optimize, "MILP_MAX_PAIRS", -1)
        mp.setattr(optimize, "_mclp_lagrangian", no_bound)
        mp.setattr(heuristics, "cover_iterated_local_search", recording)
        s = optimize.solve_mclp(covers, w, 3, time_limit=2.0)
    assert len(seen) == 1 and 0 < seen[0] <= 2.0
    assert s.status == "Time limit reached"
    assert s.objective == pytest.approx(
        float(w[covers.toarray()[:, list(s.chosen)].any(axis=1)].sum())
    )


def test_cover_interchange_batch__far_apart_improvements__several_swaps_in_one_pass():
    """Two blocks of rows that share no site: the two improving swaps are made in one pass."""
    a = np.zeros((4, 6), dtype=bool)
    a[0, 0] = a[1, 1] = True  # block 1: sites 0 (open, 1 row) and 1 (closed, 1 row) ...
    a[0:2, 2] = True  # ... and 2 covering both
    a[2, 3] = a[3, 4] = True  # block 2 likewise with sites 3, 4, 5
    a[2:4, 5] = True
    w = np.array([1.0, 1.0, 1.0, 1.0])
    chosen, swaps, value = heuristics.cover_interchange_batch(
        sparse.csr_matrix(a), w, [0, 3], max_passes=1
    )
    assert (chosen, swaps, value) == ([2, 5], 2, 4.0)


def test_solve_mclp__clock__limits_count_the_given_clock():
    """``clock`` is what the time limit counts (the scaling benchmark's CPU seconds): a clock
    that has always run out stops the bound after its first step on a large model."""
    dist, w = _instance(3, n=60, m=30)
    covers = optimize.coverage_matrix(dist, 22.0)
    calls = []

    def late():
        calls.append(1)
        return 1e9 * len(calls)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optimize, "MILP_MAX_PAIRS", -1)
        s = optimize.solve_mclp(covers, w, 6, time_limit=60.0, clock=late)
    assert calls
    assert s.bound >= _plain_mclp(covers.toarray(), w, 6, []) - 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_greedy_interchange_cover__same_local_optimum_value_as_dense_interchange(seed):
    dist, w = _instance(seed, n=80, m=40)
    sparse_h = heuristics.greedy_interchange_cover(optimize.coverage_matrix(dist, 20.0), w, 5)
    dense_h = heuristics.greedy_interchange((dist > 20.0).astype(float), w, 5)
    assert sparse_h.objective == pytest.approx(float(w.sum()) - dense_h.objective)


def test_solvers__stdout__stays_clean():
    """HiGHS prints a licence banner from its constructor; `plan` writes its table to stdout."""
    script = (
        "import numpy as np\n"
        "from servicekontor.planning import optimize\n"
        "optimize.solve_pmedian(np.array([[1.0, 2.0], [2.0, 1.0]]), [1.0, 1.0], 1)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout == ""


def _plain_lscp(a, fixed):
    """The textbook set cover without reductions (every coverable row, every site), by SciPy."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    a = np.asarray(a, dtype=float)
    rows = a[a.any(axis=1)]
    lower = np.zeros(a.shape[1])
    lower[list(fixed)] = 1.0
    if rows.shape[0] == 0:
        return float(len(fixed))
    result = milp(
        c=np.ones(a.shape[1]),
        constraints=[LinearConstraint(rows, 1.0, np.inf)],
        integrality=np.ones(a.shape[1]),
        bounds=Bounds(lower, np.ones(a.shape[1])),
        options={"mip_rel_gap": 0.0},
    )
    assert result.status == 0
    return float(round(result.fun))


@settings(max_examples=120, deadline=None)
@given(_coverage_instances())
def test_solve_lscp__reductions__same_optimum_as_plain_model(instance):
    # Forced sites, dominated rows and dominated (or identical) sites are removed first.
    a, _w, _p, fixed = instance
    s = optimize.solve_lscp(sparse.csr_matrix(a), fixed=fixed)
    assert s.objective == _plain_lscp(a, fixed)
    assert s.optimal and set(fixed) <= set(s.chosen)
    coverable = a.any(axis=1)
    assert a[coverable][:, list(s.chosen)].any(axis=1).all()  # a real cover


@settings(max_examples=120, deadline=None)
@given(_coverage_instances())
def test_greedy_cover__a_cover_with_fixed_sites_and_no_redundant_site(instance):
    # The gains are updated row by row as sites open; the answer must still be a cover
    # that keeps the fixed sites and loses coverage when any other site is dropped.
    a, _w, _p, fixed = instance
    chosen = heuristics.greedy_cover(sparse.csr_matrix(a), fixed=fixed)
    coverable = a.any(axis=1)
    assert set(fixed) <= set(chosen) and len(set(chosen)) == len(chosen)
    assert a[coverable][:, chosen].any(axis=1).all()
    for j in set(chosen) - set(fixed):
        rest = [c for c in chosen if c != j]
        assert not a[coverable][:, rest].any(axis=1).all() if rest else coverable.any()


def _branching_instance():
    rng = np.random.default_rng(5)
    demand = rng.uniform(0, 100, size=(400, 2))
    sites = rng.uniform(0, 100, size=(80, 2))
    dist = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    return dist, rng.integers(1, 1000, size=400).astype(float)


@pytest.mark.parametrize(
    ("problem", "radius", "p"),
    # Instances the first bound does not prove (MCLP and p-median reach branch and bound; set
    # covering at 12 km would reduce to forced sites alone, 25 km leaves a core).
    [("mclp", 15.0, 15), ("lscp", 25.0, 0), ("pmedian", 0.0, 10)],
)
def test_progress__incumbent_improves_bound_holds_and_stop_keeps_a_whole_answer(problem, radius, p):
    dist, w = _branching_instance()
    covers = optimize.coverage_matrix(dist, radius)

    def solve(progress=None):
        if problem == "mclp":
            return optimize.solve_mclp(covers, w, p, fixed=[0], progress=progress)
        if problem == "lscp":
            return optimize.solve_lscp(covers, fixed=[0], progress=progress)
        return optimize.solve_pmedian(dist, w, p, fixed=[0], progress=progress)

    seen: list[optimize.Progress] = []

    def record(state: optimize.Progress) -> bool:
        seen.append(state)
        return False

    full = solve(record)
    assert full.optimal and seen
    optimum = full.objective
    maximize = problem == "mclp"
    incumbents = [s.incumbent for s in seen if np.isfinite(s.incumbent)]
    # Never worse than before, never better than the optimum; bounds on the right side.
    assert incumbents == sorted(incumbents, reverse=not maximize)
    for state in seen:
        assert state.problem == problem and state.seconds >= 0
        if maximize:
            assert state.incumbent <= optimum + 1e-6 and state.bound >= optimum - 1e-6
        else:
            assert state.incumbent >= optimum - 1e-6 and state.bound <= optimum + 1e-6
    # Stopped at the first report: a whole answer (p sites, fixed kept), bracketing the optimum.
    stopped = solve(lambda state: True)
    assert 0 in stopped.chosen
    if problem == "lscp":
        coverable = covers.toarray().any(axis=1)
        assert covers.toarray()[coverable][:, list(stopped.chosen)].any(axis=1).all()
    else:
        assert len(stopped.chosen) == p
    if problem == "mclp":  # the p-median's first report may already close the gap (optimal)
        assert stopped.status == optimize.STOPPED and not stopped.optimal
    if stopped.status == optimize.STOPPED:
        low, high = sorted([stopped.objective, stopped.bound])
        assert low - 1e-6 <= optimum <= high + 1e-6
    else:
        assert stopped.optimal and stopped.objective == pytest.approx(optimum)


def _lp_mclp(covers, w, p):
    """The LP relaxation of the textbook MCLP (x in [0, 1]), by SciPy's HiGHS."""
    from scipy.optimize import linprog

    a = np.asarray(covers, dtype=float)
    n, m = a.shape
    result = linprog(
        np.concatenate([np.zeros(m), -w]),
        A_ub=np.hstack([-a, np.eye(n)]),
        b_ub=np.zeros(n),
        A_eq=np.concatenate([np.ones(m), np.zeros(n)])[None, :],
        b_eq=[p],
        bounds=(0, 1),
        method="highs",
    )
    assert result.status == 0
    return -result.fun


@settings(max_examples=100, deadline=None)
@given(_coverage_instances(), st.sampled_from([1, 2, 5, 40, 2_000]))
def test_mclp_lagrangian__any_number_of_steps__bound_holds_above_the_lp(instance, steps):
    """Every multiplier vector the subgradient visits gives a valid bound: after any number
    of steps it is at least the LP relaxation (hence the optimum), and the solution it
    returns covers what it says."""
    a, w, p, _ = instance
    cov = sparse.csr_matrix(a)
    start = heuristics.greedy_interchange_cover(cov, w, p)
    lag = subgradient.mclp_lagrangian(
        cov, w, p, np.asarray(start.chosen), start.objective, time_limit=60.0, max_iter=steps
    )
    lp = _lp_mclp(a, w, p)
    assert lag.upper >= lp - 1e-7 * max(1.0, lp)
    assert lag.upper >= _plain_mclp(a, w, p, []) - 1e-7 * max(1.0, lp)
    assert lag.best_cols is not None and len(lag.best_cols) == p
    assert lag.best_val == pytest.approx(float(w[a[:, lag.best_cols].any(axis=1)].sum()))


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no NaN multipliers from an overflow
@settings(max_examples=100, deadline=None)
@given(_coverage_instances(), st.sampled_from([1, 2, 5, 40, 2_000]))
# Every site open and a row no site covers: the direction vanishes while the gap does not, so
# the step length leaves float32's range (CI, 1 Dec 2026: an overflow warning on the cast).
@example(
    (
        np.array([[False, False], [True, True], [False, False], [False, False]]),
        np.array([559.0027385001702, 935.8574042765875, 277.03358557530544, 815.7296554464299]),
        2,
        [],
    ),
    2_000,
)
def test_mclp_lagrangian__float32_steps__bound_recomputed_above_the_lp(instance, steps):
    """The float32 path (large models) only steers the search: the bound it returns is L at
    its best multipliers in float64, at least the LP relaxation and the optimum."""
    a, w, p, _ = instance
    cov = sparse.csr_matrix(a)
    start = heuristics.greedy_interchange_cover(cov, w, p)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(subgradient, "FLOAT32_MIN_PAIRS", 0)
        lag = subgradient.mclp_lagrangian(
            cov, w, p, np.asarray(start.chosen), start.objective, time_limit=60.0, max_iter=steps
        )
    lp = _lp_mclp(a, w, p)
    assert lag.upper >= lp - 1e-7 * max(1.0, lp)
    assert lag.upper >= _plain_mclp(a, w, p, []) - 1e-7 * max(1.0, lp)
    assert lag.best_cols is not None and len(lag.best_cols) == p
    assert lag.best_val == pytest.approx(float(w[a[:, lag.best_cols].any(axis=1)].sum()))
    assert lag.scores.dtype == np.float64 and lag.scores.shape == (a.shape[1],)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no overflow in the float32 steps
@settings(max_examples=100, deadline=None)
@given(
    _coverage_instances(),
    st.sampled_from([1, 2, 5, 40, 2_000]),
    st.sampled_from([0, 10**12]),
    st.sampled_from([1.0, 1e-3, 1e6]),
)
def test_mclp_pdhg__any_number_of_steps__bound_holds_above_the_lp(
    instance, steps, float32_from, scale
):
    """Every λ the primal-dual steps visit gives a valid bound, in float32 steps too (the bound
    is recomputed in float64): at least the LP relaxation and the optimum after any number of
    steps and at any weight scale; the caller's incumbent passes through and the primal is a
    point of {0 <= x <= 1, Σx = p}."""
    a, w, p, _ = instance
    w = w * scale
    cov = sparse.csr_matrix(a)
    start = heuristics.greedy_interchange_cover(cov, w, p)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(subgradient, "FLOAT32_MIN_PAIRS", float32_from)
        lag = subgradient.mclp_pdhg(
            cov, w, p, np.asarray(start.chosen), start.objective, time_limit=60.0, max_iter=steps
        )
    lp = _lp_mclp(a, w, p)
    assert lag.upper >= lp - 1e-7 * max(1.0, lp)
    assert lag.upper >= _plain_mclp(a, w, p, []) - 1e-7 * max(1.0, lp)
    assert lag.upper <= float(w.sum()) + 1e-9 * max(1.0, lp)  # λ = 0 is the first step
    assert lag.best_cols is not None and lag.best_cols.tolist() == list(start.chosen)
    assert lag.best_val == start.objective
    assert lag.scores.dtype == np.float64 and lag.scores.shape == (a.shape[1],)
    assert lag.primal is not None and lag.primal.shape == (a.shape[1],)
    assert np.all((lag.primal >= 0) & (lag.primal <= 1))
    assert lag.primal.sum() == pytest.approx(p, abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_mclp_pdhg__many_steps__converges_to_the_lp(seed, monkeypatch):
    """The primal-dual steps converge to the LP relaxation (the best bound of this form): on
    small random instances within 0.1 % of it after 20,000 steps."""
    monkeypatch.setattr(subgradient, "PDHG_STALL_STEPS", 10**9)
    rng = np.random.default_rng(seed)
    a = rng.random((40, 12)) < 0.25
    a[np.arange(40), rng.integers(0, 12, size=40)] = True  # every row coverable
    w = rng.lognormal(np.log(100), 1.0, size=40)
    p = int(rng.integers(2, 6))
    lag = subgradient.mclp_pdhg(
        sparse.csr_matrix(a), w, p, None, 0.0, time_limit=60.0, max_iter=20_000
    )
    lp = _lp_mclp(a, w, p)
    assert lp - 1e-7 * lp <= lag.upper <= lp * (1 + 1e-3)


def test_mclp_pdhg__done__stops_and_stall__stops(monkeypatch):
    """``done`` is asked with the bound and the incumbent after each step and stops the steps;
    without it the steps stop once the bound stalls (PDHG_STALL_STEPS)."""
    dist, w = _instance(3, n=40, m=20)
    cov = optimize.coverage_matrix(dist, 25.0)
    asked = []

    def done(bound, best):
        asked.append((bound, best))
        return len(asked) == 3

    lag = subgradient.mclp_pdhg(cov, w, 4, None, 5.0, time_limit=60.0, done=done)
    assert len(asked) == 3 and all(best == 5.0 for _, best in asked)
    assert asked[0][0] == pytest.approx(float(w.sum()) * (1 + 1e-5))  # λ = 0 first
    assert lag.upper <= float(w.sum())
    monkeypatch.setattr(subgradient, "PDHG_STALL_STEPS", 5)
    monkeypatch.setattr(subgradient, "PDHG_STALL_REL", 1.0)  # any step "stalls"
    steps = []
    real = subgradient._capped_simplex

    def counting(v, k, scale):
        steps.append(1)
        return real(v, k, scale)

    monkeypatch.setattr(subgradient, "_capped_simplex", counting)
    subgradient.mclp_pdhg(cov, w, 4, None, 0.0, time_limit=60.0)
    assert len(steps) == 5


@settings(max_examples=200, deadline=None)
@given(seeds, st.integers(1, 30), st.floats(1e-6, 1e6))
def test_capped_simplex__nearest_point_in_the_scaled_norm(seed, m, spread):
    """Π(v) lies in {0 <= x <= 1, Σx = k} and is the nearest such point in
    Σ (x_j − v_j)² / scale_j: no feasible move along a pair of coordinates gets nearer."""
    rng = np.random.default_rng(seed)
    v = rng.normal(0, spread, m)
    scale = rng.uniform(0.1, 10, m)
    k = int(rng.integers(1, m + 1))
    x = subgradient._capped_simplex(v, k, scale)
    assert np.all((x >= 0) & (x <= 1)) and x.sum() == pytest.approx(k, abs=1e-6)
    # KKT: the scaled gradient (x − v)/scale is one value t on the free coordinates, >= t at
    # 0 and <= t at 1.
    g = (x - v) / scale
    free = (x > 1e-9) & (x < 1 - 1e-9)
    tol = 1e-6 * max(1.0, float(np.abs(g).max()))
    if free.any():
        t = g[free]
        assert t.max() - t.min() <= tol
        assert np.all(g[x <= 1e-9] >= t.min() - tol) and np.all(g[x >= 1 - 1e-9] <= t.max() + tol)
    else:
        assert g[x <= 1e-9].min(initial=np.inf) >= g[x >= 1 - 1e-9].max(initial=-np.inf) - tol


@settings(max_examples=100, deadline=None)
@given(_coverage_instances())
def test_solve_mclp__above_the_milp_size__no_milp_and_a_valid_bound(instance):
    """Models above MILP_MAX_PAIRS stop after the Lagrangian bound (float32 too): the bound is
    still at least the optimum and the objective what the reported sites cover."""
    a, w, p, fixed = instance

    def no_milp(**_kwargs):
        raise AssertionError("the MILP ran above MILP_MAX_PAIRS")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optimize, "MILP_MAX_PAIRS", -1)
        mp.setattr(subgradient, "FLOAT32_MIN_PAIRS", 0)
        mp.setattr(optimize, "_solve_milp", no_milp)
        s = optimize.solve_mclp(sparse.csr_matrix(a), w, p, fixed=fixed)
    best = _plain_mclp(a, w, p, fixed)
    assert s.bound >= best - 1e-7 * max(1.0, best)
    assert s.objective <= best + 1e-6
    assert s.objective == pytest.approx(float(w[a[:, list(s.chosen)].any(axis=1)].sum()))
    assert len(s.chosen) == p and set(fixed) <= set(s.chosen)
    # "": nothing to choose (every row already covered by the fixed sites, or no free site).
    assert s.status in {"", "Optimal", "Lagrangian bound", "Time limit reached"}
    if s.status == "Time limit reached":
        assert s.bound > s.objective


@settings(max_examples=80, deadline=None)
@given(_coverage_instances(), st.integers(0, 2**31 - 1))
def test_mclp_rens__any_bounds__k_sites_within_them_and_no_better_than_optimum(instance, seed):
    a, w, p, _ = instance
    rng = np.random.default_rng(seed)
    m = a.shape[1]
    # Random fixings, as the Lagrangian's reduced-cost fixing would leave them (k feasible).
    lower = np.zeros(m)
    upper = np.ones(m)
    order = rng.permutation(m)
    lower[order[: rng.integers(0, p + 1)]] = 1.0
    upper[order[m - rng.integers(0, m - p + 1) :]] = 0.0
    upper = np.maximum(upper, lower)
    if upper.sum() < p:
        upper[:] = 1.0
    cov = sparse.csr_matrix(a)
    cols = optimize._mclp_rens(cov, w, p, lower, upper, time_limit=10.0)
    if cols is None:
        return
    assert cols.size == p and np.unique(cols).size == p
    assert np.all(upper[cols] == 1.0) and set(np.flatnonzero(lower)) <= set(cols.tolist())
    value = float(w[a[:, cols].any(axis=1)].sum())
    assert value <= _plain_mclp(a, w, p, []) + 1e-6


@settings(max_examples=80, deadline=None)
@given(_coverage_instances(), seeds, st.sampled_from(["random", "beyond", "subgradient", "zero"]))
def test_mclp_rens__covered_rows__the_same_answer_when_it_beats_the_incumbent(
    instance, seed, multipliers
):
    """RENS with the rows every better solution covers (at the incumbent before it) in its
    sub-MILP: where RENS without them finds something better than that incumbent, RENS with
    them finds as good (the same LP, so the same neighbourhood); whatever it returns covers
    the rows and is k sites within the bounds."""
    a, w, p, _ = instance
    a = a.astype(bool)
    rng = np.random.default_rng(seed)
    m = a.shape[1]
    lower, upper = np.zeros(m), np.ones(m)
    order = rng.permutation(m)
    lower[order[: rng.integers(0, p + 1)]] = 1.0
    upper[order[m - rng.integers(0, m - p + 1) :]] = 0.0
    upper = np.maximum(upper, lower)
    if upper.sum() < p:
        upper[:] = 1.0
    lam = _random_multipliers(a, w, p, rng, multipliers)
    values = _subset_values(a, w, p)
    incumbent = list(values.values())[int(rng.integers(len(values)))]
    slack = 1.0 - 1e-6 if bool(np.all(w == np.round(w))) else 0.0
    cov = sparse.csr_matrix(a)
    covered = optimize._mclp_covered_rows(cov, w, p, lam, incumbent, slack)

    def value(cols):
        return float(w[a[:, cols].any(axis=1)].sum())

    plain = optimize._mclp_rens(cov, w, p, lower, upper, time_limit=10.0)
    rows = optimize._mclp_rens(cov, w, p, lower, upper, time_limit=10.0, covered=covered)
    if rows is not None:
        assert rows.size == p and np.unique(rows).size == p
        assert np.all(upper[rows] == 1.0) and set(np.flatnonzero(lower)) <= set(rows.tolist())
        assert a[covered][:, rows].any(axis=1).all()
    if plain is not None and value(plain) > incumbent + slack:
        assert rows is not None
        assert value(rows) == pytest.approx(value(plain), rel=1e-9, abs=1e-6)


def test_solve_mclp__rens_incumbent__feeds_the_milp_and_keeps_the_optimum(monkeypatch):
    # The branching instances above, with the RENS incumbent counted: it runs before the MILP
    # and the answer stays the plain model's optimum.
    calls = []
    real = optimize._mclp_rens

    def counting(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append(out)
        return out

    monkeypatch.setattr(optimize, "_mclp_rens", counting)
    for seed in range(12):
        dist, w = _instance(seed, n=60, m=30)
        covers = optimize.coverage_matrix(dist, 22.0)
        s = optimize.solve_mclp(covers, w, 6)
        assert s.objective == pytest.approx(_plain_mclp(covers.toarray(), w, 6, []))
        assert s.optimal
    assert calls and all(c is None or c.size == 6 for c in calls)


@pytest.mark.parametrize(("float32_from", "patience"), [(0, "LARGE_STALL"), (10**12, "STALL")])
def test_mclp_lagrangian__float32_models__step_halves_after_large_stall(
    float32_from, patience, monkeypatch
):
    """The large (float32) models wait LARGE_STALL steps without a better bound before
    halving the step; the others STALL."""
    made = []
    real = subgradient.Step

    def recording(**kwargs):
        made.append(kwargs.get("patience", subgradient.STALL))
        return real(**kwargs)

    monkeypatch.setattr(subgradient, "FLOAT32_MIN_PAIRS", float32_from)
    monkeypatch.setattr(subgradient, "Step", recording)
    dist, w = _instance(2, n=40, m=20)
    subgradient.mclp_lagrangian(
        optimize.coverage_matrix(dist, 25.0), w, 4, None, 0.0, time_limit=5.0, max_iter=3
    )
    assert made == [getattr(subgradient, patience)]
    step = real(patience=3)
    for _ in range(3):
        step.record(improved=False)
    assert step.mu == 1.0


@settings(max_examples=60, deadline=None)
@given(
    seeds,
    st.integers(min_value=1, max_value=4),
    st.sampled_from([1, 3, 20, 200]),
    st.booleans(),
    st.booleans(),
)
def test_pmedian_candidates__any_steps__keep_every_site_of_a_better_solution(
    seed, p, steps, dense, with_fixed
):
    """Reduced-cost fixing after any number of subgradient steps (dense or truncated pairs):
    the bound stays at or below the brute-force optimum, and every site of every solution
    cheaper than the incumbent stays open to the MILP, so the restricted MILP keeps the
    optimum."""
    dist, w = _instance(seed, n=10, m=8)
    fixed = np.asarray([0] if with_fixed and p > 1 else [], dtype=np.int64)
    incumbent = sorted(set(fixed.tolist()) | set(range(7, 7 - p, -1)))[:p]
    if len(incumbent) < p:
        incumbent = sorted(set(incumbent) | set(range(1, p + 1)))[:p]
    upper = heuristics.assignment_cost(dist, w, incumbent)
    lag = (
        subgradient.pmedian_lagrangian(
            dist,
            w,
            p,
            fixed,
            incumbent,
            upper,
            time_limit=60.0,
            truncation_min=1,
            truncation_factor=1.5,
            max_iter=steps,
        )
        if dense
        else _truncated_lagrangian(dist, w, p, fixed, incumbent, upper, steps)
    )
    best = _brute(dist, w, p, fixed.tolist(), lambda cols: float(w @ dist[:, cols].min(axis=1)))
    assert lag.bound <= best + 1e-6 * best
    kept = incumbent if lag.best_cols is None else lag.best_cols.tolist()
    sites = set(optimize._pmedian_candidates(lag, fixed, kept, lag.best_val, p, 8).tolist())
    assert set(fixed.tolist()) | set(kept) <= sites
    free = [j for j in range(8) if j not in fixed]
    for combo in itertools.combinations(free, p - fixed.size):
        cols = sorted(fixed.tolist() + list(combo))
        if float(w @ dist[:, cols].min(axis=1)) < lag.best_val * (1 - 1e-9):
            assert set(cols) <= sites


def _truncated_lagrangian(dist, w, p, fixed, incumbent, upper, steps):
    old = subgradient.PMEDIAN_DENSE_MAX
    subgradient.PMEDIAN_DENSE_MAX = 0
    try:
        return subgradient.pmedian_lagrangian(
            dist,
            w,
            p,
            fixed,
            incumbent,
            upper,
            time_limit=60.0,
            truncation_min=1,
            truncation_factor=1.5,
            max_iter=steps,
        )
    finally:
        subgradient.PMEDIAN_DENSE_MAX = old


def test_solve_pmedian__reduced_cost_fixing__milp_over_fewer_sites_same_optimum(monkeypatch):
    """A bound close to the optimum closes most sites before the MILP; the answer is still
    the brute-force optimum."""
    dist, w = _instance(11, n=40, m=14)
    seen = []
    real = optimize._solve_milp

    def spy(**kwargs):
        seen.append(sparse.csr_matrix(kwargs["matrix"])[-1].nnz)  # the row Σ x = p
        return real(**kwargs)

    real_lag = optimize._pmedian_lagrangian

    def short_lag(*args, **kwargs):
        out = real_lag(*args, **{**kwargs, "max_iter": 200})
        # Keep the bound (and its ρ) but below the incumbent, so the MILP still runs.
        return optimize._PmedianLagrangian(
            out.bound - 1e-4 * abs(out.bound), out.best_cols, out.best_val, False, out.rho
        )

    monkeypatch.setattr(optimize, "_pmedian_lagrangian", short_lag)
    monkeypatch.setattr(optimize, "_solve_milp", spy)
    s = optimize.solve_pmedian(dist, w, 2)
    best = _brute(dist, w, 2, [], lambda cols: float(w @ dist[:, cols].min(axis=1)))
    assert s.objective == pytest.approx(best, rel=1e-9) and s.optimal
    assert seen and seen[0] < 14  # the MILP's x columns: fewer than the sites
    assert len(s.chosen) == 2 and max(s.chosen) < 14


def _cover_points(seed: int, count: int = 120, radius: float = 16.0) -> sparse.csr_matrix:
    """Random points on a 100 × 100 square covering each other within ``radius``: set-covering
    cores left after the reductions, big enough to need branching."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, size=(count, 2))
    dist = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    return optimize.coverage_matrix(dist, radius)


@pytest.mark.parametrize("seed", range(4))
def test_solve_lscp__own_search__same_optimum_as_plain_model_and_highs(seed, monkeypatch):
    # The exact set cover is our branch and bound on the core (decision 0102); where one of its
    # LPs fails, HiGHS's MILP answers. Both must give the textbook model's optimum.
    covers = _cover_points(seed)
    plain = _plain_lscp(covers.toarray(), [])
    searches = []
    real = optimize._branch_and_bound

    def spy(**kwargs):
        out = real(**kwargs)
        searches.append(out)
        return out

    monkeypatch.setattr(optimize, "_branch_and_bound", spy)
    ours = optimize.solve_lscp(covers)
    assert len(searches) == 1 and searches[0] is not None
    assert ours.objective == plain and ours.optimal and ours.status == "Optimal"
    assert covers[:, list(ours.chosen)].toarray().any(axis=1).all()

    monkeypatch.setattr(optimize, "_branch_and_bound", lambda **kwargs: None)
    fallback = optimize.solve_lscp(covers)
    assert fallback.objective == plain and fallback.optimal
    assert covers[:, list(fallback.chosen)].toarray().any(axis=1).all()


def test_solve_lscp__own_search__time_limit_keeps_a_cover_and_a_valid_bound(monkeypatch):
    # A search stopped by its limit (here before its root) answers with its incumbent (a
    # cover) and the LP's bound, never an infinite one nor one above the optimum.
    from scipy.optimize import linprog

    covers = _cover_points(7, count=200, radius=14.0)
    plain = _plain_lscp(covers.toarray(), [])
    real = optimize._branch_and_bound
    monkeypatch.setattr(
        optimize, "_branch_and_bound", lambda **kwargs: real(**{**kwargs, "time_limit": 0.0})
    )
    s = optimize.solve_lscp(covers)
    a = covers.toarray().astype(float)
    lp = linprog(np.ones(a.shape[1]), A_ub=-a, b_ub=-np.ones(a.shape[0]), bounds=(0, 1)).fun
    assert np.ceil(lp - 1e-6) <= s.bound <= plain <= s.objective
    assert s.status == "Time limit reached" and not s.optimal
    assert covers[:, list(s.chosen)].toarray().any(axis=1).all()
