"""Exact location models solved with HiGHS (highspy): maximal covering, set covering, p-median.

Pure module (no Django): arrays in, :class:`Solution` out. Every solve reports the best
objective found, the solver's proven bound and the relative gap between them.

Formulations (docs/planning.md explains the choices):

* **MCLP** (Church & ReVelle 1974) on the sparse coverage matrix: only (demand, site) pairs
  within R exist. Demand already covered by fixed (existing) sites is dropped and demand
  rows with identical coverage sets are merged before the model is built.
* **LSCP** (Toregas et al. 1971): minimise open sites so every coverable demand has one
  within R; rows covered by fixed sites are dropped.
* **p-median** in the radius formulation (Elloumi 2010; García, Labbé & Marín 2011): for
  demand i with candidate distances sorted d_i1 <= d_i2 <= …, y_ik = 1 when none of the k
  nearest sites is open. Cost = sum_i w_i (d_i1 + sum_k (d_i,k+1 − d_ik) y_ik), chained
  ``y_ik >= y_i,k−1 − x_(ik)``, so each (i, j) pair is one nonzero instead of the classic
  model's n·m assignment variables. Rows are truncated to the sites nearer than the
  heuristic's distance: a relaxation (a lower bound). When the optimum of the truncated
  model serves everyone within its truncation it is optimal for the full model; otherwise
  the offending rows get longer and the model is solved again. Before any of that, a Lagrangian
  bound (Beasley 1993) is computed by subgradient steps; on the Swedish localities it meets the
  greedy + interchange incumbent, or one of its own steps' solutions, and proves the answer
  without the MILP.

Every solver takes ``exact=False`` for the instant answer: the heuristic's sites with the
cheap bound (Lagrangian, or the LP relaxation for set covering), so the gap is known.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from servicekontor.planning import branch, cuts, heuristics, highs, subgradient
from servicekontor.planning.highs import HIGHS_OPTIONS, MilpOutcome

__all__ = [
    "HIGHS_OPTIONS",
    "Progress",
    "Solution",
    "coverage_matrix",
    "solve_lscp",
    "solve_mclp",
    "solve_pmedian",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

logger = logging.getLogger(__name__)

# Initial truncation of the p-median rows and their growth per round (see solve_pmedian).
TRUNCATION_FACTOR = 3.0
TRUNCATION_MIN = 20
GROWTH = 4
PMEDIAN_PRESOLVE = False
# Distances closer than this form one level (avoids near-zero costs that slow the simplex).
GROUP_TOLERANCE_KM = 1e-6
# The most CPU seconds a p-median Lagrangian bound may take (it usually stops sooner,
# converged; and after a quarter of the time limit in wall seconds). CPU, not wall: on a
# loaded machine 5 wall seconds were a fraction of the steps the bound needs.
BOUND_SECONDS = 5.0
# {0,½}-cuts before the LSCP core's MILP (decision 0061): rounds, and the rule's threshold (a
# core whose LP is at most this far below the next whole number gets them).
ZERO_HALF_ROUNDS = 3
ZERO_HALF_MAX_ROUND_UP = 0.3
# {0,½}-cuts before the MCLP's MILP (decision 0070): at most this many rounds (each until a
# round finds none), kept when they close at least this share of the gap between the LP and
# the incumbent.
MCLP_ZERO_HALF_ROUNDS = 30
MCLP_ZERO_HALF_MIN_CLOSED = 0.2
# Before RENS (decision 0089): the rounds at the incumbent so far, and where they find cuts
# closing at least this share of the gap between the LP and that incumbent, our branch and
# bound from there, RENS skipped; elsewhere RENS and HiGHS's MILP without cuts (on the grid
# the rule above dropped them on every such cell: R50-p50 12 %, R50-p20 8 %, R20-p150 9 %),
# and the rule above only where the first rounds could not run.
MCLP_BRANCH_MIN_CLOSED = 0.05
# Options for the MCLP's and the LSCP's MILP (exactness does not depend on them). Measured on
# the Swedish instance (1,323 localities, one thread, solve_mclp from its own greedy +
# interchange):
#   R km / p       25/100  25/120  15/100  40/50  25/150  30/100
#   HiGHS defaults  ~10.4 s (25/100 only)
#   no restarts, no strong-branching reliability
#                    6.3    10.1    0.33   23.5    5.5    29.8
#   ... and no sub-MIP heuristics (RINS, RENS, root reduced cost, feasibility jump)
#                    3.8     6.6    0.28   14.9    3.5    10.6
# Restarts redo presolve and cuts for little here; strong branching costs more than it saves
# on the 0.03 % root gap; the sub-MIP heuristics spend seconds re-finding what branching on
# the tiny gap finds anyway (handed the optimum, HiGHS proves it in 0.45 s without them and
# 1.8 s with them).
# The set-covering core (solve_lscp, after _reduce_cover) gains the same way. Measured on the
# Swedish cores (load 9–22, CPU seconds, one thread; defaults → these options):
#   R km (core rows × sites)   30 (431 × 450)          40 (461 × 491)   50 (487 × 508)
#   defaults → these options   16.7 → 7.6–19.6 (seeds)  5.8 → 0.43       7.1 → 0.7–2.0
# R = 30 km stays branch and bound: 2,325 nodes from a root bound of 59.17 (after cuts) to
# the optimum 61 (+ 76 forced sites), whatever the start (handed the optimum: the same).
COVERING_HIGHS_OPTIONS: dict[str, bool | float | str] = {
    "mip_allow_restart": False,
    "mip_pscost_minreliable": 0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
}
# Both covering MILPs, measured apart on two branches the same morning, gain from one more
# option: no cut separation at the branch-and-bound nodes (root cuts stay).
# The LSCP (solve_lscp): its slow
# case is a proof, not a search: the R = 30 km core (431 rows × 450 sites, LP 58.80, optimum
# 61) needs a few hundred nodes whatever the start (handed the optimum: the same or slower),
# and the cuts separated at every node cost more than they prune. HiGHS on the core, CPU s,
# one thread, from the greedy cover, random seeds 0, 1, 2, ... at a load of 1–5 (decision 0041):
#   R km (core rows × sites)   covering options                no node cuts as well
#   30 (431 × 450)             3.51 3.22 2.72 2.99             2.83 2.08 2.17 2.50 2.03 2.16
#                              (again: 3.87 3.65 3.06)
#   35 (422 × 447)             1.17 1.12 0.59                  1.13 1.13 0.60
#   40 (461 × 491)             0.25 0.26 0.30                  0.25 0.26 0.31
#   50 (487 × 508)             0.56 0.73 0.63                  0.56 0.72 0.62
# The maximal covering's MILP (_mclp_milp, the RENS sub-MILP included): the covering options
# and no cut separation at the branch-and-bound nodes (cuts stay at the root). Its proofs are
# hundreds to thousands of nodes over a 0.02–0.06 % root gap; node cuts cost more there than
# they save. The MILP alone, from the RENS incumbent, CPU s / nodes, HiGHS seeds 0, 1 (, 2)
# (decision 0040; 0033 saw the same on 30/100 over three seeds):
#   R km / p     covering options             + no node cuts
#   30/100       11.9 / 693, 11.5 / 844,      8.0 / 770, 7.6 / 907,
#                13.4 / 724                   7.3 / 696
#   40/50        7.7 / 237, 8.4 / 270         5.1 / 253, 6.4 / 283
#   50/50        31.0 / 1,567, 56.1 / 2,783   27.3 / 2,276, 39.0 / 3,368
COVERING_MILP_HIGHS_OPTIONS: dict[str, bool | float | str] = {
    **COVERING_HIGHS_OPTIONS,
    "mip_allow_cut_separation_at_nodes": False,
}
# The MCLP's MILP where our {0,½}-cuts are kept: HiGHS's root then runs to its cap of
# 2·√(binaries) separation rounds (~57), each adding ~400 cuts to the pool of which ~1
# enters the LP; a pool of at most 500 makes the rounds and the nodes cheaper (decision
# 0077: mclp-R30-p100 21.1 / 21.7 → 14.3 / 15.6 CPU s, mclp-R40-p50 13.2 / 14.0 → 9.5 /
# 10.4). Not where the cuts are dropped (mclp-R50-p50 31.9 / 37.3 → 40.0 / 40.1) nor for
# the set covering (lscp-R30 3.8 / 4.1 → 4.1 / 4.9).
MCLP_CUT_MILP_HIGHS_OPTIONS: dict[str, bool | float | str] = {
    **COVERING_MILP_HIGHS_OPTIONS,
    "mip_pool_soft_limit": 500,
}
# The RENS sub-MILP (_mclp_rens): its root runs HiGHS's separation loop to the cap too
# (mclp-R30-p100: ~30 rounds, three quarters of its 1.4 CPU s); a pool of at most 100 cuts
# halves it. The dumped sub-MILPs, CPU s, HiGHS seeds 0 / 1 (decision 0089): R30-p100
# 1.42 / 1.51 → 0.69 / 0.87, R50-p50 3.28 / 4.62 → 3.12 / 2.51, R40-p50 1.91 / 2.65 →
# 1.80 / 2.43, R50-p20 0.07 / 0.06 → 0.07 / 0.06; the same answers (each its optimum).
MCLP_RENS_HIGHS_OPTIONS: dict[str, bool | float | str] = {
    **COVERING_MILP_HIGHS_OPTIONS,
    "mip_pool_soft_limit": 100,
}

# Column dominance compares every pair of sites that share a demand row: Σ_rows degree² work.
# Above this (the 100,000 × 10,000 scaling instance: ~1e9, 75 s) it is skipped; the model
# stays exact, only larger.
DOMINANCE_MAX_WORK = 5e7
# Greedy set cover as a test for "p sites can cover everyone" only below this many pairs.
FULL_COVER_MAX_PAIRS = 2_000_000
# Maximal covering: no MILP above this many (merged) pairs; the Lagrangian bound gets its time.
# On 100,000 × 10,000 (9.0 M pairs) with a 60 s limit the MILP never returned anything and
# overran the limit: 20 s to build and pass the model, then 93 s in HiGHS (presolve and the
# root LP do not stop at the limit), 123 of the solve's 185 s wall at a load of 14, while
# the bound had had 22 s (cProfile). On 30,000 × 3,000 (0.6 M pairs; HiGHS's interior point
# needs 15.5 CPU s for the LP alone) at a load of 18: with the MILP gap 4.49 %, 73.2 s wall;
# without it 2.02 %, 60.8 s (docs/benchmarks.md, "Scaling").
MILP_MAX_PAIRS = 500_000
# Above MILP_MAX_PAIRS: the Lagrangian bound's share of the time limit; then the interchange
# from its best multipliers' sites and iterated local search (heuristics.
# cover_iterated_local_search, moving k / LOCAL_SEARCH_KICK_PER sites a round) share the rest.
LARGE_BOUND_SHARE = 0.75
LOCAL_SEARCH_KICK_PER = 32

# The HiGHS wrapper (highs.py) and the subgradient bounds (subgradient.py) under the names the
# solvers call them by: module attributes, so a test can replace one for a solver.
_solve_milp = highs.solve_milp
# Our branch and bound where the MCLP's MILP has our {0,½}-cuts (decision 0089); tests wrap it.
_branch_and_bound = branch.maximize
_mclp_lagrangian = subgradient.mclp_lagrangian
_mclp_pdhg = subgradient.mclp_pdhg
_pmedian_lagrangian = subgradient.pmedian_lagrangian
_PmedianLagrangian = subgradient.PmedianLagrangian


@dataclass(frozen=True)
class Solution:
    problem: str  # "mclp", "lscp", "pmedian"
    chosen: tuple[int, ...]  # open site indices (fixed ones included), sorted
    objective: float  # covered weight (mclp), open sites (lscp), weighted distance (pmedian)
    bound: float  # proven bound on the optimum (upper for mclp, lower otherwise)
    seconds: float
    method: str  # "highs" or "heuristic"
    heuristic_objective: float | None = None
    status: str = ""
    uncoverable: tuple[int, ...] = field(default=())  # demand rows no site can cover (lscp)
    rounds: int = 1

    @property
    def gap(self) -> float:
        """Relative gap |objective − bound| / |objective| (0 when proven optimal)."""
        if self.objective == self.bound:
            return 0.0
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-12)

    @property
    def optimal(self) -> bool:
        return self.gap <= 1e-6

    @property
    def heuristic_gap(self) -> float | None:
        if self.heuristic_objective is None:
            return None
        return abs(self.heuristic_objective - self.bound) / max(
            abs(self.heuristic_objective), 1e-12
        )


@dataclass(frozen=True)
class Progress:
    """A solve's state as it improves, for the caller's ``progress`` callback (the planning
    page shows it): the best objective found so far and the proven bound, in the problem's
    units (covered weight, open sites, weighted distance; fixed sites included)."""

    problem: str  # "mclp", "lscp", "pmedian"
    incumbent: float  # nan before the first solution
    bound: float  # upper for mclp, lower otherwise; ±inf before the first bound
    seconds: float
    stage: str  # "heuristic", "Lagrangian bound", "LP bound", "branch and bound"

    @property
    def gap(self) -> float | None:
        if not (math.isfinite(self.incumbent) and math.isfinite(self.bound)):
            return None
        return abs(self.incumbent - self.bound) / max(abs(self.incumbent), 1e-12)


# progress(state) -> True to stop: the solve returns its best solution so far, status "Stopped".
ProgressCallback = Callable[[Progress], bool]
STOPPED = "Stopped"


class _Reporter:
    """Turns a model's (incumbent, bound) into Progress for the caller and remembers a stop."""

    def __init__(
        self, problem: str, progress: ProgressCallback | None, started: float, offset: float = 0.0
    ) -> None:
        self.problem, self.progress, self.started, self.offset = problem, progress, started, offset
        self.stopped = False
        self.stage = "heuristic"

    def __call__(self, incumbent: float, bound: float) -> bool:
        if self.progress is None or self.stopped:
            return self.stopped
        self.stopped = bool(
            self.progress(
                Progress(
                    self.problem,
                    incumbent + self.offset if math.isfinite(incumbent) else math.nan,
                    bound + self.offset,
                    time.perf_counter() - self.started,
                    self.stage,
                )
            )
        )
        return self.stopped

    def at(self, stage: str) -> _Reporter:
        self.stage = stage
        return self


