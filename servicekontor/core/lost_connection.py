"""A read whose database connection was lost mid-request is answered again, not with a 500.

PostgreSQL ends a connection when it restarts, fails over or an administrator terminates the
backend (`pg_terminate_backend`). Django's health checks (``CONN_HEALTH_CHECKS``) replace a
connection that died *between* requests, but a request whose connection dies while it runs
fails with ``OperationalError`` ("terminating connection due to administrator command"). At
the national peak that was a desk list or a desk's own-visit panel answered 500 once per kill
(benchmarks/peak_load.py ``--kill``, 2 Dec 2026).

A GET or HEAD changes nothing, so it is run once more on a new connection. Any other method
is not: its outcome is unknown (its transaction may or may not have committed), and the
client must be told so rather than have the action done twice.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import DatabaseError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

SAFE_METHODS = frozenset({"GET", "HEAD"})
_LOST = "_database_connection_lost"


def connection_lost() -> bool:
    """Whether a database connection of this thread is broken (its server ended it).

    Reads psycopg's own state (``broken`` or ``closed`` on an open Django connection);
    sends nothing to the server. SQLite's connections are never lost this way.
    """
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is not None and (getattr(raw, "broken", False) or getattr(raw, "closed", False)):
            return True
    return False


def _note_lost_connection(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception``: mark the request when a database error lost its connection."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DatabaseError) and connection_lost():
        setattr(request, _LOST, True)


got_request_exception.connect(_note_lost_connection, dispatch_uid="core.lost_connection")


class RetryReadOnLostConnectionMiddleware:
    """Runs a GET or HEAD once more when its database connection was lost while it ran.

    First in ``MIDDLEWARE``, so the second run goes through every middleware again (session,
    user, language) on a fresh connection. Once only: a second loss is the 500 it was.
    Not inside a transaction (``ATOMIC_REQUESTS`` is off; a test's wrapping transaction is
    never retried).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            request.method in SAFE_METHODS
            and response.status_code >= 500
            and getattr(request, _LOST, False)
            and not any(conn.in_atomic_block for conn in connections.all(initialized_only=True))
        ):
            setattr(request, _LOST, False)
            response.close()
            for conn in connections.all(initialized_only=True):
                conn.close()
            response = self.get_response(request)
        return response
