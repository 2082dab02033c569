"""Logs of who came in and what ran are deleted after LOG_RETENTION_DAYS, and only those."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from servicekontor.accounts import api_clients
from servicekontor.accounts.models import ApiClientUse, User
from servicekontor.catalog.models import Agency
from tests.factories import make_agency

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _rows(at: dt.datetime, n: int) -> None:
    """One row of every log at ``at``; ``n`` makes each unique."""
    agency = Agency.objects.first() or make_agency()
    client, _token = api_clients.create_api_client(agency=agency, name=f"system {n}")
    ApiClientUse.objects.create(
        client=client,
        credential=client.credentials.get(),
        at=at,
        method="GET",
        path="/api/x/",
        result=ApiClientUse.Result.ACCEPTED,
    )
    user = User.objects.create(username=f"officer{n}")
    entry = LogEntry.objects.create(
        user=user, object_repr=f"Officer {n}", action_flag=ADDITION, change_message="[]"
    )
    LogEntry.objects.filter(pk=entry.pk).update(action_time=at)
    who = {"user_agent": "ua", "ip_address": "127.0.0.1", "username": f"officer{n}"}
    AccessAttempt.objects.create(**who, get_data="", post_data="", failures_since_start=1)
    AccessAttempt.objects.filter(username=f"officer{n}").update(attempt_time=at)
    AccessLog.objects.create(**who)
    AccessLog.objects.filter(username=f"officer{n}").update(attempt_time=at)
    AccessFailureLog.objects.create(**who)
    AccessFailureLog.objects.filter(username=f"officer{n}").update(attempt_time=at)
    DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status="SUCCESSFUL",
        args_kwargs={"args": [n], "kwargs": {}},
        task_path="servicekontor.x",
        backend_name="default",
        run_after=at,
        finished_at=at,
    )


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            ApiClientUse,
            LogEntry,
            AccessAttempt,
            AccessLog,
            AccessFailureLog,
            DBTaskResult,
        )
    }


@time_machine.travel(NOW, tick=False)
def test_purge_logs__older_rows_of_every_log_go_newer_stay(settings):
    settings.LOG_RETENTION_DAYS = 180
    _rows(NOW - dt.timedelta(days=181), 1)
    _rows(NOW - dt.timedelta(days=179), 2)
    Session.objects.create(
        session_key="old", session_data="x", expire_date=NOW - dt.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="x", expire_date=NOW + dt.timedelta(days=1)
    )
    assert set(_counts().values()) == {2}

    out = io.StringIO()
    call_command("purge_logs", stdout=out)

    assert _counts() == dict.fromkeys(_counts(), 1)
    assert ApiClientUse.objects.get().client.name == "system 2"
    assert LogEntry.objects.get().object_repr == "Officer 2"
    assert AccessLog.objects.get().username == "officer2"
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert "api client uses 1" in out.getvalue() and "access log 1" in out.getvalue()


def test_purge_logs__less_than_a_day__refused():
    with pytest.raises(CommandError, match="at least one day"):
        call_command("purge_logs", "--days", "0")