def _as_fixed(fixed: Iterable[int], m: int) -> IntArray:
    arr = np.unique(np.fromiter(fixed, dtype=np.int64))
    if arr.size and (arr[0] < 0 or arr[-1] >= m):
        raise ValueError("fixed site index out of range")
    return arr


def coverage_matrix(distance: FloatArray, radius: float) -> sparse.csr_matrix:
    """Boolean n × m sparse matrix: demand i is within ``radius`` of site j."""
    return sparse.csr_matrix(np.asarray(distance) <= radius)


# ------------------------------------------------------------------ maximal covering (MCLP)


def solve_mclp(
    covers: sparse.spmatrix,
    weights: Sequence[float] | FloatArray,
    p: int,
    *,
    fixed: Iterable[int] = (),
    start: Iterable[int] | None = None,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-9,
    exact: bool = True,
    progress: ProgressCallback | None = None,
    offset: float = 0.0,
    clock: Callable[[], float] = time.perf_counter,
) -> Solution:
    """Open ``p`` sites in total (``fixed`` ones included) to maximise the covered weight.

    ``offset`` is a constant added to every figure reported (incumbent, bound, objective):
    the weight counted whatever the sites (e.g. outreach stops' expected coverage, see
    ``plans.covered_population``), so the figures are in the caller's measure.

    Steps, each on the reduced model (see the module docstring): greedy + interchange (or the
    caller's ``start`` when it is better) for an incumbent; when a greedy set cover needs at
    most the sites left, everyone coverable is covered and that is the optimum; the Lagrangian
    bound, which alone proves many instances and fixes sites by reduced cost (above
    MILP_MAX_PAIRS at multipliers from PDHG steps on the LP, ``subgradient.mclp_pdhg``);
    interchange from the k best sites at the best multipliers (above MILP_MAX_PAIRS: the k
    largest of the PDHG's fractional sites) for a better incumbent, which may close the gap;
    then the MILP from the incumbent (up to MILP_MAX_PAIRS merged pairs): {0,½}-cuts on its LP
    and, where they close enough of the gap, our branch and bound (branch.maximize); else
    RENS's incumbent and HiGHS (decision 0089). ``exact=False`` stops before the MILP: the
    instant answer, with the Lagrangian bound. ``progress`` is told the
    incumbent and the bound as they improve; when it returns True the best solution so far is
    returned (status "Stopped"). Raises ValueError when p is below the fixed sites or above the
    sites. ``clock`` is what ``time_limit`` counts: wall seconds by default, CPU seconds with
    time.process_time (benchmarks on a shared machine); HiGHS's own limit stays wall-clock.
    """
    started = time.perf_counter()
    began = clock()
    csr = sparse.csr_matrix(covers, dtype=bool)
    csr.eliminate_zeros()
    w = np.asarray(weights, dtype=np.float64)
    n, m = csr.shape
    fixed_arr = _as_fixed(fixed, m)
    if p < fixed_arr.size or p > m:
        raise ValueError("p must be between the number of fixed sites and the number of sites")
    is_fixed = np.zeros(m, dtype=bool)
    is_fixed[fixed_arr] = True
    covered_fixed = (
        np.asarray(csr[:, fixed_arr].sum(axis=1)).ravel() > 0
        if fixed_arr.size
        else np.zeros(n, dtype=bool)
    )
    base = float(w[covered_fixed].sum()) + offset
    report = _Reporter("mclp", progress, started, base)
    free_sites = np.flatnonzero(~is_fixed)
    k = p - fixed_arr.size
    sub = csr[~covered_fixed][:, free_sites]
    sub_w = w[~covered_fixed]
    keep = (np.asarray(sub.sum(axis=1)).ravel() > 0) & (sub_w > 0)
    sub, sub_w = sub[keep], sub_w[keep]
    if k == 0 or sub.shape[0] == 0:
        chosen = tuple(sorted(fixed_arr.tolist() + free_sites[:k].tolist()))
        total = base + (
            float(sub_w[np.asarray(sub[:, :k].sum(axis=1)).ravel() > 0].sum()) if k else 0.0
        )
        return Solution("mclp", chosen, total, total, time.perf_counter() - started, "highs")
    gcov, gw = _merge_rows(sparse.csr_matrix(sub), sub_w)
    g = gw.size
    # Drop dominated sites (coverage set inside another site's): swapping one for its
    # dominator never loses coverage, so an optimum exists without them.
    work = float(np.square(np.diff(gcov.indptr).astype(np.float64)).sum())
    undominated, representative = (
        _undominated_columns(gcov)
        if work <= DOMINANCE_MAX_WORK
        else (np.arange(free_sites.size), np.arange(free_sites.size))
    )
    if undominated.size >= k:
        column_of = np.full(free_sites.size, -1, dtype=np.int64)
        column_of[undominated] = np.arange(undominated.size)
        start_cols = _start_columns(start, free_sites, column_of[representative])
        gcov = sparse.csr_matrix(gcov[:, undominated])
        free_sites = free_sites[undominated]
    else:
        start_cols = _start_columns(start, free_sites, np.arange(free_sites.size))
    nf = free_sites.size
    integral = bool(np.all(gw == np.round(gw)))
    slack = 1.0 - 1e-6 if integral else 0.0  # an integer objective cannot improve by < 1

    def value(cols: IntArray) -> float:
        return float(gw[np.asarray(gcov[:, cols].sum(axis=1)).ravel() > 0].sum())

    def proven(upper: float, best: float) -> bool:
        return upper - best <= max(mip_rel_gap * abs(best), slack, 1e-9)

    total = float(gw.sum())  # every row covered: no solution covers more
    # Incumbent: greedy + interchange on the reduced model, or the caller's start if better.
    large = gcov.nnz > MILP_MAX_PAIRS  # no MILP: the Lagrangian bound gets the time
    h = heuristics.greedy_interchange_cover(
        gcov, gw, k, time_limit=time_limit / 10, batch=large, clock=clock
    )
    best_cols, best_val = np.asarray(h.chosen, dtype=np.int64), h.objective
    if not proven(total, best_val) and gcov.nnz <= FULL_COVER_MAX_PAIRS:
        cover = np.asarray(heuristics.greedy_cover(gcov), dtype=np.int64)
        if cover.size <= k:  # k sites can cover every row: fill up with the heuristic's
            extra = np.setdiff1d(best_cols, cover)[: k - cover.size]
            best_cols, best_val = np.sort(np.concatenate([cover, extra])), total
    if start_cols is not None:
        # Two start sites may share a dominator: fill up with the heuristic's sites.
        extra = np.setdiff1d(best_cols, start_cols)[: max(0, k - start_cols.size)]
        start_cols = np.sort(np.concatenate([start_cols, extra]))
        start_val = value(start_cols) if start_cols.size == k else -np.inf
        if start_val > best_val:
            best_cols, best_val = start_cols, start_val
    report.at("heuristic")(best_val, total)
    if proven(total, best_val):
        lag = subgradient.MclpLagrangian(total, np.zeros(nf), best_cols, best_val)
    else:
        # On models too large for the MILP to help within the limit (see MILP_MAX_PAIRS) the
        # bound gets all the time but the last interchange's tenth.
        share = LARGE_BOUND_SHARE if large else 1 / 3
        # Above MILP_MAX_PAIRS the LP's saddle point by PDHG (decision 0042): on 100,000 ×
        # 10,000 within 0.1 % of the LP in 8 CPU s, where the subgradient needed over 200.
        bound_limit = max(0.0, share * time_limit - (clock() - began))
        watch = report.at("Lagrangian bound")
        if large:
            lag = _mclp_pdhg(
                gcov,
                gw,
                k,
                best_cols,
                best_val,
                time_limit=bound_limit,
                watch=watch,
                done=proven,
                clock=clock,
            )
        else:
            lag = _mclp_lagrangian(
                gcov,
                gw,
                k,
                best_cols,
                best_val,
                time_limit=bound_limit,
                watch=watch,
                clock=clock,
            )
    assert lag.best_cols is not None
    best_cols, best_val = lag.best_cols, lag.best_val
    upper = min(lag.upper, total)
    if not proven(upper, best_val) and not report.stopped:
        # Interchange again from the k best sites at the best multipliers: a better local
        # optimum than the greedy's on every instance measured (Swedish R/p 25/100: gap
        # 0.30 → 0.10 %; synthetic 10,000 × 1,000: 1.6 → 0.5 %), which with a 1 % gap asked
        # often proves the answer without the MILP (it did not make HiGHS faster).
        top = np.argsort(-lag.scores, kind="stable")[:k]
        if large and lag.primal is not None:
            # From the PDHG's fractional sites instead: on 100,000 × 10,000 15,729,777 after
            # 1.6 CPU s of interchange, against 15,686,705 after 24 s from the scores.
            top = np.argsort(-lag.primal, kind="stable")[:k]
        if large:
            swapped, _, swapped_val = heuristics.cover_interchange_batch(
                gcov, gw, top, time_limit=max(0.0, time_limit / 10), clock=clock
            )
        else:
            swapped, _, swapped_val = heuristics.cover_interchange(
                gcov, gw, top, time_limit=max(0.0, time_limit / 10)
            )
        if swapped_val > best_val:
            best_cols, best_val = np.asarray(swapped, dtype=np.int64), swapped_val
            report(best_val, upper)
    if large and not proven(upper, best_val) and not report.stopped:
        # What is left of the limit: iterated local search from the best sites so far.
        searched, searched_val = heuristics.cover_iterated_local_search(
            gcov,
            gw,
            best_cols,
            kick=max(1, round(k / LOCAL_SEARCH_KICK_PER)),
            time_limit=max(0.0, time_limit - (clock() - began)),
            clock=clock,
            watch=lambda found: report(found, upper) or proven(upper, found),
        )
        if searched_val > best_val:
            best_cols, best_val = np.asarray(searched, dtype=np.int64), searched_val
    status = "Optimal" if proven(total, best_val) else "Lagrangian bound"
    if report.stopped and not proven(upper, best_val):
        status = STOPPED
    elif not exact and not proven(upper, best_val):
        status = "Heuristic, Lagrangian bound"
    elif not proven(upper, best_val) and large:
        status = "Time limit reached"  # the Lagrangian bound had the time the MILP would need
    elif not proven(upper, best_val):
        # Reduced-cost fixing (see _mclp_fixings), at the bound's own multipliers.
        col_lower, col_upper = _mclp_fixings(lag.scores, lag.upper, k, best_val, slack)
        logger.debug(
            "mclp: bound %s incumbent %s fixed %s of %s sites, %s rows, %.2f s",
            upper,
            best_val,
            int((col_upper == 0).sum() + (col_lower == 1).sum()),
            nf,
            g,
            time.perf_counter() - started,
        )
        # First without RENS (decision 0089): the {0,½}-rounds from the incumbent so far and,
        # where they find cuts, our branch and bound on their LP; RENS only where not.
        out: MilpOutcome | None = None
        tried = False  # the rounds ran (or could not) before RENS: not again after it
        first = np.zeros(nf)
        first[best_cols] = 1.0
        if (
            not report.stopped
            and lag.multipliers is not None
            and np.all(first >= col_lower)
            and np.all(first <= col_upper)
        ):
            tried = True
            try:
                out = _mclp_milp(
                    gcov,
                    gw,
                    k,
                    col_lower=col_lower,
                    col_upper=col_upper,
                    start=first,
                    time_limit=max(1.0, time_limit - (time.perf_counter() - started)),
                    mip_rel_gap=mip_rel_gap,
                    watch=_milp_watch(
                        report.at("branch and bound"), best_val, upper, maximize=True
                    ),
                    covered=_mclp_covered_rows(gcov, gw, k, lag.multipliers, best_val, slack),
                    zero_half=MCLP_ZERO_HALF_ROUNDS,
                    min_closed=MCLP_BRANCH_MIN_CLOSED,
                    only_branch=True,
                )
            except _NotBranched:
                out = None
        if out is None:
            # the LP-rounding (RENS) incumbent: only where the MILP runs (up to MILP_MAX_PAIRS);
            # its sub-MILP covers the rows every solution better than the incumbent before it
            # covers (the sub-MILP's answer is only used when it is better).
            if not report.stopped:
                rens = _mclp_rens(
                    gcov,
                    gw,
                    k,
                    col_lower,
                    col_upper,
                    time_limit=max(0.0, time_limit / 10),
                    covered=(
                        _mclp_covered_rows(gcov, gw, k, lag.multipliers, best_val, slack)
                        if lag.multipliers is not None
                        else None
                    ),
                )
                if rens is not None and value(rens) > best_val:
                    best_cols, best_val = rens, value(rens)
                    report(best_val, upper)
            x0 = np.zeros(nf)
            x0[best_cols] = 1.0
            warm = x0 if np.all(x0 >= col_lower) and np.all(x0 <= col_upper) else None
            # Rows every better solution covers, at the bound's multipliers and the incumbent
            # after RENS (decision 0047): covering rows in the MILP.
            covered = (
                _mclp_covered_rows(gcov, gw, k, lag.multipliers, best_val, slack)
                if lag.multipliers is not None
                else None
            )
            try:
                out = _mclp_milp(
                    gcov,
                    gw,
                    k,
                    col_lower=col_lower,
                    col_upper=col_upper,
                    start=warm,
                    time_limit=max(1.0, time_limit - (time.perf_counter() - started)),
                    mip_rel_gap=mip_rel_gap,
                    watch=_milp_watch(
                        report.at("branch and bound"), best_val, upper, maximize=True
                    ),
                    covered=covered,
                    zero_half=0 if tried else MCLP_ZERO_HALF_ROUNDS,
                )
            except RuntimeError as error:  # no solution of its own: keep the incumbent
                out = None
                status = STOPPED if report.stopped else "Time limit reached"
                if "(Infeasible)" in str(error):
                    # Proven: no solution within the fixings, so none better than the incumbent.
                    upper, status = best_val, "Optimal"
        if out is not None:
            status = STOPPED if report.stopped else out.status
            cols = np.flatnonzero(out.x[:nf] > 0.5)
            if value(cols) > best_val:
                best_cols, best_val = cols, value(cols)
            # Solutions outside the fixings are no better than the incumbent.
            upper = min(upper, max(out.bound, best_val))
    chosen = tuple(sorted(fixed_arr.tolist() + free_sites[best_cols].tolist()))
    covered = np.asarray(csr[:, list(chosen)].sum(axis=1)).ravel() > 0
    objective = float(w[covered].sum()) + offset
    return Solution(
        "mclp",
        chosen,
        objective,
        max(objective, base + upper),
        time.perf_counter() - started,
        "highs" if exact else "heuristic",
        heuristic_objective=base + h.objective,
        status=status,
    )


