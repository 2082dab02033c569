"""HiGHS (highspy) for the location models: one MILP or LP in, its solution, objective and
proven bound out. Pure module (no Django).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from highspy.highs import HighsCallbackEvent
from scipy import sparse

FloatArray = npt.NDArray[np.float64]

# Options set on every model, over the model's own (for experiments; empty in production).
HIGHS_OPTIONS: dict[str, bool | float | str] = {}
# The least time between two calls of a solve's `watch` (HiGHS calls back at every node).
WATCH_EVERY_SECONDS = 0.25

# watch(primal bound, dual bound) in the model's objective (offset included) -> True to stop.
# The primal bound is the best solution's objective (±inf before the first one).
Watch = Callable[[float, float], bool]


def _swallow_highs_banner() -> None:
    """HiGHS's constructor prints a licence banner to the C-level stdout, once per process and
    before any option can turn output off; ``plan`` writes its table to stdout, so the first
    instance is built here, at import, with file descriptor 1 pointed at /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_swallow_highs_banner()


@dataclass
class MilpOutcome:
    x: FloatArray
    objective: float
    bound: float
    status: str


def solve_milp(
    *,
    cost: FloatArray,
    matrix: sparse.csc_matrix,
    row_lower: FloatArray,
    row_upper: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
    integer: npt.NDArray[np.bool_],
    maximize: bool,
    start: FloatArray | None,
    time_limit: float,
    mip_rel_gap: float,
    offset: float = 0.0,
    presolve: bool = True,
    options: dict[str, bool | float | str] | None = None,
    watch: Watch | None = None,
) -> MilpOutcome:
    """Solve one MILP (or LP, with no integer columns) with HiGHS, one thread, from `start` if
    given. `options` are HiGHS options for this model; `HIGHS_OPTIONS` (global, for
    experiments such as benchmarks/mclp_hardness.py) override them. `watch` is called with the
    branch and bound's primal and dual bounds at most every WATCH_EVERY_SECONDS and when a
    better solution is found; when it returns True HiGHS stops and the best solution so far
    is returned (status "Interrupted by user"). Raises RuntimeError when HiGHS finds no
    feasible solution."""
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = int(cost.size)
    lp.num_row_ = int(matrix.shape[0])
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.where(np.isinf(col_upper), inf, col_upper).astype(np.float64)
    lp.row_lower_ = np.where(np.isinf(row_lower), -inf, row_lower).astype(np.float64)
    lp.row_upper_ = np.where(np.isinf(row_upper), inf, row_upper).astype(np.float64)
    lp.offset_ = float(offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
        for flag in integer
    ]
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", bool(os.environ.get("PLANNING_HIGHS_LOG")))
    solver.setOptionValue("time_limit", float(time_limit))
    solver.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    solver.setOptionValue("threads", 1)
    if not presolve:
        solver.setOptionValue("presolve", "off")
    for name, value in {**(options or {}), **HIGHS_OPTIONS}.items():
        solver.setOptionValue(name, value)
    solver.passModel(lp)
    if watch is not None:
        _subscribe(solver, watch)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(map(float, start))
        solution.value_valid = True
        solver.setSolution(solution)
    solver.run()
    info = solver.getInfo()
    status = solver.modelStatusToString(solver.getModelStatus())
    x = np.asarray(solver.getSolution().col_value, dtype=np.float64)
    if x.size != cost.size or info.primal_solution_status == 0:
        raise RuntimeError(f"HiGHS found no feasible solution ({status})")
    reported = float(info.objective_function_value)
    if start is not None and abs(float(cost @ x) + offset - reported) > 1e-6 * max(
        1.0, abs(reported)
    ):
        # HiGHS 1.16 with presolve can hand back the start while reporting the optimum of the
        # presolved model (seen on set covering). Never trust that: solve again without it.
        return solve_milp(
            cost=cost,
            matrix=matrix,
            row_lower=row_lower,
            row_upper=row_upper,
            col_lower=col_lower,
            col_upper=col_upper,
            integer=integer,
            maximize=maximize,
            start=None,
            time_limit=time_limit,
            mip_rel_gap=mip_rel_gap,
            offset=offset,
            presolve=presolve,
            options=options,
            watch=watch,
        )
    return MilpOutcome(
        x=x,
        objective=float(info.objective_function_value),
        bound=float(info.mip_dual_bound),
        status=status,
    )


def lp_solver(
    *,
    cost: FloatArray,
    matrix: sparse.csc_matrix,
    row_lower: FloatArray,
    row_upper: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
) -> highspy.Highs:
    """A HiGHS holding the LP min cost·x (one thread, quiet), not yet run: for callers that
    add rows and re-solve warm (cuts.cut_rounds)."""
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = int(cost.size)
    lp.num_row_ = int(matrix.shape[0])
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.where(np.isinf(col_upper), inf, col_upper).astype(np.float64)
    lp.row_lower_ = np.where(np.isinf(row_lower), -inf, row_lower).astype(np.float64)
    lp.row_upper_ = np.where(np.isinf(row_upper), inf, row_upper).astype(np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", bool(os.environ.get("PLANNING_HIGHS_LOG")))
    solver.setOptionValue("threads", 1)
    solver.passModel(lp)
    return solver


def _subscribe(solver: highspy.Highs, watch: Watch) -> None:
    """Call `watch` from HiGHS's MIP callbacks: on every improving solution, and from the
    interrupt check (every node) at most every WATCH_EVERY_SECONDS; its True interrupts."""
    last = [0.0]

    def on_improving(event: HighsCallbackEvent) -> None:
        out = event.data_out
        watch(float(out.mip_primal_bound), float(out.mip_dual_bound))

    def on_interrupt(event: HighsCallbackEvent) -> None:
        out = event.data_out
        now = time.perf_counter()
        if now - last[0] < WATCH_EVERY_SECONDS:
            return
        last[0] = now
        if watch(float(out.mip_primal_bound), float(out.mip_dual_bound)) and event.data_in:
            event.data_in.user_interrupt = True

    solver.cbMipImprovingSolution.subscribe(on_improving)
    solver.cbMipInterrupt.subscribe(on_interrupt)
