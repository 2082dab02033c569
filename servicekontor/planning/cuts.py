"""Zero-half cuts for set covering (issue 18, decision 0061). Pure module (no Django).

A {0,½}-Chvátal–Gomory cut of the covering rows Σ_{N_i} x ≥ 1 (Caprara & Fischetti 1996):
take a set U of rows and a set J of columns whose upper bounds x_j ≤ 1 are added in the
form −x_j ≥ −1; the sum Σ_j (count_j(U) − [j ∈ J]) x_j ≥ |U| − |J| halved, each coefficient
rounded up (x ≥ 0) and then the right-hand side rounded up (the left is an integer at any
0/1 point) gives

    Σ_j ⌈(count_j(U) − [j ∈ J]) / 2⌉ x_j ≥ ⌈(|U| − |J|) / 2⌉,

valid for every 0/1 cover, whatever U and J ⊆ {j : count_j(U) ≥ 1}. At an LP point x* it is
violated (by (1 − cost)/2) iff cost = Σ_{i∈U} slack_i + Σ_{j odd} (x*_j if j ∉ J else
1 − x*_j) < 1 with |U| − |J| odd, so J is the odd columns with x*_j > ½, one of them
toggled (the cheapest: |1 − 2x*_j|) when the parity is even.

The separator (Koster, Zymolka & Kutschka 2009) eliminates the fractional columns over
GF(2) from the rows with slack below 1, in order of slack, combining at most ``MAX_ROWS``
rows per cut. Without the cap the cuts combine 50–80 rows (200–400 nonzeros against 11–20 a
covering row) and make the MILP 3–10× slower; with 6 rows a cut has 7–75 nonzeros and three
rounds lift the LP about as far (``lscp-R30``'s core: 58.80 → 59.05, uncapped 59.07).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from scipy import sparse

from servicekontor.planning import highs

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# A column counts as fractional strictly between these.
FRACTIONAL = 1e-6
# Cuts violated by less (in the halved form) are not kept.
MIN_VIOLATION = 0.02
# Rows combined into one cut at most (dense cuts slow the MILP's LPs).
MAX_ROWS = 6


def zero_half_cut(a: sparse.csr_matrix, rows: IntArray, x: FloatArray) -> tuple[IntArray, int]:
    """The strongest {0,½}-cut at ``x`` from the rows ``rows`` of ``a`` (n × m, 0/1): its
    integer coefficients (length m) and right-hand side, J chosen as described above."""
    counts = np.asarray(a[rows].sum(axis=0)).reshape(1, -1).astype(np.int64)
    coef, rhs = _cuts_of_sets(counts, np.array([len(rows)]), x)
    return coef[0], int(rhs[0])


def _cuts_of_sets(
    counts: npt.NDArray[np.int64], sizes: IntArray, x: FloatArray
) -> tuple[IntArray, IntArray]:
    """The {0,½}-cut of each row set U (one per row of ``counts``: how many of U's rows
    contain each column; ``sizes``: |U|): J = the odd columns with x > ½, the odd column
    nearest ½ toggled in or out when |U| − |J| is even."""
    odd = counts % 2 == 1
    in_j = odd & (x > 0.5)[None, :]
    even = (sizes - in_j.sum(axis=1)) % 2 == 0
    dist = np.where(odd, np.abs(1.0 - 2.0 * x)[None, :], np.inf)
    nearest = np.argmin(dist, axis=1)
    rows = np.flatnonzero(even & np.isfinite(dist.min(axis=1)))
    in_j[rows, nearest[rows]] ^= True
    reduced = counts - in_j
    return (reduced + 1) // 2, (sizes - in_j.sum(axis=1) + 1) // 2


def zero_half_cuts(
    a: sparse.csr_matrix, x: FloatArray, *, max_cuts: int = 100
) -> tuple[sparse.csr_matrix, IntArray]:
    """Violated {0,½}-cuts of the covering rows ``a`` x ≥ 1 at the LP point ``x``, the most
    violated first, at most ``max_cuts``: (cuts as rows of a k × m matrix, right-hand sides)."""
    a = sparse.csr_matrix(a, dtype=np.float64)
    m = a.shape[1]
    empty = (sparse.csr_matrix((0, m)), np.zeros(0, dtype=np.int64))
    slack = a @ x - 1.0
    frac = np.flatnonzero((x > FRACTIONAL) & (x < 1.0 - FRACTIONAL))
    if frac.size == 0:
        return empty
    sub = sparse.csr_matrix(a[:, frac])
    touches = np.diff(sub.indptr) > 0
    cand = np.flatnonzero((slack < 1.0 - 1e-9) & touches)
    if cand.size == 0:
        return empty
    b = sub[cand].toarray()  # |R| × |F|, 0/1
    s = np.maximum(slack[cand], 0.0)
    f = np.minimum(x[frac], 1.0 - x[frac])
    fix = np.abs(1.0 - 2.0 * x[frac])
    high = (x > 0.5).astype(np.float64)
    # Toggling row i flips the parity of |U| − |J| iff 1 + |N_i ∩ {x > ½}| is odd.
    flips = ((1.0 + np.asarray(a[cand] @ high).ravel()) % 2).astype(bool)
    # Gaussian elimination over GF(2) (Koster, Zymolka & Kutschka 2009): rows in order of
    # slack; each fractional column in turn is eliminated with the row of least slack having
    # it odd, that row added (mod 2; slacks add) into every other row having it. Every
    # combination met on the way is a candidate set U (tracked in ``u``); its cost is its
    # slack, plus f_j for each column left odd, plus the parity term.
    order = np.argsort(s, kind="stable")
    cand, b, s, flips = cand[order], b[order], s[order], flips[order]
    k = cand.size
    bits = b.astype(bool)
    u = np.eye(k, dtype=bool)
    par = flips.copy()
    sig = s.copy()
    used = np.zeros(k, dtype=bool)
    size = np.ones(k, dtype=np.int64)

    def costs(r: IntArray) -> FloatArray:
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
        others = others[(others != pivot) & (size[others] + size[pivot] <= MAX_ROWS)]
        if others.size == 0:
            continue
        # Only the pivot row's own columns and rows change (a set U holds at most MAX_ROWS
        # rows: the dense XOR over all k was most of the elimination's time).
        at = others[:, None]
        bits[at, np.flatnonzero(bits[pivot])] ^= True
        held = np.flatnonzero(u[pivot])
        block = u[at, held]
        size[others] += held.size - 2 * block.sum(axis=1)
        u[at, held] = ~block
        par[others] ^= par[pivot]
        sig[others] += sig[pivot]
        now = costs(others)
        better = now < cost[others] - 1e-9
        cost[others[better]] = now[better]
        best_u[others[better]] = u[others[better]]
    u = best_u
    good = np.flatnonzero(cost < 1.0 - 2 * MIN_VIOLATION)
    good = good[np.argsort(cost[good], kind="stable")][: 3 * max_cuts]
    if good.size == 0:
        return empty
    candidates = u[good]
    sets = candidates[np.unique(_row_keys(candidates), return_index=True)[1]]
    counts = np.rint((sparse.csr_matrix(sets, dtype=np.float64) @ a[cand]).toarray())
    coef, rhs = _cuts_of_sets(counts.astype(np.int64), sets.sum(axis=1), x)
    violation = rhs - coef @ x
    keep = np.flatnonzero(violation >= MIN_VIOLATION)
    if keep.size == 0:
        return empty
    coef, rhs, violation = coef[keep], rhs[keep], violation[keep]
    _, first = np.unique(_row_keys(np.column_stack([coef, rhs])), return_index=True)
    first = first[np.argsort(-violation[first], kind="stable")][:max_cuts]
    return sparse.csr_matrix(coef[first].astype(np.float64)), rhs[first].astype(np.int64)


def _row_keys(rows: npt.NDArray[np.bool_] | IntArray) -> npt.NDArray[np.void]:
    """Each row of a 2-D boolean or integer array as one opaque value, ordered and equal as
    the rows are lexicographically: np.unique over them is np.unique(rows, axis=0) (the
    same order and first indices) at a fraction of its time (booleans packed 8 to a byte,
    most significant first; integers as big-endian bytes with the sign bit flipped)."""
    if rows.dtype == np.bool_:
        packed = np.packbits(rows, axis=1)
    else:
        flipped = rows.astype(np.int64).view(np.uint64) ^ np.uint64(1 << 63)
        packed = flipped.astype(">u8")
    packed = np.ascontiguousarray(packed)
    width = packed.dtype.itemsize * packed.shape[1]
    return packed.view(np.dtype((np.void, width))).ravel()


@dataclass
class CutRounds:
    """What :func:`cut_rounds` found: the cuts (rows over the columns) and their right-hand
    sides, the LP value before and after, and the CPU seconds spent."""

    cuts: sparse.csr_matrix
    rhs: IntArray
    lp_before: float
    lp_after: float
    rounds: int
    cpu: float


def cut_rounds(
    a: sparse.csr_matrix,
    *,
    rounds: int = 3,
    max_cuts: int = 100,
) -> CutRounds:
    """The covering LP min Σx, ``a`` x ≥ 1, 0 ≤ x ≤ 1, re-solved (warm, one HiGHS) with up to
    ``rounds`` rounds of :func:`zero_half_cuts` added."""
    started = time.process_time()
    a = sparse.csr_matrix(a, dtype=np.float64)
    n, m = a.shape
    solver = highs.lp_solver(
        cost=np.ones(m),
        matrix=a.tocsc(),
        row_lower=np.ones(n),
        row_upper=np.full(n, np.inf),
        col_lower=np.zeros(m),
        col_upper=np.ones(m),
    )
    solver.run()
    x = np.asarray(solver.getSolution().col_value, dtype=np.float64)
    before = float(solver.getInfo().objective_function_value)
    value = before
    all_cuts: list[sparse.csr_matrix] = []
    all_rhs: list[IntArray] = []
    done = 0
    for _ in range(rounds):
        cuts, rhs = zero_half_cuts(a, x, max_cuts=max_cuts)
        if rhs.size == 0:
            break
        done += 1
        all_cuts.append(cuts)
        all_rhs.append(rhs)
        cuts = sparse.csr_matrix(cuts)
        solver.addRows(
            int(rhs.size),
            rhs.astype(np.float64),
            np.full(rhs.size, highspy.kHighsInf),
            int(cuts.nnz),
            cuts.indptr[:-1].astype(np.int32),
            cuts.indices.astype(np.int32),
            cuts.data.astype(np.float64),
        )
        solver.run()
        x = np.asarray(solver.getSolution().col_value, dtype=np.float64)
        value = float(solver.getInfo().objective_function_value)
    if all_cuts:
        stacked = sparse.csr_matrix(sparse.vstack(all_cuts))
        rhs_all = np.concatenate(all_rhs)
    else:
        stacked, rhs_all = sparse.csr_matrix((0, m)), np.zeros(0, dtype=np.int64)
    return CutRounds(stacked, rhs_all, before, value, done, time.process_time() - started)


def complemented_rounds(
    solver: highspy.Highs,
    cover: sparse.csr_matrix,
    flipped: npt.NDArray[np.bool_],
    *,
    rounds: int,
    max_cuts: int = 100,
) -> CutRounds:
    """{0,½}-cuts of covering rows in which some columns enter complemented, added to the LP
    ``solver`` holds (a minimisation over the same columns; run here, then re-solved warm
    after each round, up to ``rounds`` rounds or until a round finds no cut).

    ``cover`` (rows × the solver's columns, 0/1) are rows Σ_j a_ij u_j ≥ 1 in the columns
    u_j = x_j, or u_j = 1 − x_j where ``flipped`` — the maximal covering's y_i ≤ Σ_{N_i} x
    is Σ_{N_i} x + (1 − y_i) ≥ 1. A cut Σ_j c_j u_j ≥ r of those rows (valid at every 0/1
    point satisfying them, :func:`zero_half_cuts`) is returned in the columns x:
    Σ_{not flipped} c_j x_j − Σ_{flipped} c_j x_j ≥ r − Σ_{flipped} c_j. Valid wherever
    the columns are 0/1; the caller keeps them only where some optimum is a 0/1 point (the
    maximal covering's y are at an optimum). ``lp_before`` / ``lp_after``: the solver's
    objective before and after."""
    started = time.process_time()
    cover = sparse.csr_matrix(cover, dtype=np.float64)
    m = cover.shape[1]
    sign = np.where(flipped, -1.0, 1.0)
    solver.run()
    before = float(solver.getInfo().objective_function_value)
    value = before
    all_cuts: list[sparse.csr_matrix] = []
    all_rhs: list[IntArray] = []
    done = 0
    for _ in range(rounds):
        col = np.asarray(solver.getSolution().col_value, dtype=np.float64)
        u = np.where(flipped, 1.0 - col, col)
        found, rhs = zero_half_cuts(cover, u, max_cuts=max_cuts)
        if rhs.size == 0:
            break
        found = sparse.csr_matrix(found)
        shift = np.rint(np.asarray(found[:, flipped].sum(axis=1)).ravel()).astype(np.int64)
        cuts = sparse.csr_matrix(found @ sparse.diags(sign))
        lower = rhs - shift
        done += 1
        all_cuts.append(cuts)
        all_rhs.append(lower)
        solver.addRows(
            int(lower.size),
            lower.astype(np.float64),
            np.full(lower.size, highspy.kHighsInf),
            int(cuts.nnz),
            cuts.indptr[:-1].astype(np.int32),
            cuts.indices.astype(np.int32),
            cuts.data.astype(np.float64),
        )
        solver.run()
        value = float(solver.getInfo().objective_function_value)
    if all_cuts:
        stacked = sparse.csr_matrix(sparse.vstack(all_cuts))
        rhs_all = np.concatenate(all_rhs)
    else:
        stacked, rhs_all = sparse.csr_matrix((0, m)), np.zeros(0, dtype=np.int64)
    return CutRounds(stacked, rhs_all, before, value, done, time.process_time() - started)
