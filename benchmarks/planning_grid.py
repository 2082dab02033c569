"""Network planning over a grid of questions: this project against PySAL spopt, cell by cell.

Issue 18: the solver must be fast on every question a planner asks, not only on one. Cells:

* ``mclp-R{r}-p{p}``: maximal covering, Swedish instance (all 1,323 GeoNames localities as
  demand and candidates), R = 10, 20, 30, 40, 50 km, p = 20, 50, 100, 150;
* ``lscp-R{r}``: set covering at each radius;
* ``pmedian-p{p}``: p-median (no radius), p = 20, 50, 100, 150;
* ``registry-{date}-k{k}-{objective}``: the registry's network on 2019-06-01 and 2026-01-01
  (loaded from reference_data/ by ``load_reference_data`` into a scratch SQLite database) kept,
  K = 5 and 20 offices added, coverage (R = 25 km) and distance; ours is ``plans.plan``, the
  `plan propose` command's path end to end.

Each cell runs ours and then spopt 0.7 (PuLP; CBC for MCLP/LSCP, HiGHS for the p-median),
each in a forked child with a time limit, in the same run, and appends both records (with the
load average) to ``benchmarks/results/planning_grid.jsonl``. ``--write`` renders the newest
record of every cell into docs/benchmarks.md.

Run in pieces (the machine is shared)::

    .venv/bin/python benchmarks/planning_grid.py --cells lscp
    .venv/bin/python benchmarks/planning_grid.py --cells mclp-R30 --cells mclp-R40
    .venv/bin/python benchmarks/planning_grid.py --write     # table only, from the records
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from planning_bench import coverage_within, sweden, synthetic, write_section  # noqa: E402

from servicekontor.planning import heuristics, optimize, plans  # noqa: E402

RADII = (10, 20, 30, 40, 50)
PS = (20, 50, 100, 150)
DATES = (dt.date(2019, 6, 1), dt.date(2026, 1, 1))
KS = (5, 20)
REGISTRY_RADIUS = 25.0
RESULTS = REPO / "benchmarks" / "results" / "planning_grid.jsonl"
START, END = "<!-- planning_grid:start -->", "<!-- planning_grid:end -->"
# Scaling: synthetic MCLP (planning_bench.synthetic), R = 10 km, p = candidates / 20.
SCALING = ((3_000, 300, 15), (10_000, 1_000, 50), (30_000, 3_000, 150), (100_000, 10_000, 500))
SCALING_GAP = 0.01
SCALING_LIMIT = 60.0
SCALING_RESULTS = REPO / "benchmarks" / "results" / "planning_scaling.jsonl"
SCALING_START, SCALING_END = "<!-- planning_scaling:start -->", "<!-- planning_scaling:end -->"


@dataclass(frozen=True)
class Cell:
    name: str
    problem: str  # mclp, lscp, pmedian
    radius: float | None = None
    p: int | None = None
    day: dt.date | None = None
    k: int | None = None


def all_cells() -> list[Cell]:
    cells = [Cell(f"lscp-R{r}", "lscp", radius=r) for r in RADII]
    cells += [Cell(f"mclp-R{r}-p{p}", "mclp", radius=r, p=p) for r in RADII for p in PS]
    cells += [Cell(f"pmedian-p{p}", "pmedian", p=p) for p in PS]
    cells += [
        Cell(
            f"registry-{day}-k{k}-{objective}",
            "mclp" if objective == "coverage" else "pmedian",
            radius=REGISTRY_RADIUS,
            day=day,
            k=k,
        )
        for day in DATES
        for k in KS
        for objective in ("coverage", "distance")
    ]
    return cells


# ------------------------------------------------------------------ the registry's network


def registry_networks() -> dict[dt.date, tuple[plans.Site, ...]]:
    """The offices operating on each of DATES, read through the planner's own query from a
    scratch SQLite database loaded with the reference data."""
    scratch = Path(tempfile.mkdtemp(prefix="planning_grid_")) / "db.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from servicekontor.planning.queries import existing_sites

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    return {day: existing_sites(day=day) for day in DATES}


# ------------------------------------------------------------------ one side of a cell


def _child(fn: Callable[[], dict[str, Any]], conn: Any) -> None:
    started = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:  # report, do not hang the parent
        out = {"objective": None, "status": f"error: {exc!r}"}
    out.setdefault("seconds", time.perf_counter() - started)
    out["peak_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    conn.send(out)
    conn.close()


def isolated(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, child))
    proc.start()
    child.close()
    result: dict[str, Any] = parent.recv()
    proc.join()
    return result


def _cpu_seconds() -> float:
    """CPU seconds of this (forked) child and of the programs it ran (CBC is one)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _solution(s: optimize.Solution, started: float) -> dict[str, Any]:
    return {
        "objective": s.objective,
        "bound": s.bound,
        "gap": s.gap,
        "status": s.status,
        "optimal": s.optimal,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu_seconds(),
    }


