"""Decomposition measurements on the covering MILPs of issue 18's slow cells (branch decomp,
decision 0047). Reads the models `benchmarks/covering_milp_dump.py` writes (exactly what
HiGHS gets from `solve_mclp` / `solve_lscp`):

    .venv/bin/python benchmarks/covering_milp_dump.py --cells mclp-R30-p100 mclp-R50-p50 \
        lscp-R30 --out /tmp/decomp

then, each step printing CPU seconds (time.process_time, one HiGHS thread):

    components   connected components of the rows–sites coverage graph
    count        a cut of the sites (Fiedler order of the site graph) and Σ_A x = t: the LP
                 bound per t, and per surviving t the MILP proving "nothing better than the
                 incumbent" (MCLP: Σ w y >= incumbent + 1; LSCP: Σ x <= incumbent − 1)
    halves       set covering: fewest sites per side when the rows both sides cover are
                 dropped (a lower bound τ_A + τ_B), for the cuts with fewest such rows
    envelope     maximal covering: regions P of rows (one fractional site's rows, or the rows
                 of its fractional neighbours) and cuts Σ_P w y <= envelope of F_P(Σ_{N(P)} x),
                 F_P the best coverage of P with s of its sites: violated at the LP optimum?
    rowfix       maximal covering: rows every better solution covers (LP reduced cost of y_g
                 above LP − incumbent − 1) as covering rows Σ_{N_g} x >= 1, the rows whose
                 site set contains such a row's made constant, redundant covering rows and
                 dominated sites dropped; the MILP against the dumped one, seeds alternated

    .venv/bin/python benchmarks/covering_decomp.py components
    .venv/bin/python benchmarks/covering_decomp.py count --cell mclp-R30-p100 --incumbent 10076143
    .venv/bin/python benchmarks/covering_decomp.py count --cell lscp-R30 --incumbent 61
    .venv/bin/python benchmarks/covering_decomp.py halves
    .venv/bin/python benchmarks/covering_decomp.py envelope --cell mclp-R30-p100
    .venv/bin/python benchmarks/covering_decomp.py rowfix --cell mclp-R30-p100 \
        --incumbent 10075104 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components, laplacian
from scipy.sparse.linalg import eigsh

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from servicekontor.planning import highs, optimize  # noqa: E402

CELLS = ("mclp-R30-p100", "mclp-R50-p50", "lscp-R30")


def load(directory: Path, cell: str) -> dict[str, Any]:
    z = np.load(directory / f"{cell}.npz")
    d = {key: z[key] for key in z.files}
    d["A"] = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
    d["options"] = json.loads(str(z["options"]))
    return d


def coverage(d: dict[str, Any], cell: str) -> tuple[sparse.csr_matrix, Any, int]:
    """Rows × sites coverage, row weights and k (MCLP); the core and None, 0 (LSCP)."""
    a = d["A"]
    if cell.startswith("mclp"):
        g = a.shape[0] - 1
        nf = a.shape[1] - g
        cov = sparse.csr_matrix(-a[:g, :nf])
        cov.eliminate_zeros()
        return cov, d["cost"][nf:], int(d["row_lower"][-1])
    return sparse.csr_matrix(a), None, 0


def solve(
    d: dict[str, Any],
    extra: list[tuple[Any, float, float]] | None = None,
    *,
    integer: bool = True,
    start: Any = None,
    seed: int = 0,
    limit: float = 600.0,
) -> tuple[highs.MilpOutcome | None, float]:
    """The dumped model (plus rows (coefficients, lower, upper)); None when HiGHS found no
    feasible solution (with a cut-off row: nothing better exists)."""
    a, lo, hi = d["A"], d["row_lower"], d["row_upper"]
    for coef, row_lo, row_hi in extra or []:
        a = sparse.vstack([a, sparse.csr_matrix(np.asarray(coef).reshape(1, -1))])
        lo, hi = np.append(lo, row_lo), np.append(hi, row_hi)
    options = {**d["options"], "random_seed": seed}
    t0 = time.process_time()
    try:
        out: highs.MilpOutcome | None = highs.solve_milp(
            cost=d["cost"],
            matrix=sparse.csc_matrix(a),
            row_lower=lo,
            row_upper=hi,
            col_lower=d["col_lower"],
            col_upper=d["col_upper"],
            integer=d["integer"] if integer else np.zeros_like(d["integer"]),
            maximize=bool(d["maximize"]),
            start=start,
            time_limit=limit,
            mip_rel_gap=1e-9,
            options=options,
        )
    except RuntimeError:
        out = None
    return out, time.process_time() - t0


def fiedler(cov: sparse.csr_matrix) -> tuple[Any, Any, int]:
    """Sites ordered along the Fiedler vector of the site graph's largest component (sites
    sharing a row are adjacent); the component labels and the largest's label."""
    s = sparse.csr_matrix(cov.T @ cov, dtype=np.float64)
    s.setdiag(0)
    s.eliminate_zeros()
    _, label = connected_components(s, directed=False)
    main = int(np.argmax(np.bincount(label)))
    idx = np.flatnonzero(label == main)
    lap = laplacian(s[idx][:, idx], normed=True)
    vals, vecs = eigsh(lap, k=2, sigma=-1e-3, which="LM", v0=np.linspace(1, 2, idx.size))
    v = vecs[:, np.argsort(vals)[1]]
    if v[0] > 0:
        v = -v
    return idx[np.argsort(v)], label, main


