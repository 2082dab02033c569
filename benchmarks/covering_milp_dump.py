"""Dump the MILP that ``optimize.solve_mclp`` hands HiGHS (after the reductions, the
reduced-cost fixing and with the RENS incumbent as the start), or ``optimize.solve_lscp``
(the reduced core, from the greedy cover), for measuring other exact solvers on exactly that
model (issue 18, branch solvers).

``optimize._solve_milp`` and ``optimize._branch_and_bound`` (ours, decision 0089) are
wrapped: every call's arguments are recorded; the last call with integer columns is the
branch and bound of the proof (the earlier ones are RENS's LP and sub-MILP). Each cell is
written as ``<out>/<cell>.npz`` (cost, CSC matrix, row and column bounds, integrality,
start, the HiGHS options) with the CPU seconds of each call.

    .venv/bin/python benchmarks/covering_milp_dump.py --cells mclp-R30-p100 mclp-R50-p50 lscp-R30
        --out /tmp/solvers
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from planning_bench import sweden  # noqa: E402

from servicekontor.planning import heuristics, optimize  # noqa: E402


def dump(name: str, out: Path, limit: float) -> dict[str, Any]:
    """Solve the Swedish cell ``mclp-R{r}-p{p}`` or ``lscp-R{r}`` as planning_grid.ours does
    and write its last MILP to ``out/name.npz``; returns the calls' summaries (CPU s,
    status)."""
    problem, r, *p = name.split("-")
    radius = float(r[1:])
    calls: list[dict[str, Any]] = []
    real = optimize._solve_milp

    def recording(**kw: Any) -> Any:
        t0 = time.process_time()
        res = real(**kw)
        calls.append(
            {
                "kw": kw,
                "cpu": time.process_time() - t0,
                "status": res.status,
                "objective": res.objective,
                "bound": res.bound,
            }
        )
        return res

    real_branch = optimize._branch_and_bound

    def branching(**kw: Any) -> Any:
        # Our branch and bound (decision 0089) solves the MCLP's MILP where the {0,½}-cuts
        # are kept: recorded like a HiGHS call (the model it searched, the options HiGHS
        # would get for it).
        t0 = time.process_time()
        res = real_branch(**kw)
        model = {k: v for k, v in kw.items() if k not in ("lp", "integral", "watch")}
        model |= {"maximize": True, "options": optimize.MCLP_CUT_MILP_HIGHS_OPTIONS}
        calls.append(
            {
                "kw": model,
                "cpu": time.process_time() - t0,
                "status": res.status if res is not None else "LP failed",
                "objective": res.objective if res is not None else None,
                "bound": res.bound if res is not None else None,
            }
        )
        return res

    optimize._solve_milp = recording
    optimize._branch_and_bound = branching
    try:
        d, w = sweden()
        t0 = time.process_time()
        covers = optimize.coverage_matrix(d, radius)
        if problem == "mclp":
            s = optimize.solve_mclp(covers, w, int(p[0][1:]), time_limit=limit)
        else:
            start = heuristics.greedy_cover(covers)
            s = optimize.solve_lscp(covers, start=start, time_limit=limit)
        total = time.process_time() - t0
    finally:
        optimize._solve_milp = real
        optimize._branch_and_bound = real_branch
    last = [c for c in calls if np.any(c["kw"]["integer"])][-1]
    kw = last["kw"]
    np.savez_compressed(
        out / f"{name}.npz",
        cost=kw["cost"],
        indptr=kw["matrix"].indptr,
        indices=kw["matrix"].indices,
        data=kw["matrix"].data,
        shape=np.array(kw["matrix"].shape),
        row_lower=kw["row_lower"],
        row_upper=kw["row_upper"],
        col_lower=kw["col_lower"],
        col_upper=kw["col_upper"],
        integer=kw["integer"],
        start=kw["start"] if kw["start"] is not None else np.array([]),
        maximize=np.array(kw["maximize"]),
        offset=np.array(kw.get("offset", 0.0)),
        options=np.array(json.dumps(kw["options"])),
    )
    return {
        "cell": name,
        "objective": s.objective,
        "status": s.status,
        "cpu_total": round(total, 2),
        "calls": [
            {k: v for k, v in c.items() if k != "kw"}
            | {"integer": bool(np.any(c["kw"]["integer"]))}
            for c in calls
        ],
        "shape": list(kw["matrix"].shape),
        "free_sites": int(np.sum(kw["integer"] & (kw["col_upper"] > kw["col_lower"]))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", nargs="+", required=True)
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--limit", type=float, default=300.0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.cells:
        print(json.dumps(dump(name, args.out, args.limit)), flush=True)


if __name__ == "__main__":
    main()