def _mclp_fixings(
    scores: FloatArray, bound: float, k: int, incumbent: float, slack: float
) -> tuple[FloatArray, FloatArray]:
    """Lagrangian reduced-cost fixing for the maximal covering (Galvão & ReVelle 1996; the
    argument of Beasley 1993 for the p-median): column bounds (lower, upper) over the sites
    that exclude no solution strictly better than ``incumbent``.

    ``scores``: s_j = Σ_{i∈N_j} λ_i per site at multipliers λ whose Lagrangian value is
    ``bound`` = L(λ) = Σ_i max(0, w_i − λ_i) + (sum of the k largest s_j) (as returned by
    subgradient.mclp_lagrangian); 1 <= k <= sites. With x_j forced to 1, the relaxation
    takes s_j and the k − 1 largest others, so every solution with j open covers at most
    L − s_(k) + s_j for a site j outside the k largest; with x_j forced to 0 it takes the
    (k + 1)-th instead, L − s_j + s_(k+1) for a site inside. Where that is at most
    ``incumbent + slack`` the site is fixed (``slack``: just below 1 when every weight is an
    integer, as an integer objective cannot improve by less, else 0). A margin of 1e-9 ×
    |bound| keeps a rounding error in the sums from fixing a site that could be in a better
    solution. Ties in the k-th score are kept by a stable order: the k chosen are the k
    largest, so the formulas hold whichever of the tied sites is counted in. Non-finite
    ``bound``: nothing fixed. Arrays of length sites, 0/1 floats."""
    nf = scores.size
    col_lower, col_upper = np.zeros(nf), np.ones(nf)
    if not math.isfinite(bound) or not 1 <= k <= nf:
        return col_lower, col_upper
    threshold = incumbent + slack - 1e-9 * max(abs(bound), 1.0)
    order = np.argsort(-scores, kind="stable")
    in_top = np.zeros(nf, dtype=bool)
    in_top[order[:k]] = True
    kth = scores[order[k - 1]]
    col_upper[~in_top & (bound - kth + scores <= threshold)] = 0.0
    if k < nf:
        next_out = scores[order[k]]
        col_lower[in_top & (bound - scores + next_out <= threshold)] = 1.0
    else:  # every site is open in every solution
        col_lower[:] = 1.0
    return col_lower, col_upper


