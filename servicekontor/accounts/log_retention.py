"""How long the product keeps its logs of who came in and what ran: the API clients' use
log, the login attempts and access logs (django-axes), the admin's change log, expired
sessions and finished background-task results. Each holds an address, a user name, a
user agent, a path or a task's arguments, so each has a retention: rows older than
``LOG_RETENTION_DAYS`` (default 180, an assumption: half a year covers a security review of
the previous quarter; set it to what the organisation's logging policy says) are deleted
by `manage.py purge_logs`, daily from cron (deploy/crontab).

The citizens' and handovers' personal data have their own, shorter rules
(servicekontor/core/personal_data.py lists every field and its rule)."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from servicekontor.accounts.models import ApiClientUse
from servicekontor.core import clock

DEFAULT_DAYS = 180


def retention_days() -> int:
    """``LOG_RETENTION_DAYS`` from the settings (days, at least 1)."""
    return max(1, int(getattr(settings, "LOG_RETENTION_DAYS", DEFAULT_DAYS)))


def purge_logs(*, older_than_days: int) -> dict[str, int]:
    """Delete log rows older than ``older_than_days`` days; returns rows deleted per log.

    Login attempts (axes' AccessAttempt, which also holds the posted user name) are long
    past their 15-minute cool-off by then; sessions go when they expire, whatever their age
    (the session backend's own `clear_expired`). Raises ValueError for fewer than 1 day."""
    if older_than_days < 1:
        raise ValueError("keep logs at least one day")
    limit = clock.now() - dt.timedelta(days=older_than_days)
    deleted: dict[str, int] = {}
    with transaction.atomic():
        deleted["api client uses"] = ApiClientUse.objects.filter(at__lt=limit).delete()[0]
        deleted["admin log"] = LogEntry.objects.filter(action_time__lt=limit).delete()[0]
        deleted["login attempts"] = AccessAttempt.objects.filter(attempt_time__lt=limit).delete()[0]
        deleted["finished tasks"] = DBTaskResult.objects.filter(finished_at__lt=limit).delete()[0]
    # axes' own API for its logs (it counts the days from its own clock)
    deleted["access log"] = AxesProxyHandler.reset_logs(age_days=older_than_days)
    deleted["access failure log"] = AxesProxyHandler.reset_failure_logs(age_days=older_than_days)
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return deleted
