"""Background solves of planning questions (django-tasks). A leaf: it calls services and
queries, nothing imports it but the views that enqueue it."""

from __future__ import annotations

import logging
import time

from django_tasks import task

from servicekontor.planning import services
from servicekontor.planning.optimize import STOPPED, Progress
from servicekontor.planning.plans import (
    PlanInputError,
    PlanRequest,
    read_matrix_csv,
    read_sites_csv,
    result_to_dict,
)
from servicekontor.planning.queries import plan_on, plan_run

logger = logging.getLogger(__name__)

# The least time between two progress writes to the run's row (the page polls every second).
PROGRESS_EVERY_SECONDS = 0.5
# A solve takes up to minutes: its own queue (settings.TASK_QUEUE_PLANNING) and worker, so that
# no citizen's mail waits behind one (decision 0044).
QUEUE = "planning"


@task(queue_name=QUEUE)
def solve_plan_run(*, run_id: str) -> str:
    """Answer a queued `PlanRun`, writing the solver's incumbent and bound as they improve
    and stopping (best answer kept) when the page asks. Returns the run's final status."""
    run = services.begin_plan_run(run_id=run_id)
    if run is None:
        return "not queued"
    last = [-PROGRESS_EVERY_SECONDS]
    stop = [False]

    def progress(state: Progress) -> bool:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            stop[0] = services.record_plan_progress(run_id=run_id, progress=state)
        return stop[0]

    try:
        request = PlanRequest.from_dict(run.request)
        result = plan_on(
            day=run.on_date,
            request=request,
            candidates=read_sites_csv(run.sites_csv) if run.sites_csv else None,
            matrix=read_matrix_csv(run.matrix_csv) if run.matrix_csv else None,
            progress=progress,
        )
    except (PlanInputError, ValueError) as exc:
        services.fail_plan_run(run_id=run_id, error=str(exc))
        return "failed"
    except Exception:
        logger.exception("planning run %s failed", run_id)
        services.fail_plan_run(run_id=run_id, error="")
        return "failed"
    stopped = result.solution is not None and result.solution.status == STOPPED
    services.finish_plan_run(run_id=run_id, summary=result_to_dict(result), stopped=stopped)
    final = plan_run(run_id=run_id)
    return final.status if final is not None else "gone"