def _mclp_covered_rows(
    cov: sparse.csr_matrix,
    w: FloatArray,
    k: int,
    multipliers: FloatArray,
    incumbent: float,
    slack: float,
) -> npt.NDArray[np.bool_]:
    """Lagrangian fixing of rows for the maximal covering: the rows that every solution
    strictly better than ``incumbent`` (by more than ``slack``, as in :func:`_mclp_fixings`)
    covers.

    At multipliers λ >= 0 (clipped to [0, w], which only lowers the bound) every solution is
    worth at most L(λ) = Σ_i max(0, w_i − λ_i) + (sum of the k largest s_j = Σ_{i∈N_j} λ_i).
    A solution that leaves row g uncovered has y_g = 0 and every site of N_g shut, so it is
    worth at most L(λ) − max(0, w_g − λ_g) − (sum of the k largest s_j) + (sum of the k
    largest s_j over the sites outside N_g). Where that is at most ``incumbent + slack`` (less
    a margin of 1e-9 × |L| for rounding), row g is covered by every better solution: its y_g
    may be fixed to 1, i.e. the row becomes a covering row Σ_{N_g} x >= 1. At the LP duals
    this fixes 360 of 1,195 rows (89 % of the people) of the Swedish R/p = 30/100 model
    (decision 0047). Shapes: ``cov`` rows × sites, 1 <= k <= sites."""
    g, nf = cov.shape
    fixed = np.zeros(g, dtype=bool)
    if not 1 <= k <= nf:
        return fixed
    lam = np.clip(np.asarray(multipliers, dtype=np.float64), 0.0, w)
    csr = sparse.csr_matrix(cov, dtype=np.float64)
    scores = np.asarray(csr.T @ lam).ravel()
    own = np.maximum(w - lam, 0.0)
    order = np.argsort(-scores, kind="stable")
    rank = np.empty(nf, dtype=np.int64)
    rank[order] = np.arange(nf)
    prefix = np.concatenate([[0.0], np.cumsum(scores[order])])
    top = prefix[k]
    bound = float(own.sum() + top)
    if not math.isfinite(bound):
        return fixed
    threshold = incumbent + slack - 1e-9 * max(abs(bound), 1.0)
    for row in range(g):
        sites = csr.indices[csr.indptr[row] : csr.indptr[row + 1]]
        ranks = np.sort(rank[sites])
        # The k largest outside N_g: the first k + c of the order, c of them in N_g.
        c = 0
        while c < ranks.size and ranks[c] < k + c:
            c += 1
        if k + c > nf:  # fewer than k sites outside N_g: every solution covers the row
            fixed[row] = True
            continue
        outside = prefix[k + c] - float(scores[order[ranks[:c]]].sum())
        fixed[row] = bound - own[row] - top + outside <= threshold
    return fixed


def _merge_rows(cov: sparse.csr_matrix, w: FloatArray) -> tuple[sparse.csr_matrix, FloatArray]:
    """One row per distinct coverage set, weighted by the sum of its rows' weights."""
    cov = sparse.csr_matrix(cov)
    cov.sort_indices()
    keys = [cov.indices[cov.indptr[r] : cov.indptr[r + 1]].tobytes() for r in range(cov.shape[0])]
    group_of: dict[bytes, int] = {}
    group = np.fromiter((group_of.setdefault(key, len(group_of)) for key in keys), dtype=np.int64)
    first_row = np.zeros(len(group_of), dtype=np.int64)
    first_row[group[::-1]] = np.arange(group.size)[::-1]
    merged_w = np.bincount(group, weights=w, minlength=len(group_of)).astype(np.float64)
    return sparse.csr_matrix(cov[first_row]), merged_w


def _start_columns(
    start: Iterable[int] | None, free_sites: IntArray, column_of_free: IntArray
) -> IntArray | None:
    """The caller's start as reduced columns: each dominated site replaced by a dominator."""
    if start is None:
        return None
    position = np.full(int(free_sites.max()) + 1, -1, dtype=np.int64)
    position[free_sites] = np.arange(free_sites.size)
    picked = np.asarray([s for s in start if 0 <= s < position.size], dtype=np.int64)
    picked = position[picked]
    cols = np.unique(column_of_free[picked[picked >= 0]])
    return cols[cols >= 0]