def components(args: argparse.Namespace) -> None:
    for cell in CELLS:
        cov, _, _ = coverage(load(args.dir, cell), cell)
        r = cov.shape[0]
        graph = sparse.bmat([[None, cov], [cov.T, None]])
        n, label = connected_components(graph, directed=False)
        sizes = sorted(
            ((int((label[:r] == i).sum()), int((label[r:] == i).sum())) for i in range(n)),
            reverse=True,
        )
        print(
            f"{cell}: {cov.shape[0]} rows × {cov.shape[1]} sites, {n} components; "
            f"(rows, sites) of the largest: {sizes[:4]}; "
            f"{sum(a + b <= 2 for a, b in sizes)} of one row and one site"
        )


def count(args: argparse.Namespace) -> None:
    cell, inc = args.cell, args.incumbent
    d = load(args.dir, cell)
    cov, _, _ = coverage(d, cell)
    nf, ncol = cov.shape[1], d["A"].shape[1]
    mclp = cell.startswith("mclp")
    order, _, _ = fiedler(cov)
    lp, lp_cpu = solve(d, integer=False)
    assert lp is not None
    x = lp.x[:nf]
    whole, whole_cpu = solve(d, start=d["start"] if d["start"].size else None)
    assert whole is not None
    print(f"{cell}: LP {lp.objective:.2f} ({lp_cpu:.2f} s); whole MILP {whole.objective:.0f}")
    print(f"  whole MILP from the dump's start: {whole_cpu:.2f} CPU s")
    for frac in args.fractions:
        side = np.zeros(nf, dtype=bool)
        side[order[: int(frac * order.size)]] = True
        in_a = np.asarray(cov[:, side].sum(axis=1)).ravel() > 0
        in_b = np.asarray(cov[:, ~side].sum(axis=1)).ravel() > 0
        coef = np.zeros(ncol)
        coef[:nf] = side
        t_lp = float(x[side].sum())
        print(
            f"  cut {frac}: |A| = {side.sum()} sites, {(in_a & in_b).sum()} rows covered from "
            f"both sides, Σ_A x = {t_lp:.2f} at the LP"
        )
        bounds = []
        for t in range(int(t_lp) - 6, int(t_lp) + 8):
            o, _ = solve(d, [(coef, t, t)], integer=False)
            bounds.append((t, None if o is None else round(o.objective, 2)))
        print(f"    LP bound per t: {bounds}")
        if mclp:
            alive = [t for t, b in bounds if b is not None and b >= inc + 1 - 1e-6]
            cutoff = (d["cost"], inc + 1 - 1e-6, np.inf)
        else:
            alive = [t for t, b in bounds if b is not None and b <= inc - 1 + 1e-6]
            cutoff = (np.where(np.arange(ncol) < nf, 1.0, 0.0), -np.inf, inc - 1)
        total, per = 0.0, []
        for t in alive:
            o, c = solve(d, [(coef, t, t), cutoff])
            total += c
            better = o is not None and o.status == "Optimal"
            if better and o is not None:
                better = o.objective >= inc + 1 - 1e-6 if mclp else o.objective <= inc - 1 + 1e-6
            per.append((t, "better found" if better else "none better", round(c, 2)))
        print(f"    cut-off MILP per surviving t: {per}; total {total:.2f} CPU s")


