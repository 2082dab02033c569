"""A request whose database connection was lost mid-request is answered again when that is
provably safe, and otherwise with a clear 503, never a 500.

PostgreSQL ends a connection when it restarts, fails over or an administrator terminates the
backend (`pg_terminate_backend`). Django's health checks (``CONN_HEALTH_CHECKS``) replace a
connection that died *between* requests, but a request whose connection dies while it runs
fails with ``OperationalError`` ("terminating connection due to administrator command"). At
the national peak that was a desk list, a desk's own-visit panel or a desk action answered
500 once per kill (benchmarks/peak_load.py ``--kill``, 2 Dec 2026).

A GET or HEAD changes nothing, so it is run once more on a new connection.

Any other method is run once more only when nothing it wrote can have been committed
(decision 0088). While it runs, a `connection.execute_wrapper` per database alias (a
`_Ledger`) watches its statements:

- a statement that writes (anything but a read: `_reads_only`) outside a transaction commits
  as it runs, and one that was under way when the connection broke may or may not have:
  either way the request *may have committed*;
- a write inside a transaction (an atomic block) puts a marker among the transaction's
  `on_commit` callbacks. When the marker runs, the transaction committed; when it is gone
  without running (a rollback, or a commit that failed with the connection: Django then
  closes the connection and drops the callbacks), the request *may have committed* as well
  (a rolled-back transaction is counted too: the simple, safe side);
- a statement that fails because the connection broke, inside a transaction, takes that
  transaction's writes with it: PostgreSQL rolls back a transaction whose connection ended,
  and no COMMIT was sent.

A COMMIT that loses its connection is asked about on PostgreSQL (core.postgresql, decision
0099: the transaction's id read in the COMMIT's round trip, its fate asked of the server):
committed, the request goes on as if nothing had happened, on a new connection; not
committed (the backend's `lost_commit`), the transaction counts as rolled back.

So the request is run again if the connection was lost and no write of it can have been
committed: the loss came before any write, inside the transaction that held every write
so far, or at a COMMIT the server says did not commit. A loss anywhere else (a write in
autocommit, after a commit, a commit nobody could ask about within the budget) gets a 503
with ``Retry-After`` and ``X-Outcome: unknown``: it may or may not have
been done, so the client must look before sending it again (desk.js shows the message and
asks for the desk's parts again; the kiosk and the booking form show the page). A second loss
on the second run, with nothing committed, is a 503 with ``X-Outcome: not-saved``: send it
again.

Side effects outside PostgreSQL happen after commit (the Redis versions and pub/sub of the
screens, the tasks that send mail, `transaction.on_commit`), so a request that is run again
has done none of them; the only thing a first run does outside the database before its
commit is the per-address rate-limit count (core.rate_limits), which the second run reads
without counting again (`is_rerun`). The body is read before the first run (when Django
would read it whole anyway: up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``, and within
core.middleware's limit), so the second run reads the same form; a larger body is not run
again (503 ``not-saved`` when nothing was committed).
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from servicekontor.core.client_gone import ClientGone
from servicekontor.core.middleware import _declared_length, body_limit

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD"})
_LOST = "_database_connection_lost"
_LEDGERS = "_database_ledgers"
_RERUN = "_database_connection_rerun"
NOT_SAVED = "not-saved"
UNKNOWN = "unknown"
NOT_COMMITTED = "not-committed"  # core.postgresql's `lost_commit`, when the server said so


def _raw_lost(raw: Any) -> bool:
    """Whether a driver connection is broken or closed (psycopg's own state; nothing sent)."""
    return raw is not None and bool(getattr(raw, "broken", False) or getattr(raw, "closed", False))


def connection_lost() -> bool:
    """Whether a database connection of this thread is broken (its server ended it).

    Reads psycopg's own state (``broken`` or ``closed`` on an open Django connection);
    sends nothing to the server. SQLite's connections are never lost this way.
    """
    return any(_raw_lost(conn.connection) for conn in connections.all(initialized_only=True))


def is_rerun(request: HttpRequest) -> bool:
    """Whether this is the request's second run after its connection was lost."""
    return bool(getattr(request, _RERUN, False))


# A statement that reads only: it begins with a keyword that reads (SELECT, WITH, SHOW, a
# savepoint's own statements …; comments and parentheses before it are skipped) and names
# nothing that writes anywhere in it. One `execute` may carry several statements (`queueing.sql`
# sends a lock and a change as one, "SELECT …; WITH … UPDATE …"), hence the whole text. A
# SELECT … FOR UPDATE, or a column named like a keyword, counts as a write: the safe side.
_KEYWORD = re.compile(r"(?:\s+|--[^\n]*\n|/\*.*?\*/|\()*([A-Za-z]*)", re.DOTALL)
_READ_KEYWORDS = frozenset(
    {"SELECT", "WITH", "SHOW", "VALUES", "TABLE", "SET", "RESET", "SAVEPOINT", "RELEASE"}
)
_WRITES = re.compile(
    r"\b(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|CALL|DO|CREATE|DROP|ALTER|GRANT|REVOKE"
    r"|NOTIFY|PG_NOTIFY|REFRESH|VACUUM|CLUSTER|REINDEX|SETVAL|LO_\w+)\b",
    re.IGNORECASE,
)


def _reads_only(sql: str) -> bool:
    found = _KEYWORD.match(sql)
    keyword = found.group(1).upper() if found else ""
    if keyword == "ROLLBACK":  # Django's ROLLBACK TO SAVEPOINT
        keyword = "RELEASE"
    return keyword in _READ_KEYWORDS and _WRITES.search(sql) is None


class _Ledger:
    """One request's writes on one database alias: may any of them have been committed?"""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.may_have_committed = False
        self.pending: Callable[[], None] | None = None  # the open write transaction's marker
        self.raws: list[Any] = []  # the driver connections its statements ran on
        self.commit_failed = False  # the transaction's COMMIT (its round trip) failed

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        conn: BaseDatabaseWrapper = context["connection"]
        if getattr(conn, "committing", False):
            # the COMMIT's round trip (core.postgresql, with the writes and reads that ride
            # on it): the transaction's end, its marker tells whether it committed
            try:
                return execute(sql, params, many, context)
            except DatabaseError:
                self.commit_failed = True  # what became of it: `_settle`
                raise
        self._settle(conn)
        in_transaction = conn.in_atomic_block
        if not _reads_only(sql):
            if not in_transaction:
                self.may_have_committed = True
            elif self.pending is None:
                self.pending = marker = self._marker()
                transaction.on_commit(marker, using=self.alias)
        raw = conn.connection
        if not self.raws or self.raws[-1] is not raw:
            self.raws.append(raw)
        try:
            return execute(sql, params, many, context)
        except DatabaseError:
            if in_transaction and _raw_lost(conn.connection):
                # The server rolls the transaction back; Django sends no COMMIT on a lost
                # connection (the atomic block's exit fails to roll back and closes it).
                self.pending = None
            raise

    def _marker(self) -> Callable[[], None]:
        def committed() -> None:
            self.may_have_committed = True
            self.pending = None

        return committed

    def _settle(self, conn: BaseDatabaseWrapper) -> None:
        """The write transaction seen is over once the connection is out of its atomic block
        or the marker left the connection's callbacks (it ran: committed; or it was dropped:
        rolled back, or the commit failed) — a later transaction is another one."""
        marker = self.pending
        if marker is not None and (
            not conn.in_atomic_block or not any(entry[1] is marker for entry in conn.run_on_commit)
        ):
            # A COMMIT that lost its connection and is known not to have committed
            # (core.postgresql asked the server, decision 0099) leaves nothing committed
            self.may_have_committed = self.may_have_committed or not (
                self.commit_failed and getattr(conn, "lost_commit", None) == NOT_COMMITTED
            )
            self.pending = None
        self.commit_failed = False

    def nothing_committed(self) -> bool:
        self._settle(connections[self.alias])
        return not self.may_have_committed and self.pending is None

    def lost(self) -> bool:
        return any(_raw_lost(raw) for raw in self.raws)


def _note_lost_connection(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception``: mark the request when a database error lost its connection
    (a statement's, or a commit's: Django then closes the connection, so the driver
    connections the request's statements used are asked too)."""
    error = sys.exc_info()[1]
    if request is None or not isinstance(error, DatabaseError):
        return
    ledgers: dict[str, _Ledger] = getattr(request, _LEDGERS, {})
    if connection_lost() or any(ledger.lost() for ledger in ledgers.values()):
        setattr(request, _LOST, True)


got_request_exception.connect(_note_lost_connection, dispatch_uid="core.lost_connection")


def _body_kept(request: HttpRequest) -> bool:
    """Read the body now, so that a second run reads the same form: when Django would hold it
    whole in memory anyway (up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``; desk.js's FormData is
    multipart too) and core.middleware's limit would not refuse it (a larger one is refused
    before anything reads it). False: larger, or unreadable; not run again."""
    if request.method in SAFE_METHODS:
        return True
    declared = _declared_length(request)
    most = min(body_limit(request), settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**63)
    if declared is None or declared > most:
        return False
    try:
        request.body  # noqa: B018 (read and kept on the request)
    except ClientGone:
        raise  # the client went away: its 400, nothing runs (core.client_gone)
    except Exception:
        return False
    return True


def outcome_response(request: HttpRequest, outcome: str) -> HttpResponse:
    """503 for a request whose connection was lost: `NOT_SAVED` (send it again) or `UNKNOWN`
    (it may have been saved: look first). Made without the database, in the request's
    language; ``X-Outcome`` says which, ``Retry-After`` when to try."""
    language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        if outcome == NOT_SAVED:
            message = _(
                "The connection to the database was lost. Nothing was saved: send it again."
            )
        else:
            message = _(
                "The connection to the database was lost while this was being saved: it may "
                "or may not have been saved. Check before you send it again."
            )
        if request.path.startswith("/api/") or request.content_type == "application/json":
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(
                render_to_string(
                    "core/lost_connection.html",
                    {
                        "message": message,
                        "outcome": outcome,
                        "back": request.get_full_path(),
                        "language": translation.get_language(),
                    },
                ),
                status=503,
            )
    response["Retry-After"] = "1"
    response["X-Outcome"] = outcome
    response["Cache-Control"] = "no-store"
    return response


class RetryReadOnLostConnectionMiddleware:
    """Runs a request once more when its database connection was lost while it ran: a GET
    or HEAD always, any other method when nothing it wrote can have been committed (else a
    503 that says so).

    First in ``MIDDLEWARE`` (after `core.client_gone`), so the second run goes through every middleware again (session,
    user, language) on a fresh connection. Once only: a second loss is the 500 it was (a
    GET) or a 503 (another method). Not inside a transaction (``ATOMIC_REQUESTS`` is off; a
    test's wrapping transaction is never retried).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in SAFE_METHODS:
            response = self.get_response(request)
            if self._lost(request, response):
                response = self._again(request, response)
            return response
        kept = _body_kept(request)
        response, ledgers = self._watched(request)
        if not self._lost(request, response):
            return response
        if not all(ledger.nothing_committed() for ledger in ledgers):
            return self._answer(request, response, UNKNOWN)
        if not kept:
            return self._answer(request, response, NOT_SAVED)
        # the first run's "Internal Server Error" above is answered after all: say so
        logger.warning(
            "%s %s lost its database connection before anything of it was committed: "
            "run again on a new connection",
            request.method,
            request.path,
        )
        response = self._again(request, response)
        if not self._lost(request, response):
            return response
        ledgers = list(getattr(request, _LEDGERS, {}).values())
        safe = all(ledger.nothing_committed() for ledger in ledgers)
        return self._answer(request, response, NOT_SAVED if safe else UNKNOWN)

    @staticmethod
    def _answer(request: HttpRequest, response: HttpResponseBase, outcome: str) -> HttpResponse:
        logger.warning(
            "%s %s lost its database connection (outcome %s): answered 503",
            request.method,
            request.path,
            outcome,
        )
        response.close()
        return outcome_response(request, outcome)

    def _watched(self, request: HttpRequest) -> tuple[HttpResponseBase, list[_Ledger]]:
        ledgers = {alias: _Ledger(alias) for alias in connections}
        setattr(request, _LEDGERS, ledgers)
        with contextlib.ExitStack() as stack:
            for alias, ledger in ledgers.items():
                stack.enter_context(connections[alias].execute_wrapper(ledger))
            response = self.get_response(request)
        return response, list(ledgers.values())

    @staticmethod
    def _lost(request: HttpRequest, response: HttpResponseBase) -> bool:
        return (
            response.status_code >= 500
            and getattr(request, _LOST, False)
            and not any(conn.in_atomic_block for conn in connections.all(initialized_only=True))
        )

    def _again(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        setattr(request, _LOST, False)
        setattr(request, _RERUN, True)
        response.close()
        for conn in connections.all(initialized_only=True):
            conn.close()
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        return self._watched(request)[0]