def _mclp_rens(
    cov: sparse.csr_matrix,
    w: FloatArray,
    k: int,
    col_lower: FloatArray,
    col_upper: FloatArray,
    *,
    time_limit: float,
    covered: npt.NDArray[np.bool_] | None = None,
) -> IntArray | None:
    """An incumbent for the MCLP's MILP from its LP relaxation, by RENS (Berthold 2014,
    "RENS: the optimal rounding", Math. Prog. Comp. 6): solve the LP, fix the sites it opens
    whole to 1 and those it leaves shut to 0, and solve the small MILP over its fractional
    sites. Returns the open columns (k of them, within ``col_lower``/``col_upper``) or None
    when the LP or the sub-MILP gives no solution within ``time_limit`` seconds (or none
    covering the ``covered`` rows).

    ``covered``: rows the sub-MILP must cover (:func:`_mclp_covered_rows` at the incumbent
    before RENS: every better solution covers them, so the sub-MILP loses no answer worth
    having; the LP is solved without them). Swedish R/p = 50/50 (112 rows at the
    interchange's incumbent): the same answer in 235–306 nodes instead of 544–572 (decision
    0052).

    Swedish R/p = 20/150 (1,172 rows × 759 sites): LP 0.05 s, 65 fractional sites, sub-MILP
    0.06 s; its 9,993,762 (0.027 % below the optimum, where the interchange's incumbent was
    0.055 % below) lets HiGHS prove the optimum in 0.45 CPU s instead of 2.5."""
    started = time.perf_counter()
    nf = cov.shape[1]
    try:
        lp = _mclp_milp(
            cov,
            w,
            k,
            col_lower=col_lower,
            col_upper=col_upper,
            start=None,
            time_limit=time_limit,
            mip_rel_gap=1e-9,
            relax=True,
        )
        if lp.status != "Optimal":
            return None
        x = lp.x[:nf]
        lower = np.maximum(col_lower, (x > 1 - 1e-6).astype(np.float64))
        upper = np.minimum(col_upper, (x > 1e-6).astype(np.float64))
        if lower.sum() > k or upper.sum() < k:
            return None
        sub = _mclp_milp(
            cov,
            w,
            k,
            col_lower=lower,
            col_upper=upper,
            start=None,
            time_limit=max(0.0, time_limit - (time.perf_counter() - started)),
            mip_rel_gap=1e-9,
            covered=covered,
            options=MCLP_RENS_HIGHS_OPTIONS,
        )
    except RuntimeError:  # no feasible solution within the limit (or none covering the rows)
        return None
    cols = np.flatnonzero(sub.x[:nf] > 0.5)
    return cols if cols.size == k else None


def _mclp_milp(
    cov: sparse.csr_matrix,
    w: FloatArray,
    k: int,
    *,
    col_lower: FloatArray,
    col_upper: FloatArray,
    start: FloatArray | None,
    time_limit: float,
    mip_rel_gap: float,
    relax: bool = False,
    watch: highs.Watch | None = None,
    covered: npt.NDArray[np.bool_] | None = None,
    zero_half: int = 0,
    options: dict[str, bool | float | str] | None = None,
    min_closed: float | None = None,
    only_branch: bool = False,
) -> MilpOutcome:
    """max Σ w_g y_g  s.t.  y_g − Σ_{j∈N_g} x_j <= 0,  Σ x_j = k,  x binary, y in [0, 1].

    Columns: x (sites) then y (rows). ``start`` is an x vector (its y follows; dropped when it
    leaves a ``covered`` row uncovered). ``relax``: x in [0, 1], the LP relaxation
    (benchmarks/mclp_hardness.py measures it). ``covered``: rows to be covered (see
    :func:`_mclp_covered_rows`), which become covering rows Σ_{N_g} x >= 1 with their weight
    in the objective's constant; a covered row whose sites include another covered row's is
    left out (implied), and so is the y of every other row whose sites include a covered
    row's (it is covered too: its weight goes to the constant). The objective and bound are
    the covered weight as without ``covered``, for the solutions that cover those rows.

    ``zero_half``: up to this many rounds of {0,½}-cuts of the covering rows (the y rows as
    Σ_{N_g} x + (1 − y_g) >= 1, the covered rows as they are; cuts.complemented_rounds) on the
    LP before the MILP; the cuts are kept when they close at least MCLP_ZERO_HALF_MIN_CLOSED
    of the gap between the LP and the start's value (decision 0070). Exact either way: at an
    optimum the y are 0/1, and every such point satisfies the cuts. Where they are kept the
    MILP is solved by our branch and bound on the rounds' LP (branch.maximize, decision
    0089; HiGHS's MILP if one of its LPs fails). ``options``: HiGHS's, where HiGHS solves it
    (default COVERING_MILP_HIGHS_OPTIONS; the RENS sub-MILP passes its own). ``min_closed``:
    the rule's share (default MCLP_ZERO_HALF_MIN_CLOSED). ``only_branch``: solve only by our
    branch and bound; where it does not run (no start, no cuts kept, an LP failed) raise
    _NotBranched instead of running HiGHS."""
    g, nf = cov.shape
    hard = np.zeros(g, dtype=bool) if covered is None else np.asarray(covered, dtype=bool)
    cov = sparse.csr_matrix(cov, dtype=np.float64)
    implied = np.zeros(g, dtype=bool)
    if hard.any():
        # shared[i, h] = |N_i ∩ N_h|; N_i contains N_h where it equals |N_h|.
        size = np.diff(cov.indptr)
        hard_idx = np.flatnonzero(hard)
        shared = sparse.coo_matrix(cov @ cov[hard_idx].T)
        row, by = shared.row, hard_idx[shared.col]
        contains = (shared.data == size[by]) & (row != by)
        # A covered row is left out for a covered row inside it: a smaller one, or an equal
        # one of a lower index (so of equal rows one stays); any other row containing a
        # covered row's sites is covered (its y is a constant 1).
        below = (size[row] > size[by]) | (row > by)
        implied[row[contains & (~hard[row] | below)]] = True
    soft = ~hard & ~implied
    keep_hard = hard & ~implied
    constant = float(w[~soft].sum())
    a_soft, a_hard = cov[soft], cov[keep_hard]
    gs, gh = int(soft.sum()), int(keep_hard.sum())
    a_x = sparse.vstack([-a_soft, a_hard, sparse.csr_matrix(np.ones((1, nf)))])
    a_y = sparse.vstack([sparse.identity(gs, format="csr"), sparse.csr_matrix((gh + 1, gs))])
    warm = None
    if start is not None and np.all(a_hard @ start >= 1):
        warm = np.concatenate([start, (a_soft @ start > 0).astype(np.float64)])
    cost = np.concatenate([np.zeros(nf), w[soft]])
    matrix = sparse.csr_matrix(sparse.hstack([a_x, a_y]))
    row_lower = np.concatenate([np.full(gs, -np.inf), np.ones(gh), [k]])
    row_upper = np.concatenate([np.zeros(gs), np.full(gh, np.inf), [k]])
    columns_lower = np.concatenate([col_lower, np.zeros(gs)])
    columns_upper = np.concatenate([col_upper, np.ones(gs)])
    options = COVERING_MILP_HIGHS_OPTIONS if options is None else options
    if zero_half > 0 and not relax and warm is not None:
        solver = highs.lp_solver(
            cost=-cost,
            matrix=matrix.tocsc(),
            row_lower=row_lower,
            row_upper=row_upper,
            col_lower=columns_lower,
            col_upper=columns_upper,
        )
        # The covering rows in the columns (x, 1 − y): |the y rows| and the covered rows.
        cover = sparse.csr_matrix(abs(matrix[: gs + gh]))
        found = cuts.complemented_rounds(
            solver,
            cover,
            np.concatenate([np.zeros(nf, dtype=bool), np.ones(gs, dtype=bool)]),
            rounds=zero_half,
        )
        lp, lifted, start_value = -found.lp_before, -found.lp_after, float(cost @ warm)
        closed = (lp - lifted) / (lp - start_value) if lp > start_value else 0.0
        logger.debug(
            "mclp: %s zero-half cuts in %s rounds, LP %s -> %s (%.0f %% of the gap to %s), %.2f s",
            found.rhs.size,
            found.rounds,
            lp + constant,
            lifted + constant,
            100 * closed,
            start_value + constant,
            found.cpu,
        )
        share = MCLP_ZERO_HALF_MIN_CLOSED if min_closed is None else min_closed
        if found.rhs.size and closed >= share:
            matrix = sparse.csr_matrix(sparse.vstack([matrix, found.cuts]))
            row_lower = np.concatenate([row_lower, found.rhs.astype(np.float64)])
            row_upper = np.concatenate([row_upper, np.full(found.rhs.size, np.inf)])
            options = MCLP_CUT_MILP_HIGHS_OPTIONS
            # Our branch and bound on the LP the rounds left (decision 0089); HiGHS's MILP
            # (with the smaller cut pool, decision 0077) only if one of its LPs fails.
            searched = _branch_and_bound(
                cost=cost,
                matrix=matrix.tocsc(),
                row_lower=row_lower,
                row_upper=row_upper,
                col_lower=columns_lower,
                col_upper=columns_upper,
                integer=np.concatenate([np.ones(nf, dtype=bool), np.zeros(gs, dtype=bool)]),
                start=warm,
                time_limit=time_limit,
                mip_rel_gap=mip_rel_gap,
                integral=bool(np.all(w == np.round(w))),
                offset=constant,
                watch=watch,
                lp=solver,
            )
            if searched is not None:
                return searched
    if only_branch:
        raise _NotBranched
    return _solve_milp(
        cost=cost,
        matrix=matrix.tocsc(),
        row_lower=row_lower,
        row_upper=row_upper,
        col_lower=columns_lower,
        col_upper=columns_upper,
        integer=np.concatenate([np.full(nf, not relax), np.zeros(gs, dtype=bool)]),
        maximize=True,
        start=warm,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        offset=constant,
        options=options,
        watch=watch,
    )