def halves(args: argparse.Namespace) -> None:
    d = load(args.dir, "lscp-R30")
    cov, _, _ = coverage(d, "lscp-R30")
    nf = cov.shape[1]
    order, _, _ = fiedler(cov)

    def fewest(rows: Any, sites: Any) -> tuple[float, float, float]:
        sub = sparse.csr_matrix(cov[rows][:, sites])
        sub = sub[:, np.asarray(sub.sum(axis=0)).ravel() > 0]
        n = sub.shape[1]
        t0 = time.process_time()
        figures = []
        for integer in (True, False):
            o = highs.solve_milp(
                cost=np.ones(n),
                matrix=sub.tocsc(),
                row_lower=np.ones(sub.shape[0]),
                row_upper=np.full(sub.shape[0], np.inf),
                col_lower=np.zeros(n),
                col_upper=np.ones(n),
                integer=np.full(n, integer),
                maximize=False,
                start=None,
                time_limit=120,
                mip_rel_gap=1e-9,
                options=d["options"],
            )
            figures.append(o.objective)
        return figures[0], figures[1], time.process_time() - t0

    cuts = []
    for c in range(20, nf - 20, 5):
        side = np.zeros(nf, dtype=bool)
        side[order[:c]] = True
        in_a = np.asarray(cov[:, side].sum(axis=1)).ravel() > 0
        in_b = np.asarray(cov[:, ~side].sum(axis=1)).ravel() > 0
        cuts.append((int((in_a & in_b).sum()), c, side, in_a, in_b))
    cuts.sort(key=lambda cut: cut[0])
    for both, c, side, in_a, in_b in sorted(cuts[: args.best], key=lambda cut: cut[1]):
        ta, la, ca = fewest(in_a & ~in_b, side)
        tb, lb, cb = fewest(in_b & ~in_a, ~side)
        print(
            f"lscp-R30 |A| = {c}, {both} rows on both sides dropped: τ_A {ta:.0f} (LP {la:.2f}, "
            f"{ca:.2f} s) + τ_B {tb:.0f} (LP {lb:.2f}, {cb:.2f} s) = {ta + tb:.0f} "
            f"(the core's optimum: 61)"
        )


