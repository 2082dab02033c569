"""Network planning: this project's HiGHS models against PySAL spopt, plus a scaling run.

Run: ``.venv/bin/python benchmarks/planning_bench.py`` (needs the bench extra for spopt:
``.venv/bin/pip install -e '.[dev,bench]'``). Options: ``--spopt-pmedian-limit SECONDS``
(HiGHS time limit given to spopt's p-median; 0 skips it), ``--no-spopt``, ``--no-scaling``,
``--write`` (replace this benchmark's section of docs/benchmarks.md).

Each solve runs in a forked child process, so the peak resident memory reported is that
solve's own (it includes the ~0.2 GB of Python, NumPy and SciPy that every child starts with).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from servicekontor.core.geography import distance_matrix_km, load_localities  # noqa: E402
from servicekontor.planning import heuristics, optimize  # noqa: E402

P = 100
RADIUS_KM = 25.0
SCALING_LIMIT = 60.0  # seconds of solver time per scaling instance
DOCS = REPO / "docs" / "benchmarks.md"
START, END = "<!-- planning_bench:start -->", "<!-- planning_bench:end -->"


def sweden() -> tuple[np.ndarray, np.ndarray]:
    locs = load_localities()
    lat = np.array([loc.latitude for loc in locs])
    lon = np.array([loc.longitude for loc in locs])
    weights = np.array([loc.population for loc in locs], dtype=np.float64)
    return distance_matrix_km(lat, lon, lat, lon), weights


def _child(fn: Callable[[], dict[str, Any]], conn: Any) -> None:
    started = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:  # report, do not hang the parent
        out = {
            "objective": float("nan"),
            "status": f"error: {exc}",
            "solver": "",
            "gap": float("nan"),
        }
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
    result = parent.recv()
    proc.join()
    return result


# ------------------------------------------------------------------ this project


def _ours(s: optimize.Solution, started: float) -> dict[str, Any]:
    return {
        "objective": s.objective,
        "bound": s.bound,
        "gap": s.gap,
        "seconds": time.perf_counter() - started,
        "heuristic": s.heuristic_objective,
        "rounds": s.rounds,
    }


def ours_mclp() -> dict[str, Any]:
    d, w = sweden()
    started = time.perf_counter()
    covers = optimize.coverage_matrix(d, RADIUS_KM)
    return _ours(optimize.solve_mclp(covers, w, P, time_limit=600), started)


def ours_pmedian() -> dict[str, Any]:
    d, w = sweden()
    started = time.perf_counter()
    return _ours(optimize.solve_pmedian(d, w, P, time_limit=600), started)


def ours_lscp() -> dict[str, Any]:
    d, _ = sweden()
    started = time.perf_counter()
    covers = optimize.coverage_matrix(d, RADIUS_KM)
    start = heuristics.greedy_cover(covers)
    return _ours(optimize.solve_lscp(covers, start=start, time_limit=600), started)


# ------------------------------------------------------------------ spopt (PySAL)


def _spopt_solve(model: Any, solver: Any) -> dict[str, Any]:
    import pulp

    started = time.perf_counter()
    # spopt raises when the solver stops without an optimum; report what PuLP holds.
    with contextlib.suppress(RuntimeError):
        model.solve(solver, results=False)
    value = pulp.value(model.problem.objective)
    return {
        "objective": float(value) if value is not None else float("nan"),
        "status": pulp.LpStatus[model.problem.status],
        "solve_seconds": time.perf_counter() - started,
    }


def spopt_mclp() -> dict[str, Any]:
    import pulp
    from spopt.locate import MCLP

    d, w = sweden()
    started = time.perf_counter()
    model = MCLP.from_cost_matrix(d, w, service_radius=RADIUS_KM, p_facilities=P)
    out = _spopt_solve(model, pulp.PULP_CBC_CMD(msg=False))
    out["seconds"] = time.perf_counter() - started
    out["solver"] = "CBC"
    return out


def spopt_lscp() -> dict[str, Any]:
    import pulp
    from spopt.locate import LSCP

    d, _ = sweden()
    started = time.perf_counter()
    model = LSCP.from_cost_matrix(d, service_radius=RADIUS_KM)
    out = _spopt_solve(model, pulp.PULP_CBC_CMD(msg=False))
    out["seconds"] = time.perf_counter() - started
    out["solver"] = "CBC"
    return out


def spopt_pmedian(limit: float) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        import pulp
        from spopt.locate import PMedian

        d, w = sweden()
        started = time.perf_counter()
        model = PMedian.from_cost_matrix(d, w, p_facilities=P)
        out = _spopt_solve(model, pulp.HiGHS(msg=False, timeLimit=limit))
        out["seconds"] = time.perf_counter() - started
        out["solver"] = f"HiGHS, {limit:.0f} s limit"
        return out

    return run


# ------------------------------------------------------------------ scaling


def synthetic(n: int, m: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n demand points and m candidates scattered around Swedish localities.

    Each point picks a locality with probability proportional to its population and lands
    at a normal offset of 8 km; demand weights are lognormal (median 100). Returns demand
    xyz, candidate xyz (unit sphere) and weights.
    """
    rng = np.random.default_rng(seed)
    locs = load_localities()
    lat = np.array([loc.latitude for loc in locs])
    lon = np.array([loc.longitude for loc in locs])
    pop = np.array([loc.population for loc in locs], dtype=np.float64)

    def scatter(k: int, probs: np.ndarray) -> np.ndarray:
        pick = rng.choice(lat.size, size=k, p=probs)
        dlat = rng.normal(0, 8.0, k) / 111.2
        dlon = rng.normal(0, 8.0, k) / (111.2 * np.cos(np.radians(lat[pick])))
        phi, lam = np.radians(lat[pick] + dlat), np.radians(lon[pick] + dlon)
        return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])

    demand = scatter(n, pop / pop.sum())
    cands = scatter(m, np.sqrt(pop) / np.sqrt(pop).sum())
    weights = np.round(rng.lognormal(np.log(100), 1.0, n))
    return demand, cands, weights