class _NotBranched(Exception):
    """_mclp_milp(only_branch=True) found no cuts to keep (or no start): nothing solved."""


def _milp_watch(
    report: _Reporter, incumbent: float, bound: float, *, maximize: bool, primal: bool = True
) -> highs.Watch | None:
    """A HiGHS watch reporting the better of the MILP's figures and those known before it
    (the incumbent it started from, the Lagrangian bound). ``primal=False``: the model's
    solution values are not the problem's (a truncated p-median undercharges), only its
    bound is reported."""
    if report.progress is None:
        return None
    best, known = [incumbent], [bound]

    def watch(value: float, dual: float) -> bool:
        if primal and math.isfinite(value):
            best[0] = max(best[0], value) if maximize else min(best[0], value)
        if math.isfinite(dual):
            known[0] = min(known[0], dual) if maximize else max(known[0], dual)
        # Fixings by reduced cost only exclude solutions no better than the incumbent.
        return report(best[0], max(known[0], best[0]) if maximize else min(known[0], best[0]))

    return watch


def _undominated_columns(cov: sparse.csr_matrix) -> tuple[IntArray, IntArray]:
    """Columns whose set of rows is not contained in another column's (ties: lowest index),
    and for every column an undominated column whose rows contain its rows."""
    c = sparse.csc_matrix(cov, dtype=np.int32)
    size = np.asarray(c.sum(axis=0)).ravel()
    inter = sparse.coo_matrix(c.T @ c)
    j, k, shared = inter.row, inter.col, inter.data
    dominated_by = (j != k) & (shared == size[j]) & ((size[k] > size[j]) | (k < j))
    dominated = np.zeros(c.shape[1], dtype=bool)
    dominated[j[dominated_by]] = True
    dominated |= size == 0
    keep = np.flatnonzero(~dominated)
    # Follow "contained in" links; (size, −index) grows along them, so they end at a kept column.
    parent = np.arange(c.shape[1])
    parent[j[dominated_by]] = k[dominated_by]
    parent[size == 0] = keep[0] if keep.size else 0
    for _ in range(c.shape[1]):
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    return keep, parent


# ------------------------------------------------------------------ set covering (LSCP)


def solve_lscp(
    covers: sparse.spmatrix,
    *,
    fixed: Iterable[int] = (),
    start: Iterable[int] | None = None,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-9,
    exact: bool = True,
    progress: ProgressCallback | None = None,
    zero_half: bool | None = None,
) -> Solution:
    """The fewest open sites (``fixed`` ones included) covering every coverable demand row.

    Rows that no site covers are left out and listed in ``Solution.uncoverable``. The MILP
    is the core left by :func:`_reduce_cover`, solved from the greedy cover by our branch and
    bound (:func:`_lscp_search`; HiGHS's MILP where one of its LPs fails).
    ``exact=False`` answers with the greedy cover (or ``start`` if smaller) and the LP
    relaxation's bound. ``progress``: as for :func:`solve_mclp`. ``zero_half``: add
    {0,½}-cuts of the core (:mod:`cuts`) to the MILP always (True), never (False) or where
    :func:`_zero_half_pays` says so (None).
    """
    started = time.perf_counter()
    csr = sparse.csr_matrix(covers, dtype=bool)
    csr.eliminate_zeros()
    n, m = csr.shape
    fixed_arr = _as_fixed(fixed, m)
    coverable = np.asarray(csr.sum(axis=1)).ravel() > 0
    uncoverable = tuple(np.flatnonzero(~coverable).tolist())
    covered_fixed = (
        np.asarray(csr[:, fixed_arr].sum(axis=1)).ravel() > 0
        if fixed_arr.size
        else np.zeros(n, dtype=bool)
    )
    is_fixed = np.zeros(m, dtype=bool)
    is_fixed[fixed_arr] = True
    free_sites = np.flatnonzero(~is_fixed)
    rows = sparse.csr_matrix(csr[coverable & ~covered_fixed][:, free_sites], dtype=np.float64)
    if rows.shape[0] == 0:
        total = float(fixed_arr.size)
        return Solution(
            "lscp",
            tuple(fixed_arr.tolist()),
            total,
            total,
            time.perf_counter() - started,
            "highs",
            uncoverable=uncoverable,
        )
    report = _Reporter("lscp", progress, started, float(fixed_arr.size))
    # Reductions (forced sites, dominated rows and sites) keep an optimum; HiGHS gets the core.
    forced, core_rows, core_cols = _reduce_cover(sparse.csr_matrix(rows, dtype=bool))
    core = sparse.csr_matrix(rows[core_rows][:, core_cols], dtype=np.float64)
    nf = core_cols.size
    if core.shape[0] == 0:
        picked = free_sites[forced]
        out = MilpOutcome(np.zeros(0), 0.0, 0.0, "Optimal")
    else:
        incumbent = np.asarray(heuristics.greedy_cover(core), dtype=np.int64)
        report.at("heuristic")(float(forced.size + incumbent.size), float(forced.size))
        warm = np.zeros(nf)
        warm[incumbent] = 1.0
        watch = _milp_watch(
            report.at("branch and bound"),
            float(forced.size + incumbent.size),
            float(forced.size),
            maximize=False,
        )
        begun = time.perf_counter()

        def milp(with_cuts: bool) -> MilpOutcome:
            matrix, lower = core, np.ones(core.shape[0])
            if with_cuts:
                found = cuts.cut_rounds(core, rounds=ZERO_HALF_ROUNDS)
                if found.rhs.size:
                    matrix = sparse.csr_matrix(sparse.vstack([core, found.cuts]))
                    lower = np.concatenate([lower, found.rhs.astype(np.float64)])
            return _solve_milp(
                cost=np.ones(nf),
                matrix=matrix.tocsc(),
                row_lower=lower,
                row_upper=np.full(lower.size, np.inf),
                col_lower=np.zeros(nf),
                col_upper=np.ones(nf),
                integer=np.full(nf, exact),
                maximize=False,
                start=warm if exact else None,
                time_limit=max(time_limit - (time.perf_counter() - begun), 1.0),
                mip_rel_gap=mip_rel_gap,
                offset=float(forced.size),
                options=COVERING_MILP_HIGHS_OPTIONS,
                watch=watch,
            )

        searched = (
            _lscp_search(core, warm, forced.size, zero_half, time_limit, mip_rel_gap, watch)
            if exact
            else None
        )
        # HiGHS: the LP where not exact; the MILP (with cuts unless told not) where one of the
        # search's LPs failed.
        out = searched if searched is not None else milp(exact and zero_half is not False)
        if not exact:
            # The LP relaxation's value bounds the count. The answer: its whole sites,
            # completed by the greedy (an integral LP is its own answer), or the greedy alone
            # if smaller.
            whole = np.flatnonzero(out.x > 1 - 1e-6).tolist()
            cover = heuristics.greedy_cover(core, fixed=whole)
            if len(cover) > incumbent.size:
                cover = incumbent.tolist()
            x = np.isin(np.arange(nf), cover).astype(np.float64)
            out = MilpOutcome(x, float(x.sum()) + forced.size, out.objective, "Heuristic, LP bound")
        elif report.stopped:
            out = MilpOutcome(out.x, out.objective, out.bound, STOPPED)
        picked = np.concatenate([free_sites[forced], free_sites[core_cols[out.x > 0.5]]])
    if not exact and start is not None:
        mine = np.fromiter(start, dtype=np.int64)
        x0 = np.isin(free_sites, mine)
        if np.all(rows @ x0.astype(np.float64) >= 1) and x0.sum() < picked.size:
            picked = free_sites[x0]
    chosen = tuple(sorted(fixed_arr.tolist() + picked.tolist()))
    # Integer objective: a bound of 41.3 proves 42. (The core's bound includes the forced.)
    bound = float(np.ceil(out.bound - 1e-6)) + fixed_arr.size
    if core.shape[0] == 0 or (out.status == STOPPED and bound >= len(chosen)):
        bound = float(len(chosen))
        out = MilpOutcome(out.x, out.objective, out.bound, "Optimal")
    return Solution(
        "lscp",
        chosen,
        float(len(chosen)),
        min(bound, float(len(chosen))),
        time.perf_counter() - started,
        "highs" if exact else "heuristic",
        status=out.status,
        uncoverable=uncoverable,
    )