def envelope(args: argparse.Namespace) -> None:
    cell = args.cell
    d = load(args.dir, cell)
    cov, w, _ = coverage(d, cell)
    nf = cov.shape[1]
    csc = cov.tocsc()
    t0 = time.process_time()
    lp, _ = solve(d, integer=False)
    assert lp is not None
    x, y = lp.x[:nf], lp.x[nf:]

    def best_cover(rows: Any, sites: Any, s: int) -> float:
        sub = cov[rows][:, sites]
        r, n = sub.shape
        if s >= n:
            return float(w[rows][np.asarray(sub.sum(axis=1)).ravel() > 0].sum())
        m = sparse.bmat([[-sub, sparse.identity(r)], [np.ones((1, n)), None]]).tocsc()
        return highs.solve_milp(
            cost=np.concatenate([np.zeros(n), w[rows]]),
            matrix=m,
            row_lower=np.concatenate([np.full(r, -np.inf), [s]]),
            row_upper=np.concatenate([np.zeros(r), [s]]),
            col_lower=np.zeros(n + r),
            col_upper=np.ones(n + r),
            integer=np.concatenate([np.ones(n, dtype=bool), np.zeros(r, dtype=bool)]),
            maximize=True,
            start=None,
            time_limit=60,
            mip_rel_gap=1e-12,
            options=d["options"],
        ).objective

    for mode in ("site", "neighbours"):
        checked, violated, seen = 0, 0, set()
        for j in np.flatnonzero((x > 1e-6) & (x < 1 - 1e-6)):
            if mode == "site":
                rows = csc[:, j].indices
            else:
                near = np.unique(cov[csc[:, j].indices].indices)
                rows = np.unique(csc[:, near[x[near] > 1e-6]].indices)
            if tuple(rows) in seen or rows.size > args.max_rows:
                continue
            seen.add(tuple(rows))
            sites = np.unique(cov[rows].indices)
            s_lp, covered = float(x[sites].sum()), float(w[rows] @ y[rows])
            # F_P(s) for every s (nondecreasing, reaches w(P) by s = |N(P)|): the least
            # concave majorant at s_lp is the LP-valid cut's right-hand side.
            values = [0.0]
            while len(values) <= sites.size and values[-1] < w[rows].sum() - 1e-6:
                values.append(best_cover(rows, sites, len(values)))
            f = np.array(values)
            s = np.arange(f.size)
            checked += 1
            # Majorant at s_lp: min over lines through two points above all points.
            best = np.inf
            for a in range(f.size):
                for b in range(a + 1, f.size):
                    if a <= s_lp <= b:
                        slope = (f[b] - f[a]) / (b - a)
                        line = f[a] + slope * (s - a)
                        if np.all(f <= line + 1e-6) and slope >= 0:
                            best = min(best, f[a] + slope * (s_lp - a))
            if s_lp >= f.size - 1:
                best = min(best, float(f[-1]))
            if covered > best + 1e-3:
                violated += 1
        print(
            f"{cell} regions '{mode}' (up to {args.max_rows} rows): {checked} checked, "
            f"{violated} cuts violated at the LP optimum ({time.process_time() - t0:.1f} CPU s)"
        )


