"""The dumped maximal covering MILPs (benchmarks/covering_milp_dump.py) solved by HiGHS with
our options, OR-Tools CP-SAT and SCIP (pyscipopt), each in a forked child; CPU seconds are
the child's user + system time (getrusage of children, so CP-SAT's and SCIP's threads count),
model building included (issue 18, branch solvers). Neither solver was adopted, so neither is
a declared dependency: OR-Tools comes with the `bench` extra (through pyworkforce); SCIP needs
`.venv/bin/pip install pyscipopt` first (6.3.0 was measured).

    .venv/bin/python benchmarks/covering_milp_solvers.py /tmp/solvers/mclp-R30-p100.npz \
        --solvers highs:0 highs:1 highs:2 cpsat:1+hint cpsat:2+hint+lin2 \\
        scip:start scip:nostart scip:start+fast scip:start+off
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse


def load(path: Path) -> dict[str, Any]:
    z = np.load(path)
    m = {k: z[k] for k in z.files}
    m["matrix"] = sparse.csc_matrix((m["data"], m["indices"], m["indptr"]), shape=tuple(m["shape"]))
    m["options"] = json.loads(str(m["options"]))
    m["start"] = m["start"] if m["start"].size else None
    m["maximize"] = bool(m["maximize"])
    m["offset"] = float(m.get("offset", 0.0))
    return m


def run_highs(m: dict[str, Any], seed: int, limit: float) -> dict[str, Any]:
    import highspy

    inf = highspy.kHighsInf
    a = m["matrix"]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(a.shape[1]), int(a.shape[0])
    lp.col_cost_ = m["cost"].astype(np.float64)
    lp.col_lower_ = m["col_lower"].astype(np.float64)
    lp.col_upper_ = np.where(np.isinf(m["col_upper"]), inf, m["col_upper"]).astype(np.float64)
    lp.row_lower_ = np.where(np.isinf(m["row_lower"]), -inf, m["row_lower"]).astype(np.float64)
    lp.row_upper_ = np.where(np.isinf(m["row_upper"]), inf, m["row_upper"]).astype(np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
        for f in m["integer"]
    ]
    lp.sense_ = highspy.ObjSense.kMaximize if m["maximize"] else highspy.ObjSense.kMinimize
    lp.offset_ = float(m["offset"])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", limit)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", seed)
    for k, v in m["options"].items():
        h.setOptionValue(k, v)
    h.passModel(lp)
    if m["start"] is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, m["start"]))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    info = h.getInfo()
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": info.objective_function_value,
        "bound": info.mip_dual_bound,
        "nodes": info.mip_node_count,
    }


def _parts(m: dict[str, Any]) -> tuple[int, sparse.csr_matrix, np.ndarray, int, np.ndarray | None]:
    """(sites, coverage rows × sites, integer row weights, k, start x or None)."""
    nf = int(np.sum(m["integer"]))
    a = m["matrix"].tocsr()
    g = a.shape[0] - 1
    cov = (-a[:g, :nf]).tocsr()
    w = m["cost"][nf:]
    wi = np.rint(w).astype(np.int64)
    assert np.all(np.abs(w - wi) < 1e-9), "weights are not integers"
    k = round(float(m["row_lower"][g]))
    start = None if m["start"] is None else m["start"][:nf]
    return nf, cov, wi, k, start


def run_cpsat_cover(
    m: dict[str, Any], workers: int, limit: float, hint: bool, lin2: bool = False
) -> dict[str, Any]:
    """The set covering core: min Σ x  s.t. every row has a chosen site (AddBoolOr)."""
    from ortools.sat.python import cp_model

    a = m["matrix"].tocsr()
    n = a.shape[1]
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{j}") for j in range(n)]
    for i in range(a.shape[0]):
        model.add_bool_or([x[j] for j in a.indices[a.indptr[i] : a.indptr[i + 1]]])
    model.minimize(sum(x))
    if hint and m["start"] is not None:
        for j in range(n):
            model.add_hint(x[j], int(m["start"][j] > 0.5))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.relative_gap_limit = 0.0
    if lin2:
        solver.parameters.linearization_level = 2
    st = solver.solve(model)
    return {
        "status": solver.status_name(st),
        "objective": solver.objective_value + m["offset"],
        "bound": solver.best_objective_bound + m["offset"],
        "nodes": solver.num_branches,
    }


def run_scip_cover(
    m: dict[str, Any], limit: float, with_start: bool, separating: str = "", seed: int = 0
) -> dict[str, Any]:
    """The set covering core in SCIP: min Σ x  s.t.  A x >= 1, x binary."""
    from pyscipopt import SCIP_PARAMSETTING, Model, quicksum

    a = m["matrix"].tocsr()
    n = a.shape[1]
    s = Model()
    s.hideOutput()
    s.setParam("limits/time", limit)
    s.setParam("limits/gap", 0.0)
    s.setParam("parallel/maxnthreads", 1)
    s.setParam("randomization/randomseedshift", seed)
    if separating:
        s.setSeparating(getattr(SCIP_PARAMSETTING, separating.upper()))
    x = [s.addVar(vtype="B") for _ in range(n)]
    for i in range(a.shape[0]):
        s.addCons(quicksum(x[j] for j in a.indices[a.indptr[i] : a.indptr[i + 1]]) >= 1)
    s.setObjective(quicksum(x), "minimize")
    if with_start and m["start"] is not None:
        sol = s.createSol()
        for j in range(n):
            s.setSolVal(sol, x[j], float(m["start"][j] > 0.5))
        assert s.addSol(sol, free=True), "start rejected"
    s.optimize()
    return {
        "status": s.getStatus(),
        "objective": s.getObjVal() + m["offset"] if s.getNSols() else None,
        "bound": s.getDualbound() + m["offset"],
        "nodes": s.getNNodes(),
    }


def run_cpsat(
    m: dict[str, Any], workers: int, limit: float, hint: bool, lin2: bool = False
) -> dict[str, Any]:
    """``lin2``: linearization_level 2 (the coverage rows in CP-SAT's LP relaxation)."""
    from ortools.sat.python import cp_model

    nf, cov, w, k, start = _parts(m)
    lo, hi = m["col_lower"][:nf], m["col_upper"][:nf]
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{j}") for j in range(nf)]
    for j in range(nf):
        if hi[j] < 0.5:
            model.add(x[j] == 0)
        elif lo[j] > 0.5:
            model.add(x[j] == 1)
    y = [model.new_bool_var(f"y{i}") for i in range(cov.shape[0])]
    for i in range(cov.shape[0]):
        cols = cov.indices[cov.indptr[i] : cov.indptr[i + 1]]
        model.add_bool_or([x[j] for j in cols]).only_enforce_if(y[i])
    model.add(sum(x) == k)
    model.maximize(sum(int(wi) * yi for wi, yi in zip(w, y, strict=True)))
    if hint and start is not None:
        cst = cov @ start > 0
        for j in range(nf):
            model.add_hint(x[j], int(start[j] > 0.5))
        for i in range(len(y)):
            model.add_hint(y[i], int(cst[i]))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.relative_gap_limit = 0.0
    if lin2:
        solver.parameters.linearization_level = 2
    st = solver.solve(model)
    return {
        "status": solver.status_name(st),
        "objective": solver.objective_value,
        "bound": solver.best_objective_bound,
        "nodes": solver.num_branches,
    }


def run_scip(
    m: dict[str, Any], limit: float, with_start: bool, separating: str = "", seed: int = 0
) -> dict[str, Any]:
    """``separating``: "" (SCIP's default), "fast" or "off" (SCIP_PARAMSETTING); ``seed``:
    randomization/randomseedshift. Flags in the solver name: scip:start+off+s1."""
    from pyscipopt import SCIP_PARAMSETTING, Model, quicksum

    nf, cov, w, k, start = _parts(m)
    lo, hi = m["col_lower"][:nf], m["col_upper"][:nf]
    s = Model()
    s.hideOutput()
    s.setParam("limits/time", limit)
    s.setParam("limits/gap", 0.0)
    s.setParam("parallel/maxnthreads", 1)
    s.setParam("randomization/randomseedshift", seed)
    if separating:
        s.setSeparating(getattr(SCIP_PARAMSETTING, separating.upper()))
    x = [s.addVar(vtype="B", lb=float(lo[j]), ub=float(hi[j])) for j in range(nf)]
    y = [s.addVar(vtype="C", lb=0.0, ub=1.0) for _ in range(cov.shape[0])]
    for i in range(cov.shape[0]):
        cols = cov.indices[cov.indptr[i] : cov.indptr[i + 1]]
        s.addCons(y[i] <= quicksum(x[j] for j in cols))
    s.addCons(quicksum(x) == k)
    s.setObjective(quicksum(float(wi) * yi for wi, yi in zip(w, y, strict=True)), "maximize")
    if with_start and start is not None:
        sol = s.createSol()
        cst = cov @ start > 0
        for j in range(nf):
            s.setSolVal(sol, x[j], float(start[j] > 0.5))
        for i in range(len(y)):
            s.setSolVal(sol, y[i], float(cst[i]))
        assert s.addSol(sol, free=True), "start rejected"
    s.optimize()
    return {
        "status": s.getStatus(),
        "objective": s.getObjVal() if s.getNSols() else None,
        "bound": s.getDualbound(),
        "nodes": s.getNNodes(),
    }


def _child(path: str, solver: str, limit: float, conn: Any) -> None:
    m = load(Path(path))
    kind, _, arg = solver.partition(":")
    t0 = time.perf_counter()
    if kind == "highs":
        res = run_highs(m, int(arg or 0), limit)
    elif kind == "cpsat":
        workers, *flags = arg.split("+")
        if m["maximize"]:
            res = run_cpsat(m, int(workers), limit, hint="hint" in flags, lin2="lin2" in flags)
        else:
            res = run_cpsat_cover(
                m, int(workers), limit, hint="hint" in flags, lin2="lin2" in flags
            )
    elif kind == "scip":
        start, *flags = arg.split("+")
        separating = next((f for f in flags if f in ("fast", "off")), "")
        seed = next((int(f[1:]) for f in flags if f.startswith("s")), 0)
        scip = run_scip if m["maximize"] else run_scip_cover
        res = scip(m, limit, with_start=start != "nostart", separating=separating, seed=seed)
    else:
        raise SystemExit(f"unknown solver {solver}")
    res["wall"] = round(time.perf_counter() - t0, 2)
    conn.send(res)
    conn.close()


def measure(path: str, solver: str, limit: float) -> dict[str, Any]:
    """One solve in a forked child: its result with the child's CPU seconds."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = ctx.Process(target=_child, args=(path, solver, limit, child))
    proc.start()
    child.close()
    res = parent.recv()
    proc.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"model": Path(path).stem, "solver": solver, "cpu": round(cpu, 2), **res}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--solvers", nargs="+", default=["highs:0"])
    parser.add_argument("--limit", type=float, default=120.0, help="each solver's limit, s")
    args = parser.parse_args()
    for path in args.models:
        for solver in args.solvers:
            res = measure(path, solver, args.limit)
            res["load"] = round(__import__("os").getloadavg()[0], 1)
            print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