def _lscp_search(
    core: sparse.csr_matrix,
    start: FloatArray,
    forced: int,
    zero_half: bool | None,
    time_limit: float,
    mip_rel_gap: float,
    watch: highs.Watch | None,
) -> MilpOutcome | None:
    """The set-covering core's MILP min Σx, ``core`` x ≥ 1, x binary, by our branch and bound
    (branch.maximize on −Σx; decision 0102), from the cover ``start``. {0,½}-cuts of the core
    first where ``zero_half`` says (None: where :func:`_zero_half_pays` on the core's LP).
    The outcome counts the ``forced`` sites in (objective and bound: open sites, the bound at
    least the LP's where it was solved; statuses HiGHS's words); None when one of the
    search's LPs failed (the caller asks HiGHS)."""
    n, m = core.shape
    matrix, lower = core, np.ones(n)
    known = 1.0  # a bound on the core's count before the search: it has a row to cover
    if zero_half is None:
        lp = highs.lp_solver(
            cost=np.ones(m),
            matrix=core.tocsc(),
            row_lower=lower,
            row_upper=np.full(n, np.inf),
            col_lower=np.zeros(m),
            col_upper=np.ones(m),
        )
        lp.run()
        known = float(lp.getInfo().objective_function_value)
        zero_half = _zero_half_pays(known)
    if zero_half:
        found = cuts.cut_rounds(core, rounds=ZERO_HALF_ROUNDS)
        known = found.lp_after
        if found.rhs.size:
            matrix = sparse.csr_matrix(sparse.vstack([core, found.cuts]))
            lower = np.concatenate([lower, found.rhs.astype(np.float64)])
    searched = _branch_and_bound(
        cost=-np.ones(m),
        matrix=matrix.tocsc(),
        row_lower=lower,
        row_upper=np.full(lower.size, np.inf),
        col_lower=np.zeros(m),
        col_upper=np.ones(m),
        integer=np.ones(m, dtype=bool),
        start=start,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        integral=True,
        offset=-float(forced),
        watch=None if watch is None else _negated(watch),
    )
    if searched is None:
        return None
    # A search stopped before its root LP knows no bound of its own: the LP's stands.
    bound = max(-searched.bound, known + forced)
    return MilpOutcome(searched.x, -searched.objective, bound, searched.status)


def _negated(watch: highs.Watch) -> highs.Watch:
    """``watch`` for a minimisation, told the figures of the same search run as a
    maximisation of the negated objective."""
    return lambda value, bound: watch(-value, -bound)


def _zero_half_pays(lp: float) -> bool:
    """Whether {0,½}-cuts are worth their rounds on a set-covering core whose LP is ``lp``
    (decision 0061): only where the LP lies just below a whole number of sites."""
    up = float(np.ceil(lp - 1e-6)) - lp
    return 1e-6 < up <= ZERO_HALF_MAX_ROUND_UP


def _reduce_cover(a: sparse.csr_matrix) -> tuple[IntArray, IntArray, IntArray]:
    """Set-covering reductions (Toregas & ReVelle 1973; Beasley 1987), repeated until none
    applies: a row with one site forces that site (its rows leave); a row whose sites include
    another row's is dropped (covering the smaller covers it); a site whose rows lie inside
    another site's is dropped (equal cost: swap it for the larger). Each keeps an optimum.

    ``a``: n × m boolean. Returns (forced sites, remaining rows, remaining sites), indices
    into ``a``. On the Swedish instance R = 30 km: 1,323 × 1,323 → 76 forced, 431 × 450."""
    rows = np.arange(a.shape[0])
    cols = np.arange(a.shape[1])
    forced: list[IntArray] = []
    while rows.size:
        sub = sparse.csr_matrix(a[rows][:, cols], dtype=np.int32)
        sub.eliminate_zeros()
        degree = np.diff(sub.indptr)
        single = np.flatnonzero(degree == 1)
        if single.size:
            sites = np.unique(sub.indices[sub.indptr[single]])
            forced.append(cols[sites])
            covered = np.asarray(sub[:, sites].sum(axis=1)).ravel() > 0
            keep_cols = np.ones(cols.size, dtype=bool)
            keep_cols[sites] = False
            rows, cols = rows[~covered], cols[keep_cols]
            continue
        inter = sparse.coo_matrix(sub @ sub.T)
        r, q, shared = inter.row, inter.col, inter.data
        # Row r contains row q (shared = |q|): drop r; of two equal rows the later one.
        superset = (r != q) & (shared == degree[q]) & ((degree[r] > degree[q]) | (r > q))
        drop_rows = np.zeros(rows.size, dtype=bool)
        drop_rows[r[superset]] = True
        if drop_rows.any():
            rows = rows[~drop_rows]
            sub = sparse.csr_matrix(a[rows][:, cols], dtype=np.int32)
        kept, _ = _undominated_columns(sub)
        drop_cols = np.ones(cols.size, dtype=bool)
        drop_cols[kept] = False
        if drop_cols.any():
            cols = cols[~drop_cols]
        if not drop_rows.any() and not drop_cols.any():
            break
    none = np.zeros(0, dtype=np.int64)
    return (np.sort(np.concatenate(forced)) if forced else none), rows, cols


# ------------------------------------------------------------------ p-median


@dataclass
class _Groups:
    """Entries (demand i, position k < length[i]) of the sorted rows, grouped by equal distance."""

    rows: IntArray  # demand of each entry
    pos: IntArray  # position in the sorted row
    site: IntArray  # site of each entry
    group: IntArray  # group (= y column offset) of each entry
    first: IntArray  # first entry of each group
    last: IntArray  # last entry of each group
    demand_last_group: IntArray  # last group of each demand


def _groups(order: IntArray, dist_sorted: FloatArray, length: IntArray) -> _Groups:
    n = order.shape[0]
    rows = np.repeat(np.arange(n), length)
    starts = np.cumsum(length) - length
    pos = np.arange(rows.size) - np.repeat(starts, length)
    d = dist_sorted[rows, pos]
    prev_d = np.where(pos > 0, dist_sorted[rows, np.maximum(pos - 1, 0)], -np.inf)
    new_group = (pos == 0) | (d > prev_d + GROUP_TOLERANCE_KM)
    group = np.cumsum(new_group) - 1
    first = np.flatnonzero(new_group)
    last = np.append(first[1:], rows.size) - 1
    return _Groups(rows, pos, order[rows, pos], group, first, last, group[np.cumsum(length) - 1])


def _pmedian_model(
    g: _Groups, dist_sorted: FloatArray, w: FloatArray, m: int, p: int
) -> tuple[sparse.csc_matrix, FloatArray, FloatArray, FloatArray, float]:
    """Radius-formulation model over the grouped entries.

    Columns: x_0..x_{m-1}, then y_0..y_{G-1} (y_g = 1: no open site within group g's distance).
    Row g: y_g + sum_{j in g} x_j - y_{g-1} >= 0 (first group of a demand: >= 1, no y_{g-1}).
    Last row: sum x = p. Cost of y_g: w_i (distance of the next entry - distance of g).
    """
    n_groups = g.first.size
    width = dist_sorted.shape[1]
    group_row = g.rows[g.first]
    d_first = dist_sorted[group_row, g.pos[g.first]]
    next_pos = g.pos[g.last] + 1
    has_next = next_pos < width
    next_d = np.where(has_next, dist_sorted[group_row, np.minimum(next_pos, width - 1)], d_first)
    y_cost = w[group_row] * (next_d - d_first)
    constant = float(w @ dist_sorted[:, 0])
    opens_demand = g.pos[g.first] == 0
    prev = np.flatnonzero(~opens_demand)
    data = np.concatenate(
        [np.ones(g.site.size), np.ones(n_groups), -np.ones(prev.size), np.ones(m)]
    )
    rows = np.concatenate([g.group, np.arange(n_groups), prev, np.full(m, n_groups)])
    cols = np.concatenate([g.site, m + np.arange(n_groups), m + prev - 1, np.arange(m)])
    matrix = sparse.csc_matrix((data, (rows, cols)), shape=(n_groups + 1, m + n_groups))
    row_lower = np.concatenate([opens_demand.astype(np.float64), [p]])
    row_upper = np.concatenate([np.full(n_groups, np.inf), [p]])
    return matrix, np.concatenate([np.zeros(m), y_cost]), row_lower, row_upper, constant


