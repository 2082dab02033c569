"""`requeue_stale_tasks`: a task of the short queue whose worker died (RUNNING past the stale
time) or that failed is put back, a bounded number of times; the planning queue is not."""

import datetime as dt

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from servicekontor.core import clock
from servicekontor.core.task_queue import requeue_stale_tasks

pytestmark = pytest.mark.django_db

STALE = 300


@pytest.fixture(autouse=True)
def stale_after(settings):
    settings.TASKS_STALE_AFTER_SECONDS = STALE
    settings.TASKS_MAX_ATTEMPTS = 3


def _task(*, status: str, started_ago: float | None, claims: int, queue: str = "default"):
    now = clock.now()
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"booking_id": 1, "change": "booked"}},
        task_path="servicekontor.appointments.tasks.after_booking_changed",
        queue_name=queue,
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        started_at=None if started_ago is None else now - dt.timedelta(seconds=started_ago),
        worker_ids=[f"w{i}" for i in range(claims)],
        exception_class_path="builtins.ValueError" if status == "FAILED" else "",
        traceback="Traceback …" if status == "FAILED" else "",
    )


def test_requeue__which_tasks_go_back():
    dead = _task(status=TaskResultStatus.RUNNING, started_ago=STALE + 1, claims=1)
    busy = _task(status=TaskResultStatus.RUNNING, started_ago=STALE - 1, claims=1)
    failed = _task(status=TaskResultStatus.FAILED, started_ago=10, claims=2)
    worn_out = _task(status=TaskResultStatus.FAILED, started_ago=10, claims=3)
    done = _task(status=TaskResultStatus.SUCCESSFUL, started_ago=STALE * 10, claims=1)
    solve = _task(
        status=TaskResultStatus.RUNNING, started_ago=STALE * 10, claims=1, queue="planning"
    )

    assert requeue_stale_tasks() == 2
    statuses = {t.pk: t.status for t in DBTaskResult.objects.all()}
    assert statuses[dead.pk] == statuses[failed.pk] == TaskResultStatus.READY
    assert statuses[busy.pk] == TaskResultStatus.RUNNING
    assert statuses[worn_out.pk] == TaskResultStatus.FAILED  # claimed TASKS_MAX_ATTEMPTS times
    assert statuses[done.pk] == TaskResultStatus.SUCCESSFUL
    assert statuses[solve.pk] == TaskResultStatus.RUNNING  # a solve runs for minutes
    put_back = DBTaskResult.objects.get(pk=failed.pk)
    assert put_back.started_at is None and put_back.finished_at is None
    assert put_back.traceback == "" and put_back.exception_class_path == ""
    assert put_back.worker_ids == ["w0", "w1"]  # the claims so far still count
    assert DBTaskResult.objects.ready().filter(pk__in=[dead.pk, failed.pk]).count() == 2

    assert requeue_stale_tasks() == 0  # once


def test_requeue__the_command_reports_the_count(capsys):
    from django.core.management import call_command

    _task(status=TaskResultStatus.RUNNING, started_ago=STALE + 1, claims=1)
    call_command("requeue_stale_tasks")
    assert "Requeued 1 task(s)." in capsys.readouterr().out