# With --ours-cpu-limit, the wall-clock limit our solver gets as a safety net: a multiple of
# the CPU limit (at a load of 20 on 2 cores a process gets a tenth of a core).
WALL_PER_CPU_SECOND = 20.0


def cpu_stop(limit: float) -> optimize.ProgressCallback:
    """A progress callback that stops the solve (status "Stopped", best answer and proven
    bound kept) once this process has used ``limit`` CPU seconds since it was made. The
    solvers call it after the heuristic, from the subgradient loops and from HiGHS's
    callbacks (at most every 0.25 s), so the overrun is a fraction of a second."""
    began = time.process_time()

    def progress(_state: optimize.Progress) -> bool:
        return time.process_time() - began > limit

    return progress


def ours(
    cell: Cell, limit: float, network: tuple[plans.Site, ...] | None, cpu_limit: bool = False
) -> dict[str, Any]:
    """Our answer to ``cell`` within ``limit`` seconds: wall seconds (the solver's own
    limit), or with ``cpu_limit`` CPU seconds (cpu_stop; Swedish cells only, the registry
    cells go through plans.plan, which takes a wall limit)."""
    progress = cpu_stop(limit) if cpu_limit else None
    wall = limit * WALL_PER_CPU_SECOND if cpu_limit else limit
    if cell.day is not None:
        from servicekontor.core.geography import load_localities

        localities = load_localities()
        assert network is not None and cell.k is not None
        started = time.perf_counter()
        request = plans.PlanRequest(
            action=plans.Question.PROPOSE,
            objective=plans.Objective.COVERAGE
            if cell.problem == "mclp"
            else plans.Objective.DISTANCE,
            k=cell.k,
            radius_km=REGISTRY_RADIUS,
            time_limit=limit,
        )
        result = plans.plan(request, localities=localities, existing=network)
        assert result.solution is not None
        return _solution(result.solution, started)
    d, w = sweden()
    started = time.perf_counter()
    if cell.problem == "mclp":
        assert cell.radius is not None and cell.p is not None
        covers = optimize.coverage_matrix(d, cell.radius)
        s = optimize.solve_mclp(covers, w, cell.p, time_limit=wall, progress=progress)
    elif cell.problem == "lscp":
        assert cell.radius is not None
        covers = optimize.coverage_matrix(d, cell.radius)
        s = optimize.solve_lscp(
            covers, start=heuristics.greedy_cover(covers), time_limit=wall, progress=progress
        )
    else:
        assert cell.p is not None
        s = optimize.solve_pmedian(d, w, cell.p, time_limit=wall, progress=progress)
    return _solution(s, started)


