"""Lagrangian bounds by subgradient optimisation for the maximal-covering (Galvão & ReVelle
1996) and p-median (Beasley 1993) models, and for the large maximal-covering models the same
bound at multipliers from primal-dual hybrid gradient steps on the LP (`mclp_pdhg`). Pure
module (no Django): arrays in, the bound and the best solution met on the way out. The
solvers in `optimize.py` call them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from servicekontor.planning import heuristics

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Halve the step after this many steps without a better bound.
STALL = 60
# ... on the models with float32 steps (FLOAT32_MIN_PAIRS, no MILP after the bound): the step
# shrinks too early there. 100,000 × 10,000 at 60 CPU s (scaling benchmark, one run each):
# bound 15,975,431 with 60, 15,958,713 with 200 (gap 1.54 → 1.45 %; docs/benchmarks.md).
LARGE_STALL = 200
# Weight of the new subgradient in the maximal-covering step direction (1: plain subgradient);
# 0.3 against 1 in docs/benchmarks.md (benchmarks/mclp_lagrangian_steps.py); 0.5 did slightly
# worse than 0.3 on 30,000 × 3,000 (2.03 % against 1.99 % after 8 CPU s).
DEFLECTION = 0.3
# From this many coverage pairs on, the maximal-covering steps run in float32 (half the memory
# traffic per sparse product: 100,000 × 10,000, 9.0 M pairs, 20 → 10 ms CPU per product) and
# the bound is recomputed in float64 at the best multipliers at the end, so it stays exact.
# From 500,000 on (optimize.MILP_MAX_PAIRS, the models without a MILP): on 30,000 × 3,000
# (0.6 M pairs) float32 reached 3,911,264 (0.65 % above the incumbent) in 4.5 CPU s where
# float64 was at 3,921,727 after 10 s (benchmarks/mclp_100k.py).
FLOAT32_MIN_PAIRS = 500_000
# Up to this many (demand, site) pairs and sites to open the p-median bound keeps every pair,
# dense: on Sweden at p = 20 the truncated rows' cap on u held the bound at a 0.90 % gap (and
# the MILP after it did not finish its LP in 120 s), while every pair gets within 0.17 % in
# 3.2 CPU s (3 ms a step). At p = 100 and 150 the truncated steps converge in 1–2 CPU s and
# the dense ones stall at a 1e-6 gap; at p = 50 both prove the optimum (1.2 / 2.3 s).
PMEDIAN_DENSE_MAX = 4_000_000
PMEDIAN_DENSE_MAX_K = 30
# The maximal-covering LP's saddle point by diagonally preconditioned primal-dual hybrid
# gradient (mclp_pdhg): the primal weight is this times the mean row weight (the multipliers'
# scale). 0.5 gives 100 on 100,000 × 10,000 and 128 on 30,000 × 3,000; on those, 100 against
# 10 and 1,000 over 5 CPU s on 30,000 × 3,000: 3,906,371 against 3,907,388 and 3,906,589 (the
# LP 3,906,196.85); 100 against 300 over 30 s on 100,000 × 10,000: 15,879,259 against
# 15,880,251 (docs/decisions/0042).
PDHG_OMEGA_PER_MEAN_WEIGHT = 0.5
# mclp_pdhg stops when the best bound fell by less than this share over the last
# PDHG_STALL_STEPS steps: near the LP the rest of the limit does more for the incumbent.
PDHG_STALL_STEPS = 100
PDHG_STALL_REL = 5e-5
# The least time between two calls of a bound's `watch`.
WATCH_EVERY_SECONDS = 0.25

# watch(best solution value, bound) -> True to stop (the bound and solution so far are kept).
Watch = Callable[[float, float], bool]


class _Watcher:
    """Calls `watch` at most every WATCH_EVERY_SECONDS; remembers when it asked to stop."""

    def __init__(self, watch: Watch | None) -> None:
        self.watch, self.last, self.stopped = watch, time.perf_counter(), False

    def stop(self, best: float, bound: float) -> bool:
        if self.watch is None:
            return False
        now = time.perf_counter()
        if now - self.last >= WATCH_EVERY_SECONDS:
            self.last = now
            self.stopped = bool(self.watch(best, bound))
        return self.stopped


@dataclass
class Step:
    """The subgradient step multiplier: halved after STALL steps without a better bound; the
    search is over once it is this small."""

    mu: float = 2.0
    stall: int = 0
    patience: int = STALL

    def record(self, *, improved: bool) -> None:
        if improved:
            self.stall = 0
            return
        self.stall += 1
        if self.stall >= self.patience:
            self.mu, self.stall = self.mu / 2, 0

    @property
    def exhausted(self) -> bool:
        return self.mu < 1e-3


@dataclass
class MclpLagrangian:
    upper: float  # L(λ*) >= the optimum
    scores: FloatArray  # Σ_{i∈N_j} λ*_i per site at the best λ
    best_cols: IntArray | None  # None: nothing beat the caller's incumbent
    best_val: float
    stopped: bool = False  # the caller's watch asked to stop
    # mclp_pdhg: the sites' fractional LP values at the end (None from mclp_lagrangian).
    primal: FloatArray | None = None
    # mclp_lagrangian: the best λ (float64), at which ``upper`` and ``scores`` were computed.
    multipliers: FloatArray | None = None


def mclp_lagrangian(
    cov: sparse.csr_matrix,
    w: FloatArray,
    k: int,
    best_cols: IntArray | None,
    best_val: float,
    *,
    time_limit: float,
    max_iter: int = 10_000,
    watch: Watch | None = None,
    start: FloatArray | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> MclpLagrangian:
    """Subgradient optimisation of the relaxation of y_i <= Σ_{j∈N_i} x_j (Galvão & ReVelle
    1996): L(λ) = Σ_i max(0, w_i − λ_i) + (sum of the k largest Σ_{i∈N_j} λ_i), for any
    0 <= λ <= w an upper bound on the optimum (at best the LP relaxation's). Each step's k
    sites are also a feasible solution, which improves the incumbent.

    Shapes: ``cov`` rows × sites (boolean or 0/1), ``w`` one non-negative weight per row,
    1 <= k <= sites. λ starts at ``start`` (clipped to [0, w]) or else at the better (lower
    L) of w_i / (number of sites covering i), each site's "share" of a row, and 0 (L = Σ w);
    on the scaling instances 0 is better (100,000 × 10,000: 17.3 % against 5.3 % above the
    incumbent; docs/benchmarks.md). Steps follow a deflected direction
    d = DEFLECTION·g + (1 − DEFLECTION)·d_previous of the projected subgradient g (Camerini,
    Fratta & Maffioli 1975; the volume algorithm's averaging, Barahona & Anbil 2000) with
    Polyak's length μ (L − incumbent) / |d|²; each step is two sparse products over the pairs
    (the sites' scores, and the rows the k chosen sites cover), in float32 from
    FLOAT32_MIN_PAIRS pairs on with the returned bound recomputed in float64. ``clock`` is
    what ``time_limit`` counts (wall seconds by default, time.process_time for CPU seconds)."""
    dtype = np.float32 if cov.nnz >= FLOAT32_MIN_PAIRS else np.float64
    a = sparse.csr_matrix(cov, dtype=dtype)
    at = sparse.csr_matrix(a.T)  # its rows are a's columns: at.indices[at.indptr[j]:…] = N_j
    nf = a.shape[1]
    degree = np.maximum(np.diff(a.indptr), 1)
    total = float(w.sum())
    wd: npt.NDArray[np.floating[Any]] = w.astype(dtype)  # float32 or float64

    def lagrangian(lam: FloatArray) -> float:
        scores = at @ lam.astype(dtype)
        return total - float(lam.sum()) + float(np.partition(scores, nf - k)[nf - k :].sum())

    share = w / degree
    if start is not None:
        lam = np.clip(start, 0.0, w)
    else:
        lam = share if lagrangian(share) <= total else np.zeros_like(w)
    lam = lam.astype(dtype)
    watcher = _Watcher(watch)
    upper, best_scores, best_lam = np.inf, np.zeros(nf), lam
    direction: FloatArray | None = None
    step = Step(patience=LARGE_STALL if dtype is np.float32 else STALL)
    chosen = np.zeros(nf, dtype=dtype)
    started = clock()
    for _ in range(max_iter):
        scores = at @ lam
        top = np.argpartition(-scores, k - 1)[:k]
        # Open sites per row: one product with the chosen sites' indicator (at 9 M pairs
        # 10 ms CPU in float32, where gathering the k chosen columns took 60-80 ms).
        chosen[top] = 1.0
        hits = a @ chosen
        chosen[top] = 0.0
        value = float(w[hits > 0].sum())
        if value > best_val:
            best_cols, best_val = np.sort(top), value
        bound = float(np.maximum(wd - lam, 0.0).sum(dtype=np.float64))
        bound += float(scores[top].sum(dtype=np.float64))
        improved = bound < upper and (upper == np.inf or bound < upper - 1e-9 * abs(upper))
        if improved:
            upper, best_scores, best_lam = bound, scores, lam
        step.record(improved=improved)
        if upper - best_val <= 1e-9 * abs(best_val) or step.exhausted:
            break
        if clock() - started > time_limit or watcher.stop(best_val, upper):
            break
        grad = hits - (wd > lam)
        # Project: no component that would leave 0 <= λ <= w.
        grad[((lam <= 0) & (grad > 0)) | ((lam >= wd) & (grad < 0))] = 0.0
        direction = grad if direction is None else DEFLECTION * grad + (1 - DEFLECTION) * direction
        norm = float(direction @ direction)
        if norm == 0:
            break
        length = step.mu * (bound - best_val) / norm
        if not math.isfinite(length):
            break
        # The step in float64: a vanishing float32 direction gives a length beyond float32's
        # range (NumPy would warn on the cast, and λ would hold inf or NaN); the clipped
        # multipliers lie in [0, w] and fit float32 again.
        lam = np.clip(lam - length * direction.astype(np.float64), 0.0, w).astype(dtype)
    if dtype is not np.float64 and upper < np.inf:
        # The float32 figures only steered the search: L at the best λ in float64 (valid for
        # any λ >= 0) is the bound.
        lam64 = best_lam.astype(np.float64)
        best_scores = sparse.csr_matrix(at, dtype=np.float64) @ lam64
        upper = float(np.maximum(w - lam64, 0.0).sum())
        upper += float(np.partition(best_scores, nf - k)[nf - k :].sum())
    return MclpLagrangian(
        upper,
        np.asarray(best_scores, dtype=np.float64),
        best_cols,
        best_val,
        watcher.stopped,
        multipliers=np.asarray(best_lam, dtype=np.float64),
    )


def _capped_simplex(v: FloatArray, k: int, scale: FloatArray) -> FloatArray:
    """The point x with 0 <= x <= 1, Σ x = k nearest to v in the norm Σ (x_j − v_j)² / scale_j:
    x = clip(v − t·scale, 0, 1) with t found by bisection (60 halvings of a bracket)."""
    lo = float(((v - 1.0) / scale).min()) - 1.0
    hi = float((v / scale).max()) + 1.0
    for _ in range(60):
        t = 0.5 * (lo + hi)
        if np.clip(v - t * scale, 0.0, 1.0).sum() > k:
            lo = t
        else:
            hi = t
    return np.clip(v - hi * scale, 0.0, 1.0)


def mclp_pdhg(
    cov: sparse.csr_matrix,
    w: FloatArray,
    k: int,
    best_cols: IntArray | None,
    best_val: float,
    *,
    time_limit: float,
    max_iter: int = 1_000_000,
    watch: Watch | None = None,
    done: Callable[[float, float], bool] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> MclpLagrangian:
    """The same bound as :func:`mclp_lagrangian`, L(λ) = Σ_i max(0, w_i − λ_i) + (sum of the k
    largest Σ_{i∈N_j} λ_i), valid for any λ >= 0, with λ from the primal-dual hybrid
    gradient method on the LP relaxation's saddle point
    min_{0<=λ<=w} max_{0<=x<=1, Σx=k} Σ_i (w_i − λ_i) + λᵀA x
    (Chambolle & Pock 2011) with their diagonal preconditioning (Pock & Chambolle 2011, α = 1:
    τ_j = 1 / (ω·|N_j|), σ_i = ω / |row i|, which converges without a norm estimate):
    x ← Π(x + τ Aᵀλ), λ ← clip(λ − σ(A(2x_new − x_old) − 1), 0, w), Π the scaled projection
    onto {0 <= x <= 1, Σx = k}; ω = PDHG_OMEGA_PER_MEAN_WEIGHT × mean(w). Each step is two
    sparse products, as a subgradient step, but it converges to the LP bound much faster:
    100,000 × 10,000 (9.0 M pairs), float32: 15,887,548 after 7.6 CPU s where the deflected
    subgradient was at 15,890,054 after 205 s (docs/decisions/0042).

    Shapes: ``cov`` rows × sites (boolean or 0/1), ``w`` one non-negative weight per row,
    1 <= k <= sites. Steps run in float32 from FLOAT32_MIN_PAIRS pairs on; the returned bound
    is L at the best λ recomputed in float64. Stops after ``time_limit`` (``clock`` seconds),
    ``max_iter`` steps, when ``done(bound, best_val)`` (checked with a 1e-5 relative margin
    for the float32 figures), when ``watch`` asks, or when the bound fell by less than
    PDHG_STALL_REL over PDHG_STALL_STEPS steps. The caller's incumbent passes through
    (``best_cols``, ``best_val``); ``primal`` is the last x, a start for a rounding
    heuristic; ``scores`` are Aᵀλ at the best λ."""
    dtype = np.float32 if cov.nnz >= FLOAT32_MIN_PAIRS else np.float64
    a = sparse.csr_matrix(cov, dtype=dtype)
    at = sparse.csr_matrix(a.T)
    n, nf = a.shape
    w = np.asarray(w, dtype=np.float64)
    total = float(w.sum())
    wd: npt.NDArray[np.floating[Any]] = w.astype(dtype)
    omega = PDHG_OMEGA_PER_MEAN_WEIGHT * max(total / max(n, 1), 1e-12)
    tau = 1.0 / (omega * np.maximum(np.diff(at.indptr), 1).astype(np.float64))
    sigma = (omega / np.maximum(np.diff(a.indptr), 1).astype(np.float64)).astype(dtype)
    lam = np.zeros(n, dtype=dtype)
    x = np.full(nf, k / nf)
    watcher = _Watcher(watch)
    upper, best_lam = np.inf, lam
    history: list[float] = []
    started = clock()
    for _ in range(max_iter):
        scores = at @ lam
        bound = total - float(lam.sum(dtype=np.float64))
        bound += float(np.partition(scores, nf - k)[nf - k :].sum(dtype=np.float64))
        if bound < upper:
            upper, best_lam = bound, lam
        history.append(upper)
        if done is not None and done(upper * (1 + 1e-5), best_val):
            break
        back = history[-PDHG_STALL_STEPS - 1] if len(history) > PDHG_STALL_STEPS else np.inf
        if back - upper < PDHG_STALL_REL * abs(upper):
            break
        if clock() - started > time_limit or watcher.stop(best_val, upper):
            break
        x_new = _capped_simplex(x + tau * scores, k, tau)
        moved = (2.0 * x_new - x).astype(dtype)
        lam = np.clip(lam - sigma * (a @ moved - dtype(1.0)), dtype(0.0), wd)
        x = x_new
    lam64 = best_lam.astype(np.float64)
    best_scores = sparse.csr_matrix(cov, dtype=np.float64).T @ lam64
    exact = float(np.maximum(w - lam64, 0.0).sum())
    exact += float(np.partition(best_scores, nf - k)[nf - k :].sum())
    if exact > total:
        # The float32 figures chose a λ whose float64 bound is above λ = 0's (the total
        # weight): λ = 0 is the better one, and its bound and scores are returned.
        best_scores, exact = np.zeros(nf), total
    return MclpLagrangian(
        exact,
        np.asarray(best_scores, dtype=np.float64),
        best_cols,
        best_val,
        watcher.stopped,
        primal=x,
    )


@dataclass
class PmedianLagrangian:
    bound: float  # L(u*) <= the optimum
    best_cols: IntArray | None  # None: nothing beat the caller's incumbent
    best_val: float
    stopped: bool = False  # the caller's watch asked to stop
    # Per site, Σ_i min(0, w_i d_ij − u_i) at the multipliers of the bound (None: no step).
    # Opening a site j outside L's choice instead of its k-th cheapest free site raises L by
    # ρ_j − ρ_(k): solve_pmedian closes the sites where that passes the incumbent.
    rho: FloatArray | None = None


def pmedian_lagrangian(
    dist: FloatArray,
    w: FloatArray,
    p: int,
    fixed: IntArray,
    incumbent: Sequence[int],
    upper: float,
    *,
    time_limit: float,
    truncation_min: int,
    truncation_factor: float,
    max_iter: int = 5_000,
    watch: Watch | None = None,
    cpu_limit: float = math.inf,
) -> PmedianLagrangian:
    """A lower bound on the p-median by subgradient optimisation of the relaxation of "every
    demand is assigned once" (Beasley 1993): with multipliers u,
    L(u) = Σ_i u_i + Σ_{j open} Σ_i min(0, w_i d_ij − u_i), the open sites being the fixed ones
    and the p − |fixed| others with the most negative sums. Every u gives a valid bound; u
    starts at the incumbent's cost per demand. Each step's open sites are also a solution,
    which improves the incumbent (``best_cols``/``best_val``; None: nothing beat it).

    Per demand only its 2 × `truncation_min` nearest sites, or those nearer than
    `truncation_factor` × the incumbent's distance, are kept, and u_i is held below w_i × the
    nearest distance left out, so the left-out pairs add nothing to L(u): the bound stays exact
    for the u used, at a fraction of the work per step."""
    m = dist.shape[1]
    served = dist[:, list(incumbent)].min(axis=1)
    if dist.size <= PMEDIAN_DENSE_MAX and p - fixed.size <= PMEDIAN_DENSE_MAX_K:
        return _pmedian_lagrangian_dense(
            dist,
            w,
            p,
            fixed,
            served,
            upper,
            time_limit=time_limit,
            cpu_limit=cpu_limit,
            max_iter=max_iter,
            watch=watch,
        )
    nearest = min(m, 2 * truncation_min) - 1
    reach = np.maximum(truncation_factor * served, np.partition(dist, nearest, axis=1)[:, nearest])
    keep = dist <= reach[:, None] + 1e-9
    rows, cols = np.nonzero(keep)
    cost = w[rows] * dist[rows, cols]
    nearest_left_out = np.where(keep, np.inf, dist).min(axis=1)
    u_max = np.full(w.size, np.inf)  # a demand with every site kept has no cap
    capped = np.isfinite(nearest_left_out)
    u_max[capped] = w[capped] * nearest_left_out[capped]
    is_free = np.ones(m, dtype=bool)
    is_free[fixed] = False
    free = np.flatnonzero(is_free)
    k = p - fixed.size
    u = np.minimum(w * served, u_max)
    best, step = -np.inf, Step()
    best_cols: IntArray | None = None
    best_rho: FloatArray | None = None
    watcher = _Watcher(watch)
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(max_iter):
        below = cost < u[rows]
        rho = np.bincount(cols[below], weights=cost[below] - u[rows[below]], minlength=m)
        picked = free[np.argpartition(rho[free], k - 1)[:k]] if k else free[:0]
        opened = np.zeros(m, dtype=bool)
        opened[fixed] = True
        opened[picked] = True
        value = float(u.sum() + rho[opened].sum())
        cost_of_opened = heuristics.assignment_cost(dist, w, np.flatnonzero(opened))
        if cost_of_opened < upper:
            best_cols, upper = np.flatnonzero(opened), cost_of_opened
        improved = best == -np.inf or value > best + 1e-9 * abs(best)
        if improved:
            best, best_rho = value, np.asarray(rho, dtype=np.float64)
        step.record(improved=improved)
        if upper - best <= 1e-9 * abs(upper) or step.exhausted:
            break
        if (
            time.perf_counter() - started > time_limit
            or time.process_time() - cpu_started > cpu_limit
            or watcher.stop(upper, best)
        ):
            break
        assigned = below & opened[cols]
        grad = 1.0 - np.bincount(rows[assigned], minlength=dist.shape[0])
        norm = float(grad @ grad)
        if norm == 0:
            break  # u is optimal: its assignment is feasible
        u = np.minimum(u + step.mu * (upper - value) / norm * grad, u_max)
    return PmedianLagrangian(best, best_cols, upper, watcher.stopped, best_rho)


def _pmedian_lagrangian_dense(
    dist: FloatArray,
    w: FloatArray,
    p: int,
    fixed: IntArray,
    served: FloatArray,
    upper: float,
    *,
    time_limit: float,
    cpu_limit: float,
    max_iter: int,
    watch: Watch | None,
) -> PmedianLagrangian:
    """pmedian_lagrangian over every pair, on the dense n × m cost matrix: ρ is one pass over
    it, the subgradient only looks at the k + |fixed| open columns."""
    m = dist.shape[1]
    cost = w[:, None] * dist
    buf = np.empty_like(cost)
    is_free = np.ones(m, dtype=bool)
    is_free[fixed] = False
    free = np.flatnonzero(is_free)
    k = p - fixed.size
    u = w * served
    best, step = -np.inf, Step()
    best_cols: IntArray | None = None
    best_rho: FloatArray | None = None
    watcher = _Watcher(watch)
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(max_iter):
        np.subtract(cost, u[:, None], out=buf)
        np.minimum(buf, 0.0, out=buf)
        rho = buf.sum(axis=0)
        picked = free[np.argpartition(rho[free], k - 1)[:k]] if k else free[:0]
        opened = np.concatenate([fixed, picked])
        value = float(u.sum() + rho[opened].sum())
        open_cost = cost[:, opened]
        cost_of_opened = float(open_cost.min(axis=1).sum())
        if cost_of_opened < upper:
            best_cols, upper = np.sort(opened), cost_of_opened
        improved = best == -np.inf or value > best + 1e-9 * abs(best)
        if improved:
            best, best_rho = value, rho
        step.record(improved=improved)
        if upper - best <= 1e-9 * abs(upper) or step.exhausted:
            break
        if (
            time.perf_counter() - started > time_limit
            or time.process_time() - cpu_started > cpu_limit
            or watcher.stop(upper, best)
        ):
            break
        grad = 1.0 - (open_cost < u[:, None]).sum(axis=1)
        norm = float(grad @ grad)
        if norm == 0:
            break  # u is optimal: its assignment is feasible
        u = u + step.mu * (upper - value) / norm * grad
    return PmedianLagrangian(best, best_cols, upper, watcher.stopped, best_rho)
