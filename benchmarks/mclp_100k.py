"""Issue 18's 100,000 × 10,000 maximal covering: which side of the gap is off, in CPU seconds.

Builds the merged model of a synthetic scaling instance (`planning_bench.synthetic`, R = 10 km,
p = demand / 200) as `optimize.solve_mclp` does, then measures one part at a time in this
process's CPU seconds (the machine is shared: wall seconds wait for other work):

* ``interchange``: greedy, then one swap per pass (`cover_interchange`) against many far-apart
  swaps per pass (`cover_interchange_batch`), from the same greedy;
* ``local-search``: `cover_iterated_local_search` from the batch interchange's answer;
* ``bound``: `subgradient.mclp_lagrangian` for the given CPU seconds, float64 and float32
  steps (`FLOAT32_MIN_PAIRS`), against the given incumbent;
* ``pdhg``: `subgradient.mclp_pdhg` (the LP's saddle point by preconditioned primal-dual
  steps, decision 0042) for the given CPU seconds, its bound after each tenth of them, then
  the batch interchange from its fractional sites' k largest;
* ``lp``: the LP relaxation by HiGHS's interior point method (30,000 × 3,000: 12.5 CPU s;
  100,000 × 10,000: about 3 CPU minutes per iteration, not finished).

    .venv/bin/python benchmarks/mclp_100k.py --n 100000 interchange local-search --seconds 30
    .venv/bin/python benchmarks/mclp_100k.py --n 30000 bound --seconds 10 --incumbent 3886138
    .venv/bin/python benchmarks/mclp_100k.py --n 30000 lp
    .venv/bin/python benchmarks/mclp_100k.py --n 100000 pdhg bound --seconds 30 --incumbent 15727545
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from planning_bench import coverage_within, synthetic  # noqa: E402

from servicekontor.planning import heuristics, optimize, subgradient  # noqa: E402


def model(n: int) -> tuple[sparse.csr_matrix, np.ndarray, int]:
    demand, cands, w = synthetic(n, n // 10)
    cov = sparse.csr_matrix(coverage_within(demand, cands, 10.0), dtype=bool)
    keep = (np.asarray(cov.sum(axis=1)).ravel() > 0) & (w > 0)
    g, gw = optimize._merge_rows(cov[keep], w[keep])
    print(f"{n:,} × {n // 10:,}: merged {g.shape[0]:,} rows, {g.nnz:,} pairs", flush=True)
    return g, gw, n // 200


def interchange(g: sparse.csr_matrix, gw: np.ndarray, k: int, seconds: float) -> list[int]:
    c = time.process_time()
    start = heuristics.lazy_greedy_cover(g, gw, k)
    print(f"greedy {optimize_value(g, gw, start):,.0f} ({time.process_time() - c:.1f} CPU s)")
    c = time.process_time()
    chosen, swaps, value = heuristics.cover_interchange_batch(
        g, gw, start, time_limit=seconds, clock=time.process_time
    )
    print(f"batch interchange {value:,.0f}: {swaps} swaps, {time.process_time() - c:.1f} CPU s")
    c = time.process_time()
    single = heuristics.cover_interchange(g, gw, start, time_limit=seconds)
    print(
        f"one swap a pass {single[2]:,.0f}: {single[1]} swaps, {time.process_time() - c:.1f} CPU s"
    )
    return chosen


def optimize_value(g: sparse.csr_matrix, gw: np.ndarray, cols: list[int]) -> float:
    return float(gw[np.asarray(g[:, cols].sum(axis=1)).ravel() > 0].sum())


def local_search(g: sparse.csr_matrix, gw: np.ndarray, k: int, seconds: float) -> None:
    start = heuristics.lazy_greedy_cover(g, gw, k)
    start, _, value = heuristics.cover_interchange_batch(g, gw, start)
    c = time.process_time()
    _, found = heuristics.cover_iterated_local_search(
        g,
        gw,
        start,
        kick=max(1, round(k / optimize.LOCAL_SEARCH_KICK_PER)),
        time_limit=seconds,
        clock=time.process_time,
    )
    print(f"local search {value:,.0f} → {found:,.0f} in {time.process_time() - c:.1f} CPU s")


def bound(g: sparse.csr_matrix, gw: np.ndarray, k: int, seconds: float, incumbent: float) -> None:
    for pairs in (10**12, 0):  # float64, then float32 steps
        subgradient.FLOAT32_MIN_PAIRS = pairs
        c = time.process_time()
        lag = subgradient.mclp_lagrangian(
            g, gw, k, None, incumbent, time_limit=seconds, clock=time.process_time
        )
        kind = "float32" if pairs == 0 else "float64"
        print(
            f"bound {kind}: {lag.upper:,.0f} ({(lag.upper - incumbent) / incumbent:.3%} above"
            f" {incumbent:,.0f}), {time.process_time() - c:.1f} CPU s"
        )


def pdhg(g: sparse.csr_matrix, gw: np.ndarray, k: int, seconds: float, incumbent: float) -> None:
    c = time.process_time()
    seen: list[tuple[float, float]] = []  # (CPU s, the float32 steps' bound), every 0.25 s

    def watch(_best: float, upper: float) -> bool:
        seen.append((time.process_time() - c, upper))
        return False

    lag = subgradient.mclp_pdhg(
        g, gw, k, None, incumbent, time_limit=seconds, watch=watch, clock=time.process_time
    )
    every = max(1, len(seen) // 10)
    print("pdhg on the way: " + ", ".join(f"{t:.1f} s {u:,.0f}" for t, u in seen[::every]))
    print(
        f"pdhg: {lag.upper:,.0f} ({(lag.upper - incumbent) / incumbent:.3%} above"
        f" {incumbent:,.0f}), {time.process_time() - c:.1f} CPU s (stall rule or limit)"
    )
    assert lag.primal is not None
    c = time.process_time()
    top = np.argsort(-lag.primal, kind="stable")[:k].tolist()
    _, swaps, value = heuristics.cover_interchange_batch(
        g, gw, top, time_limit=seconds, clock=time.process_time
    )
    print(
        f"batch interchange from the primal's top {k}: {optimize_value(g, gw, top):,.0f} → "
        f"{value:,.0f} ({swaps} swaps, {time.process_time() - c:.1f} CPU s)"
    )


def lp(g: sparse.csr_matrix, gw: np.ndarray, k: int) -> None:
    os.environ.setdefault("PLANNING_HIGHS_LOG", "")
    from servicekontor.planning import highs

    highs.HIGHS_OPTIONS.update({"solver": "ipm", "run_crossover": "off"})
    c = time.process_time()
    nf = g.shape[1]
    out = optimize._mclp_milp(
        g,
        gw,
        k,
        col_lower=np.zeros(nf),
        col_upper=np.ones(nf),
        start=None,
        time_limit=1e9,
        mip_rel_gap=1e-9,
        relax=True,
    )
    print(f"LP relaxation {out.objective:,.1f} ({out.status}), {time.process_time() - c:.1f} CPU s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "what", nargs="+", choices=("interchange", "local-search", "bound", "pdhg", "lp")
    )
    parser.add_argument("--n", type=int, default=100_000, help="demand points (sites: n / 10)")
    parser.add_argument("--seconds", type=float, default=30.0, help="CPU seconds per part")
    parser.add_argument("--incumbent", type=float, default=0.0, help="for the bound's steps")
    args = parser.parse_args()
    g, gw, k = model(args.n)
    for what in args.what:
        if what == "interchange":
            interchange(g, gw, k, args.seconds)
        elif what == "local-search":
            local_search(g, gw, k, args.seconds)
        elif what == "bound":
            bound(g, gw, k, args.seconds, args.incumbent)
        elif what == "pdhg":
            pdhg(g, gw, k, args.seconds, args.incumbent)
        else:
            lp(g, gw, k)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
