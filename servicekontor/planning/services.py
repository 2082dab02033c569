"""Write use cases of network planning."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from servicekontor.accounts.models import User
from servicekontor.planning.models import PlanRun, PlanRunStatus, Scenario
from servicekontor.planning.optimize import Progress
from servicekontor.planning.plans import PlanRequest


@transaction.atomic
def save_scenario(
    *, user: User | None, name: str, day: dt.date, summary: dict[str, object]
) -> Scenario:
    """Save a computed plan as a named scenario.

    Locks: none; it inserts one row and reads nothing that another writer changes.
    """
    request = summary["request"]
    if not isinstance(request, dict):
        raise ValueError("summary without a request")
    return Scenario.objects.create(
        name=name.strip(),
        created_by=user,
        on_date=day,
        action=request["action"],
        objective=request["objective"],
        k=int(request.get("k") or 0),
        n=int(request.get("n") or 0),
        radius_km=float(request["radius_km"]),
        keep=",".join(request.get("keep") or []),
        summary=summary,
    )


@transaction.atomic
def create_plan_run(
    *,
    user: User | None,
    day: dt.date,
    request: PlanRequest,
    sites_csv: str = "",
    matrix_csv: str = "",
) -> PlanRun:
    """Record a planning question to be solved in the background (queued). The caller
    enqueues `tasks.solve_plan_run` after commit (services do not import tasks).

    Locks: none; it inserts one row.
    """
    return PlanRun.objects.create(
        created_by=user,
        on_date=day,
        request=request.as_dict(),
        sites_csv=sites_csv,
        matrix_csv=matrix_csv,
    )


def begin_plan_run(*, run_id: str) -> PlanRun | None:
    """Take a queued run (queued → running) and return it; None when it is not queued (another
    worker took it, or it is finished). A compare-and-swap: two workers given the same run
    cannot both take it."""
    taken = PlanRun.objects.filter(pk=run_id, status=PlanRunStatus.QUEUED).update(
        status=PlanRunStatus.RUNNING
    )
    return PlanRun.objects.get(pk=run_id) if taken == 1 else None


def record_plan_progress(*, run_id: str, progress: Progress) -> bool:
    """Write the solver's progress to a running run; True when a stop was asked for.

    Locks: none; one UPDATE of the run's row, guarded by status = running so that a finished
    run is never overwritten by a late report."""
    PlanRun.objects.filter(pk=run_id, status=PlanRunStatus.RUNNING).update(
        stage=progress.stage,
        incumbent=_finite(progress.incumbent),
        bound=_finite(progress.bound),
        seconds=progress.seconds,
    )
    return PlanRun.objects.filter(pk=run_id, stop_requested=True).exists()


def finish_plan_run(*, run_id: str, summary: dict[str, object], stopped: bool) -> None:
    """Store the answer of a running run: done, or stopped with the best answer kept."""
    solution = summary.get("solution")
    figures = solution if isinstance(solution, dict) else {}
    PlanRun.objects.filter(pk=run_id, status=PlanRunStatus.RUNNING).update(
        status=PlanRunStatus.STOPPED if stopped else PlanRunStatus.DONE,
        summary=summary,
        incumbent=_finite(figures.get("objective")),
        bound=_finite(figures.get("bound")),
        seconds=_finite(figures.get("seconds")) or 0.0,
        stage="",
    )


def fail_plan_run(*, run_id: str, error: str) -> None:
    """A run that cannot be answered: its message is shown on its page."""
    PlanRun.objects.filter(pk=run_id, status__in=PlanRun.ACTIVE).update(
        status=PlanRunStatus.FAILED, error=error, stage=""
    )


def request_plan_stop(*, run: PlanRun) -> bool:
    """Ask a queued or running run to stop (its best answer so far is kept); False when it
    has already finished. The task reads the flag at its next progress report."""
    return (
        PlanRun.objects.filter(pk=run.pk, status__in=PlanRun.ACTIVE).update(stop_requested=True)
        == 1
    )


def _finite(value: object) -> float | None:
    if not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None