def coverage_within(demand: np.ndarray, cands: np.ndarray, radius_km: float) -> sparse.csr_matrix:
    """Sparse coverage by a k-d tree on unit-sphere chords (monotone in great-circle km)."""
    chord = 2 * np.sin(radius_km / optimize_earth_radius() / 2)
    tree = cKDTree(cands)
    lists = tree.query_ball_point(demand, chord)
    indptr = np.cumsum([0] + [len(x) for x in lists])
    indices = np.fromiter((j for x in lists for j in x), dtype=np.int64, count=int(indptr[-1]))
    return sparse.csr_matrix(
        (np.ones(indices.size, dtype=bool), indices, indptr), shape=(len(demand), len(cands))
    )


def optimize_earth_radius() -> float:
    from servicekontor.core.geography import EARTH_RADIUS_KM

    return EARTH_RADIUS_KM


def scaling_run(n: int, m: int, p: int, radius_km: float) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        demand, cands, w = synthetic(n, m)
        started = time.perf_counter()
        covers = coverage_within(demand, cands, radius_km)
        s = optimize.solve_mclp(covers, w, p, time_limit=SCALING_LIMIT, mip_rel_gap=1e-3)
        return {
            "objective": s.objective,
            "bound": s.bound,
            "gap": s.gap,
            "seconds": time.perf_counter() - started,
            "pairs": int(covers.nnz),
            "status": s.status,
        }

    return run


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spopt-pmedian-limit", type=float, default=120.0)
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    rows = []
    for problem, ours, theirs in (
        ("MCLP (max. population within 25 km, p = 100)", ours_mclp, spopt_mclp),
        (
            "p-median (min. person-km, p = 100)",
            ours_pmedian,
            spopt_pmedian(args.spopt_pmedian_limit) if args.spopt_pmedian_limit > 0 else None,
        ),
        ("LSCP (fewest offices, everyone within 25 km)", ours_lscp, spopt_lscp),
    ):
        a = isolated(ours)
        print(problem, "ours", a, flush=True)
        b = isolated(theirs) if theirs is not None and not args.no_spopt else None
        print(problem, "spopt", b, flush=True)
        rows.append((problem, a, b))

    scaling = []
    if not args.no_scaling:
        for n, m, p in (
            (3_000, 300, 15),
            (10_000, 1_000, 50),
            (30_000, 3_000, 150),
            (100_000, 10_000, 500),
        ):
            r = isolated(scaling_run(n, m, p, 10.0))
            print("scaling", n, m, p, r, flush=True)
            scaling.append((n, m, p, r))

    text = report(rows, scaling, args)
    print(text)
    if args.write:
        write_section(text)


