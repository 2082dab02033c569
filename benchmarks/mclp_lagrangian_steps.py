"""The maximal-covering Lagrangian bound after an equal number of steps: the rule before
issue 18's scaling work (λ = w/degree, plain subgradient) against the better start and the
deflected direction (``subgradient.DEFLECTION``), on the synthetic scaling
instances (issue 18). Same instance, same incumbent, same step count in one run; prints one
Markdown row per instance and rule, with the process CPU seconds and the load average.

    .venv/bin/python benchmarks/mclp_lagrangian_steps.py --sizes 30000 --steps 800
    .venv/bin/python benchmarks/mclp_lagrangian_steps.py --sizes 100000 --steps 1000
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


def lagrangian(at: sparse.csr_matrix, w: np.ndarray, k: int, lam: np.ndarray) -> float:
    """L(λ) of subgradient.mclp_lagrangian at one λ."""
    scores = at @ lam
    return float(w.sum() - lam.sum() + np.sort(scores)[-k:].sum())


def compare(n: int, steps: int) -> None:
    m, k = n // 10, n // 200
    demand, cands, weights = synthetic(n, m)
    cov = coverage_within(demand, cands, 10.0)
    keep = (np.asarray(cov.sum(axis=1)).ravel() > 0) & (weights > 0)
    g, w = optimize._merge_rows(sparse.csr_matrix(cov[keep]), weights[keep])
    h = heuristics.greedy_interchange_cover(g, w, k, time_limit=30.0)
    at = sparse.csr_matrix(g.T, dtype=np.float64)
    degree = np.maximum(np.diff(g.indptr), 1)
    starts = {"w/degree": lagrangian(at, w, k, w / degree), "0": lagrangian(at, w, k, 0 * w)}
    print(
        f"{n:,} × {m:,}: {g.shape[0]:,} merged rows, {g.nnz:,} pairs, incumbent "
        f"{h.objective:,.0f}; L at λ = "
        + ", ".join(f"{name}: {v:,.0f} ({v / h.objective - 1:.2%})" for name, v in starts.items())
    )
    print("| instance | rule | steps | CPU s | bound | gap to the incumbent | load |")
    print("|---|---|---:|---:|---:|---:|---:|")
    deflected = subgradient.DEFLECTION
    rules = (
        ("before: λ = w/degree, plain subgradient", w / degree, 1.0),
        ("better start, plain subgradient", None, 1.0),
        (f"better start, deflected ({deflected:g}): now", None, deflected),
    )
    for rule, start, deflection in rules:
        subgradient.DEFLECTION = deflection
        cpu = time.process_time()
        lag = subgradient.mclp_lagrangian(
            g, w, k, np.asarray(h.chosen), h.objective, time_limit=1e9, max_iter=steps, start=start
        )
        cpu = time.process_time() - cpu
        print(
            f"| {n:,} × {m:,} | {rule} | {steps} | {cpu:.1f} | {lag.upper:,.0f} |"
            f" {lag.upper / h.objective - 1:.3%} | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000])
    parser.add_argument("--steps", type=int, default=800)
    args = parser.parse_args()
    for n in args.sizes:
        compare(n, args.steps)


if __name__ == "__main__":
    main()