def lp_duals(
    cov: sparse.csr_matrix, w: Any, k: int, hard: Any
) -> tuple[float, Any, Any, sparse.csc_matrix]:
    """LP of max Σ w y, y_g <= Σ x (rows not hard), Σ_{N_g} x >= 1 (hard rows), Σ x = k:
    value (hard rows' weight included), primal and column duals."""
    nf = cov.shape[1]
    soft_rows, hard_rows = cov[~hard], cov[hard]
    gs = soft_rows.shape[0]
    m = sparse.bmat(
        [
            [-soft_rows, sparse.identity(gs)],
            [hard_rows, None],
            [sparse.csr_matrix(np.ones((1, nf))), None],
        ]
    ).tocsc()
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m.shape[1], m.shape[0]
    lp.col_cost_ = np.concatenate([np.zeros(nf), w[~hard]])
    lp.col_lower_, lp.col_upper_ = np.zeros(m.shape[1]), np.ones(m.shape[1])
    lp.row_lower_ = np.concatenate([np.full(gs, -inf), np.ones(hard_rows.shape[0]), [k]])
    lp.row_upper_ = np.concatenate([np.zeros(gs), np.full(hard_rows.shape[0], inf), [k]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = m.indptr, m.indices, m.data
    lp.sense_ = highspy.ObjSense.kMaximize
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    h.run()
    sol = h.getSolution()
    value = h.getInfo().objective_function_value + float(w[hard].sum())
    return value, np.asarray(sol.col_value), np.asarray(sol.col_dual), m


def rowfix(args: argparse.Namespace) -> None:
    cell, inc = args.cell, args.incumbent
    d = load(args.dir, cell)
    cov, w, k = coverage(d, cell)
    g, nf = cov.shape
    t0 = time.process_time()
    value, primal, dual, _ = lp_duals(cov, w, k, np.zeros(g, dtype=bool))
    y, dy = primal[nf:], dual[nf:]
    # Any solution leaving row g uncovered has y_g = 0, so it is worth at most LP − d_g
    # (d_g the reduced cost of y_g at its upper bound 1).
    hard = (y > 1 - 1e-9) & (dy > value - (inc + 1) + 1e-6 * abs(value))
    cov.sort_indices()
    sets = [frozenset(cov.indices[cov.indptr[i] : cov.indptr[i + 1]].tolist()) for i in range(g)]
    hard_idx = np.flatnonzero(hard)
    constant = np.zeros(g, dtype=bool)
    for i in np.flatnonzero(~hard):
        constant[i] = any(sets[h] <= sets[i] for h in hard_idx)
    redundant = np.zeros(g, dtype=bool)
    for a in hard_idx:
        redundant[a] = any(b != a and sets[b] < sets[a] for b in hard_idx)
    keep_hard, soft = hard & ~redundant, ~hard & ~constant
    rows = keep_hard | soft
    undominated, representative = optimize._undominated_columns(sparse.csr_matrix(cov[rows]))
    sub = sparse.csr_matrix(cov[rows][:, undominated])
    n2 = undominated.size
    soft_rows, hard_rows = sub[soft[rows]], sub[keep_hard[rows]]
    gs = soft_rows.shape[0]
    matrix = sparse.bmat(
        [
            [-soft_rows, sparse.identity(gs)],
            [hard_rows, None],
            [sparse.csr_matrix(np.ones((1, n2))), None],
        ]
    ).tocsc()
    position = np.full(nf, -1)
    position[undominated] = np.arange(n2)
    x0 = np.zeros(n2)
    x0[position[representative[np.flatnonzero(d["start"][:nf] > 0.5)]]] = 1.0
    warm = None
    if x0.sum() == k and np.all(hard_rows @ x0 >= 1):
        warm = np.concatenate([x0, (soft_rows @ x0 > 0).astype(np.float64)])
    prep = time.process_time() - t0
    print(
        f"{cell}: LP {value:.2f}, incumbent {inc:.0f}: {hard.sum()} of {g} rows covered by every "
        f"better solution ({w[hard].sum():.0f} of {w.sum():.0f} people), {redundant.sum()} of "
        f"them redundant, {constant.sum()} other rows covered with them; left {rows.sum()} rows "
        f"({keep_hard.sum()} covering, {gs} weighted) × {n2} of {nf} sites; {prep:.2f} CPU s"
        f"{'' if warm is not None else '; the start leaves a covering row uncovered'}"
    )
    for seed in args.seeds:
        plain, plain_cpu = solve(d, start=d["start"], seed=seed)
        t1 = time.process_time()
        fixed = highs.solve_milp(
            cost=np.concatenate([np.zeros(n2), w[rows][soft[rows]]]),
            matrix=matrix,
            row_lower=np.concatenate([np.full(gs, -np.inf), np.ones(hard_rows.shape[0]), [k]]),
            row_upper=np.concatenate([np.zeros(gs), np.full(hard_rows.shape[0], np.inf), [k]]),
            col_lower=np.zeros(n2 + gs),
            col_upper=np.ones(n2 + gs),
            integer=np.concatenate([np.ones(n2, dtype=bool), np.zeros(gs, dtype=bool)]),
            maximize=True,
            offset=float(w[hard | constant].sum()),
            start=warm,
            time_limit=600,
            mip_rel_gap=1e-9,
            options={**d["options"], "random_seed": seed},
        )
        fixed_cpu = time.process_time() - t1
        assert plain is not None
        print(
            f"  seed {seed}: dumped MILP {plain.objective:.0f} in {plain_cpu:.2f} CPU s; "
            f"with the rows fixed {fixed.objective:.0f} in {fixed_cpu:.2f} (+ {prep:.2f}) CPU s",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("step", choices=["components", "count", "halves", "envelope", "rowfix"])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/decomp"))
    parser.add_argument("--cell", default="mclp-R30-p100")
    parser.add_argument("--incumbent", type=float, default=10_076_143)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.5])
    parser.add_argument("--best", type=int, default=8)
    parser.add_argument("--max-rows", type=int, default=60)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    globals()[args.step](args)


if __name__ == "__main__":
    main()