def registry_matrix(
    network: tuple[plans.Site, ...],
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The distance matrix ``plans.plan`` builds for "propose": existing offices first, then
    every locality not already an office code (the same candidates, the same order)."""
    from servicekontor.core.geography import load_localities

    localities = load_localities()
    codes = {s.code for s in network}
    pool = [s for s in plans.locality_sites(localities) if s.code not in codes]
    sites = list(network) + pool
    d = plans.distances(localities, sites)
    w = np.array([loc.population for loc in localities], dtype=np.float64)
    return d, w, list(range(len(network)))


def spopt(
    cell: Cell, limit: float, network: tuple[plans.Site, ...] | None, cbc_time_mode: str = "cpu"
) -> dict[str, Any]:
    """spopt's answer to ``cell``. CBC's ``limit`` counts CPU seconds (``cbc_time_mode``
    "cpu", CBC's ``timeMode``) or wall seconds ("elapsed", PuLP's default and the mode of the
    records before 2026-11-30 19:52 UTC): on a shared machine a wall-clock limit stops CBC
    after a fraction of its seconds of work. PuLP's HiGHS (the p-median) has wall seconds only."""
    import pulp
    from spopt.locate import LSCP, MCLP, PMedian

    if network is not None:
        d, w, fixed = registry_matrix(network)
        assert cell.k is not None
        p = len(fixed) + cell.k
        predefined: np.ndarray | None = np.asarray(fixed)
    else:
        d, w = sweden()
        p, predefined = cell.p or 0, None
    started = time.perf_counter()
    if cell.problem == "mclp":
        model = MCLP.from_cost_matrix(
            d, w, service_radius=cell.radius, p_facilities=p, predefined_facilities_arr=predefined
        )
        solver, name = (
            pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, timeMode=cbc_time_mode),
            "CBC",
        )
    elif cell.problem == "lscp":
        model = LSCP.from_cost_matrix(d, service_radius=cell.radius)
        solver, name = (
            pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, timeMode=cbc_time_mode),
            "CBC",
        )
    else:
        model = PMedian.from_cost_matrix(d, w, p_facilities=p, predefined_facilities_arr=predefined)
        solver, name = pulp.HiGHS(msg=False, timeLimit=limit), "HiGHS"
    built = time.perf_counter() - started
    # spopt raises when the solver stops without an optimum; report what PuLP holds.
    with contextlib.suppress(RuntimeError):
        model.solve(solver, results=False)
    value = pulp.value(model.problem.objective)
    # PuLP says "Optimal" for CBC stopped by its time limit with a solution; sol_status tells.
    proven = model.problem.sol_status == pulp.LpSolutionOptimal
    # Without a solution (status "Not Solved") PuLP evaluates the objective at zeros.
    has_solution = model.problem.sol_status in (
        pulp.LpSolutionOptimal,
        pulp.LpSolutionIntegerFeasible,
    )
    return {
        "objective": float(value) if value is not None and has_solution else None,
        "status": pulp.LpStatus[model.problem.status] if proven else "time limit",
        "optimal": proven,
        "solver": name,
        "time_mode": cbc_time_mode if name == "CBC" else "elapsed",
        "build_seconds": built,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu_seconds(),
    }


# ------------------------------------------------------------------ run and report


