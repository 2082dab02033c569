"""Our own branch and bound around one warm-started HiGHS LP, for the maximal covering's MILP
once our {0,½}-cuts are in it (issue 18, decision 0089). Pure module (no Django).

Why not HiGHS's MILP there: how long HiGHS takes depends on the LP vertex the cuts were
separated at. On some vertices its root runs its separation loop to the cap of
2·√(binaries) rounds (~57 on ``mclp-R30-p100``: ~400 cuts a round to the pool, ~1 into
the LP, the bound nearly still; no option in HiGHS 1.16 lowers the cap or stops the loop,
and its interrupt callback ends the whole solve); on others it separates nothing. The same
model with cuts from four vertices took HiGHS 2.2–6.0 CPU s (seeds 0/1), this search
1.2–2.1 (decision 0089).

The search: best-bound order with plunging (after branching, the child on the side the LP
value rounds to is solved next, warm from the parent's basis; the other goes to the heap
with that basis), branching on the fractional integer column with the largest product of
pseudo-costs (down × up, per unit of fractionality; the average where a column has none
yet; seeded at the root by strong branching on the 20 columns nearest ½), reduced-cost fixing at every node against the incumbent (a nonbasic column at a bound
whose reduced cost exceeds the node's room stays there in the subtree). Exact: a node is
dropped only when its LP bound cannot reach the incumbent by the tolerance — 1 less a
rounding margin where every solution's value is an integer (``integral``), else
``mip_rel_gap`` × |incumbent| — the tolerance HiGHS uses for the same model. Each node's LP
is given that level as its cutoff (HiGHS's ``objective_bound``): the dual simplex stops as
soon as its dual objective shows the node below it, instead of solving the LP to the end
(decision 0098: a third of the nodes of ``mclp-R30-p100`` end so).
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable

import highspy
import numpy as np
import numpy.typing as npt
from scipy import sparse

from servicekontor.planning import highs
from servicekontor.planning.highs import MilpOutcome

FloatArray = npt.NDArray[np.float64]
# How a node came about: (the column branched on, 0 down / 1 up, its distance to the bound),
# None at the root; and the basis a node starts from (None: the solver's current one).
_Branched = tuple[int, int, float] | None
_Basis = highspy.HighsBasis | None

# A column counts as integral within this (HiGHS's mip_feasibility_tolerance).
INTEGRALITY = 1e-6
# The LP's own error on its objective, relative to the incumbent: with integral values a node
# is dropped when its bound is below the incumbent + 1 less this, otherwise below the
# incumbent + this (or + mip_rel_gap × |incumbent| where that is more).
LP_MARGIN = 1e-9
# HiGHS's status for an LP whose dual simplex stopped at the objective_bound option: its
# value is provably above that bound (as min −cost·x), so the node is below the level.
CUT_OFF = highspy.HighsModelStatus.kObjectiveBound
# Strong branching at the root (decision 0098): this many fractional columns, nearest ½
# first, each side by at most this many dual simplex iterations, seed the pseudo-costs.
ROOT_STRONG_BRANCHING = 20
STRONG_BRANCHING_ITERATIONS = 50
# Statuses, HiGHS's words (solve_mclp reads them the same way).
OPTIMAL = "Optimal"
TIME_LIMIT = "Time limit reached"
INTERRUPTED = "Interrupted by user"


def maximize(
    *,
    cost: FloatArray,
    matrix: sparse.csc_matrix,
    row_lower: FloatArray,
    row_upper: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
    integer: npt.NDArray[np.bool_],
    start: FloatArray,
    time_limit: float,
    mip_rel_gap: float,
    integral: bool,
    offset: float = 0.0,
    watch: highs.Watch | None = None,
    clock: Callable[[], float] = time.perf_counter,
    lp: highspy.Highs | None = None,
) -> MilpOutcome | None:
    """max cost·x + offset over the rows, x integer where ``integer``, from the feasible
    ``start`` (its value is the first incumbent). The outcome as highs.solve_milp gives it:
    the best x, its value, the proven bound (the incumbent when the tree is exhausted) and
    HiGHS's status words; ``watch(incumbent, bound)`` as there (at most every
    highs.WATCH_EVERY_SECONDS, and at each better solution; True stops). ``integral``: every
    solution's value is an integer (so a node whose bound is below the incumbent + 1 holds
    nothing better). ``lp``: a HiGHS already holding exactly this LP as min −cost·x (e.g.
    the one the cut rounds re-solved: its basis is the root's start); its column bounds are
    changed. Returns None when an LP ends neither optimal nor infeasible (the caller solves
    the MILP another way)."""
    started = clock()
    n = int(cost.size)
    cost = np.asarray(cost, dtype=np.float64)
    lower = np.asarray(col_lower, dtype=np.float64).copy()
    upper = np.asarray(col_upper, dtype=np.float64).copy()
    solver = lp or highs.lp_solver(
        cost=-cost,
        matrix=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
        col_lower=lower,
        col_upper=upper,
    )
    solver.setOptionValue("presolve", "off")
    if lp is not None:  # its bounds are the model's (the caller's contract); make sure
        solver.changeColsBounds(n, np.arange(n, dtype=np.int32), lower, upper)
    ints = np.flatnonzero(integer)
    now_lower, now_upper = lower.copy(), upper.copy()
    best_x = np.asarray(start, dtype=np.float64).copy()
    best = float(cost @ best_x) + offset

    def level() -> float:
        """Nodes whose bound is below this hold no solution better than the incumbent."""
        margin = LP_MARGIN * max(1.0, abs(best))
        return best + max(mip_rel_gap * abs(best), 1.0 - margin if integral else margin)

    def solve(lo: FloatArray, up: FloatArray, basis: _Basis) -> float | None:
        """The node's LP value (offset included), -inf when infeasible, None on failure."""
        changed = np.flatnonzero((lo != now_lower) | (up != now_upper)).astype(np.int32)
        if changed.size:
            solver.changeColsBounds(int(changed.size), changed, lo[changed], up[changed])
            now_lower[changed], now_upper[changed] = lo[changed], up[changed]
        if basis is not None:
            solver.setBasis(basis)
        # The cutoff: the dual simplex stops once its dual objective (a bound on the min
        # -cost·x, checked by HiGHS at the original costs) shows the node below the level.
        solver.setOptionValue("objective_bound", offset - level())
        solver.run()
        status = solver.getModelStatus()
        if status in (highspy.HighsModelStatus.kInfeasible, CUT_OFF):
            return -math.inf
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        return -float(solver.getInfo().objective_function_value) + offset

    # pseudo-costs: summed degradation per unit of fractionality, and counts; 0 down, 1 up
    pseudo = np.zeros((2, n))
    counts = np.zeros((2, n))

    def seed(x: FloatArray, value: float, candidates: npt.NDArray[np.int64]) -> None:
        """Strong branching at the root, for pseudo-costs only: each side of the
        ROOT_STRONG_BRANCHING fractional columns nearest ½, by at most
        STRONG_BRANCHING_ITERATIONS dual simplex iterations from the root's basis (the
        objective then is the dual simplex's, an estimate). The solver's bounds and basis
        are restored; nothing is pruned or fixed here."""
        root_basis = solver.getBasis()
        _, limit = solver.getOptionValue("simplex_iteration_limit")
        solver.setOptionValue("simplex_iteration_limit", STRONG_BRANCHING_ITERATIONS)
        nearest = np.abs(x[candidates] - np.floor(x[candidates]) - 0.5)
        for col in candidates[np.argsort(nearest, kind="stable")[:ROOT_STRONG_BRANCHING]]:
            xj, low, high = float(x[col]), float(now_lower[col]), float(now_upper[col])
            for side, (a, b), distance in (
                (0, (low, math.floor(xj)), xj - math.floor(xj)),
                (1, (math.ceil(xj), high), math.ceil(xj) - xj),
            ):
                solver.changeColBounds(int(col), a, b)
                solver.run()
                if solver.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
                    estimate = level() - 1.0
                else:
                    estimate = -float(solver.getInfo().objective_function_value) + offset
                pseudo[side, col] += (value - min(estimate, value)) / max(distance, INTEGRALITY)
                counts[side, col] += 1
                solver.changeColBounds(int(col), low, high)
                solver.setBasis(root_basis)
        solver.setOptionValue("simplex_iteration_limit", limit)

    order = itertools.count()
    # heap entries: (-bound, tie, lower, upper, parent value, (column, side, distance), basis)
    heap: list[tuple[float, int, FloatArray, FloatArray, float, _Branched, _Basis]] = []
    pending: tuple[FloatArray, FloatArray, float, _Branched, _Basis] | None
    pending = (lower, upper, math.inf, None, None)
    last_watch = -math.inf
    lo: FloatArray
    up: FloatArray
    parent: float
    branched: _Branched
    basis: _Basis

    def open_bound() -> float:
        top = -heap[0][0] if heap else -math.inf
        return max(top, pending[2] if pending is not None else -math.inf, best)

    try:
        while True:
            if watch is not None and clock() - last_watch >= highs.WATCH_EVERY_SECONDS:
                last_watch = clock()
                if watch(best, open_bound()):
                    return MilpOutcome(best_x, best, open_bound(), INTERRUPTED)
            if clock() - started > time_limit:
                return MilpOutcome(best_x, best, open_bound(), TIME_LIMIT)
            if pending is None:
                while heap and -heap[0][0] < level():
                    heapq.heappop(heap)
                if not heap:
                    break
                _, _, lo, up, parent, branched, basis = heapq.heappop(heap)
            else:
                lo, up, parent, branched, basis = pending
                pending = None
                if parent < level():
                    continue
            value = solve(lo, up, basis)
            if value is None:
                return None
            if branched is not None and math.isfinite(value):
                col, side, distance = branched
                pseudo[side, col] += (parent - value) / max(distance, INTEGRALITY)
                counts[side, col] += 1
            if value < level():
                continue
            solution = solver.getSolution()
            x = np.asarray(solution.col_value, dtype=np.float64)
            frac = x[ints] - np.floor(x[ints])
            fractional = (frac > INTEGRALITY) & (frac < 1.0 - INTEGRALITY)
            if not fractional.any():
                if value > best:
                    best, best_x = value, x
                    if watch is not None and watch(best, open_bound()):
                        return MilpOutcome(best_x, best, open_bound(), INTERRUPTED)
                continue
            # Reduced-cost fixing in this subtree (the solver minimises -cost: a column at its
            # lower bound with reduced cost d > 0 loses d a unit if raised, at its upper bound
            # with d < 0 loses -d if lowered).
            dual = np.asarray(solution.col_dual, dtype=np.float64)[ints]
            room = value - level()
            lo, up = lo.copy(), up.copy()
            at_lower = (x[ints] <= lo[ints] + INTEGRALITY) & (dual > room)
            at_upper = (x[ints] >= up[ints] - INTEGRALITY) & (-dual > room)
            up[ints[at_lower]] = lo[ints[at_lower]]
            lo[ints[at_upper]] = up[ints[at_upper]]
            if branched is None and ROOT_STRONG_BRANCHING:  # the root (nothing seeded yet)
                seed(x, value, ints[fractional])
            col = _branch_column(ints[fractional], frac[fractional], pseudo, counts)
            xj = float(x[col])
            down_up = up.copy()
            down_up[col] = math.floor(xj)
            up_lo = lo.copy()
            up_lo[col] = math.ceil(xj)
            down = (lo, down_up, value, (col, 0, xj - math.floor(xj)))
            rise = (up_lo, up, value, (col, 1, math.ceil(xj) - xj))
            first, second = (rise, down) if xj - math.floor(xj) >= 0.5 else (down, rise)
            basis = solver.getBasis()
            heapq.heappush(heap, (-value, next(order), *second, basis))
            pending = (*first, None)
        return MilpOutcome(best_x, best, best, OPTIMAL)
    finally:  # the caller's HiGHS (``lp``) is left without the last node's cutoff
        solver.setOptionValue("objective_bound", math.inf)


def _branch_column(
    candidates: npt.NDArray[np.int64],
    frac: FloatArray,
    pseudo: FloatArray,
    counts: FloatArray,
) -> int:
    """The candidate with the largest product of its estimated losses down and up (its
    pseudo-cost × the distance to the bound; the average pseudo-cost of the columns that
    have one where it has none yet, 1 before any)."""
    estimates = []
    for side, distance in ((0, frac), (1, 1.0 - frac)):
        known = counts[side] > 0
        average = float((pseudo[side, known] / counts[side, known]).mean()) if known.any() else 1.0
        per_unit = np.where(
            counts[side, candidates] > 0,
            pseudo[side, candidates] / np.maximum(counts[side, candidates], 1.0),
            average,
        )
        estimates.append(np.maximum(per_unit * distance, 1e-6))
    return int(candidates[np.argmax(estimates[0] * estimates[1])])
