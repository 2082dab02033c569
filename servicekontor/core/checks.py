"""Deployment checks (`manage.py check --deploy`) for what the rate limits and the mail need.

- core.W001: the default cache is in-process (no REDIS_URL): every worker process counts the
  rate limits and API throttles on its own, so N workers let N times the rate through; and
  each keeps its own copy of the citizens' registry reads (`network.registry_cache`, decision
  0037), so a registry change made in another process (another worker, a management
  command) is not seen there until the entry expires (up to `TIMEOUT_S`, an hour).
- core.W002: the console mail backend in production writes every mail body (names, e-mail
  addresses, working manage links) into the server log.
- core.W003: the immediate task backend in production runs every task inside the request
  that enqueues it: a booking renders and sends its confirmation mail (36–40 ms of the
  request's CPU at the national peak), a finish posts its handover to the agency, a call
  sends the "your turn is near" SMS (decision 0044).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

_IN_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
_IMMEDIATE_TASK_BACKENDS = {"django_tasks.backends.immediate.ImmediateBackend"}
_LOGGING_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in _IN_PROCESS_CACHES:
        return [
            Warning(
                "The default cache is in-process: each worker counts rate limits alone and "
                "keeps its own copy of the registry reads (a change made in another process "
                "is not seen there for up to an hour).",
                hint="Set REDIS_URL so that every worker process shares one cache.",
                id="core.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_mail_not_logged(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.EMAIL_BACKEND in _LOGGING_MAIL_BACKENDS:
        return [
            Warning(
                "Mail bodies (personal data, manage links) are written to the log or disk.",
                hint="Set EMAIL_BACKEND to an SMTP backend in production.",
                id="core.W002",
            )
        ]
    return []


@register(deploy=True)
def check_tasks_out_of_request(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend in _IMMEDIATE_TASK_BACKENDS:
        return [
            Warning(
                "Background tasks run inside the requests that enqueue them (mail and SMS "
                "rendered and sent, handovers posted, while the citizen or officer waits).",
                hint="Leave TASKS_BACKEND unset (the database queue) and run `manage.py "
                "db_worker` (README, 'Serving').",
                id="core.W003",
            )
        ]
    return []