def run_cell(
    cell: Cell, args: argparse.Namespace, networks: dict[dt.date, tuple[plans.Site, ...]]
) -> None:
    network = networks.get(cell.day) if cell.day else None
    run = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    a = isolated(lambda: ours(cell, args.limit, network, args.ours_cpu_limit))
    load_a = os.getloadavg()[0]
    b = (
        isolated(lambda: spopt(cell, args.spopt_limit, network, args.cbc_time_mode))
        if not args.no_spopt
        else None
    )
    load_b = os.getloadavg()[0]
    record = {
        "cell": cell.name,
        "run": run,
        "ours": a,
        "spopt": b,
        "load": [round(load_a, 2), round(load_b, 2)],
        "limits": [args.limit, args.spopt_limit],
        "ours_limit": "cpu" if args.ours_cpu_limit and not cell.day else "wall",
    }
    print(json.dumps(record), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def same(cell: Cell, a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("objective") is None or b.get("objective") is None:
        return False
    x, y = float(a["objective"]), float(b["objective"])
    tolerance = 0.5 if cell.problem in ("mclp", "lscp") else 1e-6 * max(abs(x), 1.0)
    return abs(x - y) <= tolerance


def _cpu(side: dict[str, Any]) -> float | None:
    cpu = side.get("cpu_seconds")
    return float(cpu) if cpu else None


def table(records: dict[str, dict[str, Any]]) -> str:
    cells = {c.name: c for c in all_cells()}
    lines = [
        START,
        "## Network planning over a grid of questions (`benchmarks/planning_grid.py`)",
        "",
        "Issue 18. Swedish instance (1,323 localities as demand and candidates, great-circle km)",
        "and the registry's network kept with K offices added (ours: `plans.plan`, the",
        "`plan propose` path end to end, distances and measures included). Each row: ours, then",
        "spopt 0.7 in the same run, each in a forked child (CBC for MCLP/LSCP, HiGHS for the",
        "p-median; spopt's seconds include building its PuLP model). Limits: ours 60 s, spopt",
        "120 s (p-median: 60 s; a record's own limits where `--spopt-limit` said otherwise,",
        "e.g. mclp-R50-p50's 400) of solver time. Wall = elapsed seconds; CPU = the child's",
        "CPU seconds, CBC's included (the 2-core machine is shared: the load column says how",
        "much; under load a side gets a fraction of a core, wall times are inflated and a",
        "wall-clock time limit cuts a solve off early; CPU times are what the work costs,",
        "though they too grow a little with the load). Ratio = spopt /",
        "ours; `≥` where spopt stopped at its limit without a proven optimum. Load = 1-minute",
        "load average after each side. Ours: wall-clock limit, or CPU seconds where the record",
        'says so (`--ours-cpu-limit`; stopped there: status "Stopped"). CBC: wall-clock limit in the',
        "records before 2026-11-30 19:52 UTC, CPU-time limit (`timeMode cpu`) from then, shown as",
        '"CPU time limit" where it stopped there.',
        "",
        "| cell | ours: objective (status) | ours wall / CPU s | spopt: objective (status)"
        " | spopt wall / CPU s | same | ratio wall / CPU | load |",
        "|---|---:|---:|---:|---:|:-:|---:|---:|",
    ]
    wall_ratios: list[float] = []
    cpu_ratios: list[float] = []
    bounded: list[str] = []
    mismatches: list[str] = []
    ours_limited: list[str] = []
    for name, cell in cells.items():
        rec = records.get(name)
        if rec is None:
            continue
        a, b = rec["ours"], rec["spopt"]
        a_obj = "—" if a.get("objective") is None else f"{a['objective']:,.0f}"
        a_status = (
            "optimal" if a.get("optimal") else f"{a.get('status')}, gap {a.get('gap', 0):.2%}"
        )
        if rec.get("ours_limit") == "cpu":
            a_status += ", CPU-time limit"
        if not a.get("optimal"):
            ours_limited.append(name)
        a_cpu = _cpu(a)
        a_time = f"{a['seconds']:.2f} / " + (f"{a_cpu:.2f}" if a_cpu else "—")
        if b is None:
            lines.append(f"| {name} | {a_obj} ({a_status}) | {a_time} | not run | | | | |")
            continue
        b_obj = "no solution" if b.get("objective") is None else f"{b['objective']:,.0f}"
        if not b.get("optimal") and b.get("time_mode") == "cpu":
            b = {**b, "status": "CPU time limit"}
        b_cpu = _cpu(b)
        b_time = f"{b['seconds']:.1f} / " + (f"{b_cpu:.1f}" if b_cpu else "—")
        ratio = b["seconds"] / a["seconds"]
        cpu_ratio = b_cpu / a_cpu if a_cpu and b_cpu else None
        eq = same(cell, a, b)
        if b.get("optimal") and a.get("optimal") and not eq:
            mismatches.append(name)
        prefix = "" if b.get("optimal") else "≥ "
        if not b.get("optimal"):
            bounded.append(name)
        wall_ratios.append(ratio)
        if cpu_ratio is not None:
            cpu_ratios.append(cpu_ratio)
        cpu_text = f"{prefix}{cpu_ratio:.1f}×" if cpu_ratio is not None else "—"
        lines.append(
            f"| {name} | {a_obj} ({a_status}) | {a_time} | {b_obj} ({b['status']},"
            f" {b.get('solver', '')}) | {b_time} | {'yes' if eq else 'no'}"
            f" | {prefix}{ratio:.1f}× / {cpu_text} | {rec['load'][0]:.1f} / {rec['load'][1]:.1f} |"
        )
    if wall_ratios:
        lines += [
            "",
            f"Wall-clock ratio over {len(wall_ratios)} cells: min {min(wall_ratios):.1f}×,"
            f" median {statistics.median(wall_ratios):.1f}×, max {max(wall_ratios):.1f}×.",
        ]
        if cpu_ratios:
            lines.append(
                f"CPU ratio over {len(cpu_ratios)} cells: min {min(cpu_ratios):.1f}×,"
                f" median {statistics.median(cpu_ratios):.1f}×, max {max(cpu_ratios):.1f}×."
            )
        lines += [
            "spopt stopped at its limit without a proven optimum in: "
            + (", ".join(bounded) if bounded else "none")
            + ".",
            "Ours stopped at its limit (gap shown) in: "
            + (", ".join(ours_limited) if ours_limited else "none")
            + ".",
            "Objectives differ where both proved optimality: "
            + (", ".join(mismatches) if mismatches else "none")
            + ".",
        ]
    lines += [
        "",
        "Reproduce (in pieces; each appends to `benchmarks/results/planning_grid.jsonl`):",
        "`.venv/bin/python benchmarks/planning_grid.py --cells lscp --cells mclp --cells registry`,",
        "`.venv/bin/python benchmarks/planning_grid.py --cells pmedian --spopt-limit 60`, then",
        "`.venv/bin/python benchmarks/planning_grid.py --write` (the table from the newest record",
        "of each cell that ran spopt too; `--no-spopt` records only where there is none).",
        END,
    ]
    return "\n".join(lines)


def newest_records() -> dict[str, dict[str, Any]]:
    """The newest record of each cell, preferring one that ran spopt too."""
    records: dict[str, dict[str, Any]] = {}
    if RESULTS.exists():
        for line in RESULTS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                # A run against spopt wins over a later run of ours alone (--no-spopt).
                kept = records.get(rec["cell"])
                if rec["spopt"] is not None or kept is None or kept["spopt"] is None:
                    records[rec["cell"]] = rec
    return records


def scaling_run(
    n: int, m: int, p: int, limit: float = SCALING_LIMIT, cpu_limit: bool = False
) -> dict[str, Any]:
    """One synthetic instance: the k-d tree's coverage and the solve, asked for a 1 % gap
    within SCALING_LIMIT seconds (both counted). ``cpu_limit``: the solver's limit counts
    this process's CPU seconds (``solve_mclp(clock=time.process_time)``) from the k-d tree
    on, minus what the k-d tree took; the wall seconds are recorded as well."""
    demand, cands, w = synthetic(n, m)
    started = time.perf_counter()
    cpu_started = time.process_time()
    covers = coverage_within(demand, cands, 10.0)
    built = time.perf_counter() - started
    if cpu_limit:
        s = optimize.solve_mclp(
            covers,
            w,
            p,
            time_limit=limit - (time.process_time() - cpu_started),
            mip_rel_gap=SCALING_GAP,
            clock=time.process_time,
        )
    else:
        s = optimize.solve_mclp(covers, w, p, time_limit=limit, mip_rel_gap=SCALING_GAP)
    return {
        "n": n,
        "m": m,
        "p": p,
        "pairs": int(covers.nnz),
        "objective": s.objective,
        "bound": s.bound,
        "gap": s.gap,
        "status": s.status,
        "coverage_seconds": built,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu_seconds(),
        "limit": limit,
        "limit_kind": "cpu" if cpu_limit else "wall",
    }


def scaling(sizes: list[tuple[int, int, int]], limit: float, cpu_limit: bool = False) -> None:
    for n, m, p in sizes:
        record = isolated(
            lambda n=n, m=m, p=p: scaling_run(n, m, p, limit, cpu_limit)  # type: ignore[misc]
        )
        record["load"] = round(os.getloadavg()[0], 2)
        record["run"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        print(json.dumps(record), flush=True)
        SCALING_RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with SCALING_RESULTS.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


def scaling_table() -> str:
    records: dict[tuple[int, int, str, float], dict[str, Any]] = {}
    if SCALING_RESULTS.exists():
        for line in SCALING_RESULTS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                kind = rec.get("limit_kind", "wall")
                records[(rec["n"], rec["m"], kind, float(rec.get("limit", SCALING_LIMIT)))] = rec
    lines = [
        SCALING_START,
        "### Scaling: synthetic maximal covering asked for a proven gap ≤ 1 % within 60 s",
        "",
        "Demand points scattered around the localities by population (8 km normal offset,",
        "lognormal weights), candidates likewise by √population, R = 10 km, p = candidates / 20",
        "(`planning_bench.synthetic`); coverage pairs from a k-d tree. Seconds: wall, from the",
        "k-d tree to the answer; CPU: the process's CPU seconds (the machine is shared: wall",
        "time waits for other work, CPU time does not). Gap: proven, (bound − objective) /",
        "objective. Limit: wall seconds, or CPU seconds of the process (`--scaling-cpu-limit`,",
        "the fair one on the shared machine; the k-d tree counts in both).",
        "",
        "| demand × candidates | p | coverage pairs | wall s (k-d tree) | CPU s | gap | status | load |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for (n, m, kind, _limit), rec in sorted(records.items()):
        limit = rec.get("limit", 60)
        note = "" if (limit, kind) == (60, "wall") else f" (limit {limit:g} {kind} s)"
        lines.append(
            f"| {n:,} × {m:,} | {rec['p']} | {rec['pairs']:,} | {rec['seconds']:.1f}"
            f" ({rec['coverage_seconds']:.1f}) | {rec['cpu_seconds']:.1f} | {rec['gap']:.3%}"
            f" | {rec['status']}{note}"
            f" | {rec['load']:.1f} |"
        )
    lines += [
        "",
        "Reproduce: `.venv/bin/python benchmarks/planning_grid.py --scaling --write` (wall",
        "limit; `--scaling --scaling-cpu-limit --write` for the CPU-second rows)",
        SCALING_END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--cells", action="append", default=[], help="cell name prefix (repeatable)"
    )
    parser.add_argument("--limit", type=float, default=60.0, help="our solver limit, s")
    parser.add_argument("--spopt-limit", type=float, default=120.0, help="spopt's solver limit")
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument(
        "--ours-cpu-limit",
        action="store_true",
        help="our --limit counts CPU seconds (Swedish cells; the registry's stay wall-clock)",
    )
    parser.add_argument(
        "--cbc-time-mode",
        choices=("cpu", "elapsed"),
        default="cpu",
        help="what CBC's limit counts (spopt's MCLP/LSCP): CPU or wall seconds",
    )
    parser.add_argument("--write", action="store_true", help="render the table into docs")
    parser.add_argument("--scaling", action="store_true", help="run the scaling instances")
    parser.add_argument("--scaling-max", type=int, default=100_000, help="largest demand count")
    parser.add_argument("--scaling-min", type=int, default=0, help="smallest demand count")
    parser.add_argument(
        "--scaling-limit", type=float, default=SCALING_LIMIT, help="wall seconds per instance"
    )
    parser.add_argument(
        "--scaling-cpu-limit",
        action="store_true",
        help="--scaling-limit counts the solving process's CPU seconds, not wall seconds",
    )
    args = parser.parse_args()
    if args.scaling:
        sizes = [size for size in SCALING if args.scaling_min <= size[0] <= args.scaling_max]
        scaling(sizes, args.scaling_limit, args.scaling_cpu_limit)
    chosen = [c for c in all_cells() if any(c.name.startswith(x) for x in args.cells)]
    networks = registry_networks() if any(c.day for c in chosen) else {}
    for cell in chosen:
        run_cell(cell, args, networks)
    text = table(newest_records())
    print(text)
    scaled = scaling_table()
    print(scaled)
    if args.write:
        write_section(text, START, END)
        write_section(scaled, SCALING_START, SCALING_END)


if __name__ == "__main__":
    main()