def _pmedian_start(g: _Groups, length: IntArray, chosen: list[int], m: int) -> FloatArray:
    """A solution as a full column vector: x, then y_g = 1 while no open site is reached."""
    is_open = np.zeros(m, dtype=bool)
    is_open[chosen] = True
    cum = np.cumsum(is_open[g.site])
    starts = np.cumsum(length) - length
    before = np.concatenate([[0], cum])[starts]
    opened_so_far = cum - np.repeat(before, length)
    y = (opened_so_far[g.last] == 0).astype(np.float64)
    return np.concatenate([is_open.astype(np.float64), y])


def solve_pmedian(
    distance: FloatArray,
    weights: Sequence[float] | FloatArray,
    p: int,
    *,
    fixed: Iterable[int] = (),
    start: Iterable[int] | None = None,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-9,
    max_rounds: int = 20,
    exact: bool = True,
    progress: ProgressCallback | None = None,
) -> Solution:
    """Open ``p`` sites in total (``fixed`` included) minimising sum_i w_i · min_j d_ij.

    ``exact=False`` answers with the incumbent and a Lagrangian lower bound, without the MILP.
    ``progress``: as for :func:`solve_mclp`.

    ``distance`` is the dense n × m matrix. Without ``start`` the greedy + interchange
    heuristic provides the incumbent and the initial truncation.
    """
    started = time.perf_counter()
    dist = np.asarray(distance, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    n, m = dist.shape
    fixed_arr = _as_fixed(fixed, m)
    if p < max(1, fixed_arr.size) or p > m:
        raise ValueError("p must be at least 1, at least the fixed sites, at most the sites")
    heuristic_objective = None
    if start is None:
        h = heuristics.greedy_interchange(dist, w, p, fixed_arr.tolist(), time_limit=time_limit / 4)
        incumbent = list(h.chosen)
        heuristic_objective = h.objective
    else:
        incumbent = sorted(set(start) | set(fixed_arr.tolist()))
        if len(incumbent) != p:
            raise ValueError("start must open exactly p sites including the fixed ones")
    best_obj = heuristics.assignment_cost(dist, w, incumbent)
    report = _Reporter("pmedian", progress, started)
    report.at("heuristic")(best_obj, -math.inf)
    # The Lagrangian bound often proves the incumbent (or one it finds) optimal on its own.
    lag = _pmedian_lagrangian(
        dist,
        w,
        p,
        fixed_arr,
        incumbent,
        best_obj,
        time_limit=time_limit / 4,
        cpu_limit=BOUND_SECONDS,
        truncation_min=TRUNCATION_MIN,
        truncation_factor=TRUNCATION_FACTOR,
        watch=report.at("Lagrangian bound"),
    )
    if lag.best_cols is not None:
        incumbent, best_obj = lag.best_cols.tolist(), lag.best_val
    lag_proves = lag.bound >= best_obj - mip_rel_gap * abs(best_obj)
    if report.stopped or not exact or lag_proves:
        label = "Lagrangian bound" if exact else "Heuristic, Lagrangian bound"
        if report.stopped and not lag_proves:
            label = STOPPED
        return Solution(
            "pmedian",
            tuple(sorted(incumbent)),
            best_obj,
            min(lag.bound, best_obj),
            time.perf_counter() - started,
            "highs" if exact else "heuristic",
            heuristic_objective=heuristic_objective,
            status=label,
            rounds=0,
        )
    # Reduced-cost fixing: the MILP gets only the sites a better solution can open.
    sites = _pmedian_candidates(lag, fixed_arr, incumbent, best_obj, p, m)
    if sites.size < m:
        position = np.full(m, -1, dtype=np.int64)
        position[sites] = np.arange(sites.size)
        dist, m = dist[:, sites], sites.size
        fixed_arr = position[fixed_arr]
        incumbent = position[np.asarray(incumbent, dtype=np.int64)].tolist()
    order = np.argsort(dist, axis=1, kind="stable")
    dist_sorted = np.take_along_axis(dist, order, axis=1)
    # Truncate each row at the incumbent's distance (ties included).
    served = dist[:, incumbent].min(axis=1)
    length = np.sum(dist_sorted <= TRUNCATION_FACTOR * served[:, None] + 1e-9, axis=1)
    length = np.minimum(np.maximum(length, TRUNCATION_MIN), m).astype(np.int64)
    # A fixed (existing) site caps every row exactly: nobody is served farther than it.
    cap = np.full(n, m, dtype=np.int64)
    if fixed_arr.size:
        to_fixed = dist[:, fixed_arr].min(axis=1)
        cap = np.sum(dist_sorted <= to_fixed[:, None] + 1e-9, axis=1).astype(np.int64)
        length = np.minimum(length, cap)
    is_fixed = np.zeros(m, dtype=bool)
    is_fixed[fixed_arr] = True
    bound = lag.bound
    status = ""
    rounds = 0
    chosen = list(incumbent)
    while rounds < max_rounds:
        rounds += 1
        remaining = time_limit - (time.perf_counter() - started)
        if remaining <= 0:
            break
        groups = _groups(order, dist_sorted, length)
        matrix, cost, row_lower, row_upper, constant = _pmedian_model(groups, dist_sorted, w, m, p)
        last_y = m + groups.demand_last_group
        ncol = cost.size
        col_lower = np.zeros(ncol)
        col_lower[:m][is_fixed] = 1.0
        integer = np.zeros(ncol, dtype=bool)
        integer[:m] = True
        warm = _pmedian_start(groups, length, incumbent, m)
        out = _solve_milp(
            cost=cost,
            matrix=matrix,
            row_lower=row_lower,
            row_upper=row_upper,
            col_lower=col_lower,
            col_upper=np.ones(ncol),
            integer=integer,
            maximize=False,
            start=warm,
            time_limit=remaining,
            mip_rel_gap=mip_rel_gap,
            offset=constant,
            presolve=PMEDIAN_PRESOLVE,
            watch=_milp_watch(
                report.at("branch and bound"), best_obj, bound, maximize=False, primal=False
            ),
        )
        status = STOPPED if report.stopped else out.status
        bound = max(bound, out.bound)
        candidate = np.flatnonzero(out.x[:m] > 0.5).tolist()
        cand_obj = heuristics.assignment_cost(dist, w, candidate)
        if cand_obj < best_obj:
            best_obj, incumbent = cand_obj, candidate
        chosen = incumbent
        beyond = out.x[last_y] > 1e-6
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s",
                (
                    rounds,
                    time.perf_counter() - started,
                    int(length.sum()),
                    int(beyond.sum()),
                    out.bound,
                    cand_obj,
                    best_obj,
                ),
            )
        # Levels merged within GROUP_TOLERANCE_KM can understate the bound by that much per person.
        if bound >= best_obj - mip_rel_gap * abs(best_obj) - GROUP_TOLERANCE_KM * float(w.sum()):
            break  # the bound of the relaxation already proves the incumbent
        if report.stopped:
            break
        if not beyond.any() or status != "Optimal":
            # Everyone served within the truncation: the truncated optimum is the optimum.
            if status == "Optimal" and not beyond.any():
                bound = max(bound, min(out.bound, cand_obj))
            break
        grow = np.flatnonzero(beyond & (length < cap))
        if grow.size == 0:
            break
        length[grow] = np.minimum(cap[grow], GROWTH * length[grow] + 1)
    # Solutions opening a closed site cost more than the incumbent of the fixing, so the
    # restricted model's bound holds for the whole problem up to that (>= best_obj) value.
    return Solution(
        "pmedian",
        tuple(sorted(sites[np.asarray(chosen, dtype=np.int64)].tolist())),
        best_obj,
        min(bound, best_obj),
        time.perf_counter() - started,
        "highs",
        heuristic_objective=heuristic_objective,
        status=status,
        rounds=rounds,
    )


def _pmedian_candidates(
    lag: subgradient.PmedianLagrangian,
    fixed: IntArray,
    incumbent: Sequence[int],
    upper: float,
    p: int,
    m: int,
) -> IntArray:
    """The sites a p-median solution better than ``upper`` may open, by Lagrangian
    reduced cost (Beasley 1993): at the bound's multipliers, opening a free site j that the
    relaxation leaves shut instead of its k-th cheapest free site gives the bound of every
    solution with j open, L + ρ_j − ρ_(k); where that exceeds ``upper`` no better solution
    opens j. The fixed and the incumbent's sites always stay. Sorted indices."""
    rho = lag.rho
    if rho is None or rho.size != m or not math.isfinite(lag.bound):
        return np.arange(m, dtype=np.int64)
    is_free = np.ones(m, dtype=bool)
    is_free[fixed] = False
    free = np.flatnonzero(is_free)
    k = p - fixed.size
    if k <= 0 or k >= free.size:
        return np.arange(m, dtype=np.int64)
    kth = float(np.partition(rho[free], k - 1)[k - 1])
    # A margin for rounding in the sums (ρ adds up to n terms).
    margin = 1e-9 * max(abs(upper), 1.0)
    closed = is_free & (lag.bound + rho - kth > upper + margin)
    closed[np.asarray(incumbent, dtype=np.int64)] = False
    return np.flatnonzero(~closed).astype(np.int64)