def _fmt(x: float) -> str:
    return f"{x:,.0f}"


def report(rows: list[Any], scaling: list[Any], args: argparse.Namespace) -> str:
    lines = [
        START,
        "## Network planning (`benchmarks/planning_bench.py`)",
        "",
        "Swedish instance: all 1,323 GeoNames localities (10,121,486 people) as demand and as",
        "candidate sites, great-circle km, p = 100 from scratch, R = 25 km. Ours: greedy +",
        "interchange, a Lagrangian bound, then HiGHS (highspy, one thread) unless that bound",
        "already proves the answer, as it does for the p-median here; all of it in the time.",
        "spopt 0.7 (PuLP) in the same run, CBC for MCLP/LSCP as in the issue's reference figures.",
        "Peak = the child process's peak RSS.",
        "",
        "| problem | ours: objective (gap) | ours: s / peak GB | spopt: objective (status) | spopt: s / peak GB | speed-up |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for problem, a, b in rows:
        ours_obj = f"{_fmt(a['objective'])} ({a['gap']:.2e})"
        ours_t = f"{a['seconds']:.2f} / {a['peak_gb']:.2f}"
        if b is None:
            lines.append(f"| {problem} | {ours_obj} | {ours_t} | not run | | |")
            continue
        theirs = _fmt(b["objective"]) if b["status"] == "Optimal" else "no solution"
        lines.append(
            f"| {problem} | {ours_obj} | {ours_t} | {theirs} ({b['status']}, {b['solver']}) "
            f"| {b['seconds']:.1f} / {b['peak_gb']:.2f} | {b['seconds'] / a['seconds']:.1f}× |"
        )
    lines += [
        "",
        "Reference figures from the issue (spopt 0.7, same data): MCLP optimum 9,968,779 people",
        "in 10.6 s (CBC); LSCP 6.8 s (CBC); p-median optimum 56,768,528 person-km in 654 s at a",
        "10.5 GB peak with HiGHS (CBC ran 8 minutes at 7.3 GB without an optimum).",
        "",
        "Against the issue's targets (≥ 10× faster than spopt; p-median under 5 s and 1 GB):",
        *[
            f"{problem.split(' (')[0]}: "
            + (
                "met"
                if b is not None
                and (b["status"] != "Optimal" or b["seconds"] >= 10 * a["seconds"])
                and (not problem.startswith("p-median") or (a["seconds"] < 5 and a["peak_gb"] < 1))
                else "**missed**"
            )
            + f" ({a['seconds']:.1f} s; spopt {b['seconds']:.1f} s, {b['status']})."
            if b is not None
            else f"{problem.split(' (')[0]}: spopt not run."
            for problem, a, b in rows
        ],
        "",
        "Why MCLP is not 10× faster: the 0.03 % LP gap (LP 9,971,769 vs 9,968,779) is closed",
        "by branch and bound inside HiGHS, which takes about as long on this model as CBC's own",
        "solve; spopt's remaining time is building the PuLP model. The section \"Where the MCLP",
        'time goes" below (`benchmarks/mclp_hardness.py`) measures it: handed the optimum, HiGHS',
        "still needs 0.9–1.4 s to prove it (median of three seeds, two runs), leaving 1–2 s to find it; from any",
        "start our heuristics reach (greedy + interchange 0.26 % below, an LP dive 0.03 % below)",
        "HiGHS needs 3–8 s. Tried and not kept (one thread; details in the comment on",
        "`COVERING_HIGHS_OPTIONS`):",
        "- the greedy + interchange local optimum (9,942,633) differs from the optimum in 48 of",
        "  its 100 sites; tabu search on the same swaps (tenure 2–40, 3,000 moves), iterated",
        "  local search, and LP diving (largest, random, smallest-first; 0.2 s each) all stop",
        "  between 9,955,523 and 9,967,587 — none found the optimum;",
        "- HiGHS's own sub-MIP heuristics (RINS/RENS) found the optimum only after ~4 s; without",
        "  them branching finds it sooner (this run's setting); RINS of our own (fixing where the",
        "  LP and an LP-dive solution agree) kept the dive's value;",
        "- a large-neighbourhood search (re-solving 100–250 neighbouring sites exactly, HiGHS",
        "  on each) did not reach the optimum in 5 s on four Swedish instances;",
        "- a MILP restricted to the LP's support plus its zero-reduced-cost sites (372 of 784)",
        "  finds the optimum in ~1.5 s, then the proof takes ~0.6 s: 2.2 s here, but slower",
        "  than plain branching for R/p = 40/50 and 30/100, so not used;",
        "- LP reduced-cost fixing at the optimal gap fixes 66 of 784 sites (the LP is degenerate),",
        "  and probing the LP's 59 open sites fixes 18 more, leaving one connected block of 670;",
        "- HiGHS 1.10 and 1.13 (slower than 1.16 here), random seeds (3–10 s), the",
        '  "uncovered" formulation, Σ x <= p instead of = p, cut-pool and LP-age limits, no',
        "  cuts at nodes, no symmetry detection, two threads, objective scaling, presolve off:",
        "  no gain.",
    ]
    if scaling:
        lines += [
            "",
            "Scaling (MCLP, R = 10 km; synthetic demand points scattered around the localities by",
            "population with an 8 km normal offset, lognormal weights; candidates likewise by √population;",
            "coverage pairs from a k-d tree; p = candidates / 20; asked for a relative gap ≤ 0.1 % within",
            "60 s of solver time; the seconds also include the k-d tree and building the model):",
            "",
            "| demand × candidates | p | coverage pairs | seconds | gap | status |",
            "|---|---:|---:|---:|---:|---|",
        ]
        big = scaling[-1][3]
        met = big.get("status") == "Optimal" and big.get("gap", 1.0) <= 1e-3
        lines_after = [
            "",
            f"Scaling target (100,000 × 10,000 within 60 s at ≤ 0.1 %): {'met' if met else '**missed**'}.",
            "Each step multiplies points by about 3 and coverage pairs by about 10; the time grows",
            "faster than the pairs (see the table), and instances that hit the limit report the gap",
            "proven by then.",
            "Why ≤ 0.1 % is out of reach here: the LP relaxation of the 10,000 × 1,000 instance is",
            "already 0.18 % above its optimum (985,734 vs 983,944; HiGHS's root cuts leave 0.15 %),",
            "so neither the LP nor the Lagrangian bound (which equals it at best) can prove 0.1 %;",
            "it takes branch and bound, and on the 100,000 × 10,000 model (10 M nonzeros) HiGHS's",
            "interior point method did not finish the LP relaxation alone in two minutes here; its",
            "dual simplex needs ~40 s for the LP of the 30,000 × 3,000 instance (section below),",
            "and its first-order solver (PDLP) returned no solution of that LP within 60 s.",
        ]
        for n, m, p, r in scaling:
            lines.append(
                f"| {n:,} × {m:,} | {p} | {r.get('pairs', 0):,} | {r['seconds']:.1f} | {r['gap']:.3%} | {r['status']} |"
            )
        lines += lines_after
    lines += [
        "",
        "Reproduce: `.venv/bin/pip install -e '.[dev,bench]' && .venv/bin/python benchmarks/planning_bench.py"
        + (
            f" --spopt-pmedian-limit {args.spopt_pmedian_limit:g}"
            if args.spopt_pmedian_limit != 120
            else ""
        )
        + " --write`",
        END,
    ]
    return "\n".join(lines)


def write_section(text: str, start: str = START, end: str = END) -> None:
    """Replace the text between ``start`` and ``end`` in docs/benchmarks.md (or append it)."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    if start in current and end in current:
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        current = pattern.sub(lambda _: text, current)
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    DOCS.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
