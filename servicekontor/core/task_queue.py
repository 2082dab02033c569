"""Recovery of the database task queue (django-tasks-db, decision 0044).

`manage.py db_worker` claims a task by setting it RUNNING and has no lease: a worker that
dies (killed, out of memory, its database connection cut while it records the outcome) leaves
its task RUNNING for ever, and a task that raised stays FAILED. `requeue_stale_tasks` puts
such tasks of the short queues back (READY), so that another worker runs them again, at most
`TASKS_MAX_ATTEMPTS` claims in all. It is safe because every task on those queues may run
twice: the outbox queues a message once per dedup key and claims it by compare-and-swap
before sending, a visit's notification is claimed on `notified_at`, a handover delivery on
its own lease. The planning queue is left alone (a solve legitimately runs for minutes and
records its own outcome on its run).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from servicekontor.core import clock

logger = logging.getLogger(__name__)

# The queues whose tasks are short and safe to run again (config/settings.py TASKS).
RERUNNABLE_QUEUES = ("default",)


def requeue_stale_tasks(*, now: dt.datetime | None = None) -> int:
    """Put back (READY) every task of RERUNNABLE_QUEUES that is RUNNING since more than
    `TASKS_STALE_AFTER_SECONDS` (its worker is gone) or FAILED, if it has been claimed fewer
    than `TASKS_MAX_ATTEMPTS` times (`worker_ids`, one entry per claim).

    `now` defaults to the clock (`core.clock.now`). Each row is put back by compare-and-swap
    on its status and start, so a worker that finishes it at the same moment wins and two
    sweeps never both requeue it. Returns how many tasks were put back.
    """
    now = now or clock.now()
    stale_before = now - dt.timedelta(seconds=settings.TASKS_STALE_AFTER_SECONDS)
    candidates = DBTaskResult.objects.filter(queue_name__in=RERUNNABLE_QUEUES).filter(
        Q(status=TaskResultStatus.RUNNING, started_at__lt=stale_before)
        | Q(status=TaskResultStatus.FAILED)
    )
    requeued = 0
    for pk, status, started_at, worker_ids, path in candidates.values_list(
        "pk", "status", "started_at", "worker_ids", "task_path"
    ):
        if len(worker_ids or []) >= settings.TASKS_MAX_ATTEMPTS:
            continue
        put_back = DBTaskResult.objects.filter(pk=pk, status=status, started_at=started_at).update(
            status=TaskResultStatus.READY,
            started_at=None,
            finished_at=None,
            exception_class_path="",
            traceback="",
        )
        if put_back:
            requeued += 1
            logger.warning(
                "task %s (%s) requeued: %s after %d claims",
                pk,
                path,
                "its worker is gone" if status == TaskResultStatus.RUNNING else "it failed",
                len(worker_ids or []),
            )
    return requeued
