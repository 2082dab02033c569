"""Django's PostgreSQL backend (psycopg 3, client-side binding), with the transaction's BEGIN
and COMMIT sent in the round trips of the statements next to them (decision 0092, issue 13).

A desk action is a short transaction of a few statements; each round trip sends the worker
back into the run queue, and at the national peak the wait for a core after each answer is a
third of the action's time. psycopg sends `BEGIN` as a round trip of its own before the
transaction's first statement, and Django's commit is a round trip of its own after the last.

- `opening(statement)`: the statement with psycopg's own `BEGIN` (the same text:
  isolation level and all) in front, when it is the first statement of the outermost atomic
  block (nothing sent since the block began). psycopg is told not to send its own (its
  `autocommit` flag, which only decides whether *it* sends a BEGIN; Django's own flag, which
  `atomic` and `on_commit` use, is not touched). The caller skips the BEGIN's (empty) result
  with `nextset()`.
- `write_later(statement, params)`: a write whose answer nobody waits for (the statistics'
  rollups) sent in the round trip of whatever the connection sends next in the transaction,
  in front of it: the next statement (a read after it sees it, as before), a savepoint's
  SAVEPOINT, RELEASE or ROLLBACK TO (a rolled-back savepoint takes it with it), or the COMMIT.
  So nothing the transaction does is reordered; what changes is only when an error in the
  write is raised (at that next statement, which then fails as the block would have). Sent
  at once outside a transaction that has begun. Dropped on rollback.
- The health check (`CONN_HEALTH_CHECKS`, before a request's first statement on a reused
  connection) asks the server (Django's `SELECT 1`, a round trip) only when the connection's
  socket has something to read: an idle connection is sent nothing by a server that is well,
  and a server that ended it (a restart, `pg_terminate_backend`) has sent its error and closed
  the socket, which is then readable. Nothing pending: usable, no round trip.

- `with_next_commit(statement, params, into)`: a read sent with the next COMMIT, after the
  transaction's writes (a desk action's answer: the session and versions of its parts).

- The health check (above) and psycopg's own commands bypass Django's cursor; nothing is
  waiting then (no transaction has begun, or it has ended).

- *A COMMIT whose connection is lost is asked about* (decision 0099): every COMMIT of a
  transaction that has begun goes through the cursor as `...; SELECT
  pg_current_xact_id_if_assigned(); COMMIT`, the transaction's id read after its last write
  in the COMMIT's own round trip (none for a transaction that wrote nothing; no id is
  assigned by asking). When the round trip loses its connection (a killed backend, a
  restart), what arrived tells: the server's error in place of the id (the COMMIT behind it
  never ran), no id (nothing to commit), or the id, whose fate a new connection asks
  (`pg_xact_status`, again while "in progress", for at most `OUTCOME_BUDGET` s). The id is
  learned earlier when it can be: the first statement of a transaction that may write (a
  list of parameters or none, not `executemany`) carries `; SELECT
  pg_current_xact_id_if_assigned()` behind it in its own round trip, until an id is known;
  the COMMIT then does not ask, and a COMMIT that hears nothing at all from the server (its
  FATAL error lost with the socket, measured at the peak's kills) is asked about too.
  Committed: the commit returns as a commit does, on the new connection (Django's state and
  its `on_commit` callbacks untouched), so the request goes on and answers. Not committed:
  the error is raised and `lost_commit` says so (core.lost_connection then runs the request
  again). Nothing known (no answer at all, the server out of reach): raised, the 503
  "unknown" of decision 0088.

Only with client-side binding (Django's default, psycopg's `ClientCursor`): several statements
with parameters in one `execute` (the simple query protocol). With `server_side_binding` both
are off and the backend is Django's.
"""

from __future__ import annotations

import contextlib
import logging
import select
import time
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import DatabaseError
from django.db.backends.postgresql import base
from psycopg import pq

logger = logging.getLogger(__name__)

# Asked in the COMMIT's round trip, after the transaction's last write: its id, if it has one
# (a transaction that wrote nothing has none, and is given none by this).
XACT_ID = "SELECT pg_current_xact_id_if_assigned()"
# A lost COMMIT's outcome (`DatabaseWrapper.lost_commit`, read by core.lost_connection)
COMMITTED = "committed"
NOT_COMMITTED = "not-committed"
UNKNOWN = "unknown"
# How long a lost COMMIT's outcome is asked for (issue 13: no request fails for longer than 2 s)
OUTCOME_BUDGET = 1.5
_NOT_RUN = object()
_UNKNOWN = object()


def _reads_only(sql: str) -> bool:
    from servicekontor.core.lost_connection import _reads_only as reads_only

    return reads_only(sql)


def _lost(raw: Any) -> bool:
    return raw is not None and bool(raw.broken or raw.closed)


def _transaction_id(received: Sequence[Any], before: int) -> object:
    """What the results of a COMMIT's round trip (`before` results, the transaction id's,
    the COMMIT's) that lost its connection tell: the transaction's id (text), None (it had
    none), `_NOT_RUN` (the server answered an earlier statement with an error: it stops a
    query string there, so the COMMIT never ran) or `_UNKNOWN` (nothing from the server).

    The server answers the statements of one query string in order and sends what it holds
    before its last words when it ends a connection (a FATAL error with an SQLSTATE), so an
    error of the server's in place of the id means the COMMIT never ran. An error libpq made
    itself (the socket closed: no SQLSTATE) proves nothing."""
    for result in received[: before + 1]:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            if result.error_field(pq.DiagnosticField.SQLSTATE):
                return _NOT_RUN
            return _UNKNOWN
    if len(received) > before:
        answer = received[before]
        if answer.status == pq.ExecStatus.TUPLES_OK and answer.ntuples == 1:
            value = answer.get_value(0, 0)
            return None if value is None else value.decode()
    return _UNKNOWN


class Cursor(base.Cursor):
    """Django's cursor that keeps the results its last `execute` received, those before an
    error too (psycopg raises for the first error and gives out none): what a COMMIT's round
    trip learned before its connection was lost. psycopg's `_check_results` (private, checked
    by core/tests/test_postgresql_lost_commit.py on an upgrade) sees them all."""

    received: Sequence[Any] = ()

    def _check_results(self, results: list[Any]) -> None:
        self.received = results
        super()._check_results(results)  # type: ignore[misc]  # psycopg's, private


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (statements, parameters, how many results they give)
        self._later: list[tuple[str, Sequence[Any], int]] = []
        self._rider: tuple[str, Sequence[Any], list[list[Any]]] | None = None
        self.execute_wrappers.insert(0, self._send_later)
        self.committing = False  # while the COMMIT's round trip is under way
        self.lost_commit: str | None = None  # the last COMMIT's, if its connection was lost
        self._xid: str | None = None  # the open transaction's id, once a write has one

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if params.get("cursor_factory") is base.Cursor:
            params["cursor_factory"] = Cursor
        return params

    def _several_per_execute(self) -> bool:
        return not self.settings_dict.get("OPTIONS", {}).get("server_side_binding")

    # --- the health check without a round trip ------------------------------------------

    def is_usable(self) -> bool:
        raw = self.connection
        if raw is None or raw.closed or raw.broken:
            return False
        if raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return bool(super().is_usable())
        try:
            poller = select.poll()  # (no limit on the descriptor's number, unlike select)
            poller.register(raw.pgconn.socket, select.POLLIN)
            readable = poller.poll(0)
        except (OSError, ValueError, psycopg.Error):
            return False
        if readable:  # the server said something unasked (or hung up): ask it (Django's check)
            return bool(super().is_usable())
        return True

    # --- BEGIN with the first statement --------------------------------------------------

    def opening(self, statement: str) -> tuple[str, bool]:
        """`statement`, and whether psycopg's BEGIN was put in front of it (then its first
        result is the BEGIN's: `cursor.nextset()` before reading). Call with the connection
        open (`ensure_connection`), right before executing."""
        raw = self.connection
        if (
            raw is None
            or not self.in_atomic_block
            or self.get_autocommit()
            or raw.autocommit
            or raw.pgconn.transaction_status != pq.TransactionStatus.IDLE
            or raw._pipeline is not None
            or not self._several_per_execute()
            or self._later  # (never, outside a transaction) they go first, psycopg's BEGIN before
        ):
            return statement, False
        begin = raw._get_tx_start_command().decode()
        # psycopg now sends no BEGIN of its own; the server's transaction block is ours
        # from the statement's round trip on (psycopg's commit/rollback look at the server's
        # state, not at this flag). Django's autocommit (False) is unchanged.
        raw.autocommit = True
        return f"{begin}; {statement}", True

    def opened(self) -> None:
        """After executing an `opening` statement: if it did not open the transaction (it
        failed before the server ran the BEGIN), psycopg sends its own again."""
        raw = self.connection
        if (
            raw is not None
            and raw.autocommit
            and not self.get_autocommit()
            and raw.pgconn.transaction_status == pq.TransactionStatus.IDLE
        ):
            raw.autocommit = False

    # --- writes sent with the next statement, or with the COMMIT -----------------------------

    def write_later(self, statement: str, params: Sequence[Any], *, results: int = 1) -> None:
        """Run `statement` (`results`: how many statements, joined by "; ") in the round
        trip of the connection's next statement, in front of it, or with the COMMIT (see the
        module); now outside a transaction that has begun."""
        raw = self.connection
        if (
            raw is not None
            and self.in_atomic_block
            and not self.get_autocommit()
            and not self.needs_rollback
            and raw.pgconn.transaction_status == pq.TransactionStatus.INTRANS
            and self._several_per_execute()
        ):
            self._later.append((statement, params, results))
            return
        with self.cursor() as cursor:
            cursor.execute(statement, params)

    def _send_later(
        self, execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        """The connection's execute wrapper: the writes waiting (`write_later`) go first, in
        the same round trip when the statement's parameters allow (a list: the simple query
        protocol), else in one of their own just before it."""
        if not self._later:
            return self._learning_the_id(execute, sql, params, many, context)
        pending, self._later = self._later, []
        joined = "; ".join(statement for statement, _params, _n in pending)
        values = [p for _statement, params, _n in pending for p in params]
        cursor = context["cursor"]
        if many or not isinstance(params, (list, tuple)):
            cursor.execute(joined, values)
            return execute(sql, params, many, context)
        result = self._learning_the_id(
            execute, f"{joined}; {sql}", [*values, *params], many, context
        )
        for _skip in range(sum(n for _s, _p, n in pending)):
            cursor.nextset()  # to the statement's own result
        return result

    def _learning_the_id(
        self, execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        """`sql`, and while the transaction's id is not known and the statement may write,
        the id read after it in the same round trip (`XACT_ID`, its result after the
        statement's own: the caller's results are where they were). Known before the COMMIT,
        a COMMIT that gets no answer at all can still be asked about (decision 0099)."""
        if (
            self._xid is not None
            or many
            or self.committing
            or not self.in_atomic_block
            or self.get_autocommit()
            or not (params is None or isinstance(params, (list, tuple)))
            or not self._several_per_execute()
            or _reads_only(sql)
        ):
            return execute(sql, params, many, context)
        result = execute(f"{sql}; {XACT_ID}", params, many, context)
        received = getattr(context["cursor"].cursor, "received", ())
        if received and received[-1].status == pq.ExecStatus.TUPLES_OK:
            value = received[-1].get_value(0, 0) if received[-1].ntuples == 1 else None
            self._xid = None if value is None else value.decode()
        return result

    def with_next_commit(
        self, statement: str, params: Sequence[Any], into: list[list[Any]]
    ) -> None:
        """Read `statement` in the next COMMIT's round trip, after the transaction's writes
        (and those sent with the commit): its rows are appended to `into` as one list. If the
        next transaction rolls back, or none commits, nothing is read (`into` stays empty):
        the caller asks itself. One at a time; `drop_next_commit` forgets it."""
        self._rider = (statement, params, into) if self._several_per_execute() else None

    def drop_next_commit(self) -> None:
        self._rider = None

    def _commit(self) -> None:
        rider, self._rider = self._rider, None
        self.lost_commit = None
        raw = self.connection
        if (
            not self._later
            and rider is None
            and (
                raw is None
                or raw.pgconn.transaction_status != pq.TransactionStatus.INTRANS
                or not self._several_per_execute()
            )
        ):
            self._xid = None
            return super()._commit()  # type: ignore[misc]  # Django's, not in its stubs
        pending, self._later = self._later, []
        if rider is not None:
            pending.append((rider[0], rider[1], 1))
        before = sum(n for _s, _p, n in pending)  # the results in front of the transaction id
        xid, self._xid = self._xid, None  # learned with a write (`_learning_the_id`), or now
        asked = [] if xid is not None else [XACT_ID]
        joined = "; ".join([*(statement for statement, _params, _n in pending), *asked, "COMMIT"])
        params = [p for _statement, params, _n in pending for p in params]
        self.committing = True
        try:
            with self.cursor() as cursor:
                try:
                    cursor.execute(joined, params)
                except DatabaseError:
                    if not _lost(raw):
                        raise
                    received = getattr(cursor.cursor, "received", [])
                    if self._commit_was_lost(received, before, xid):
                        return  # it committed: the transaction is done, on a new connection
                    raise
                if rider is not None:
                    for _skip in range(before - 1):
                        cursor.nextset()
                    rider[2].append(list(cursor.fetchall()))
        finally:
            self.committing = False
        with self.wrap_database_errors:  # nothing to send: the server's block is closed
            self.connection.commit()

    # --- a COMMIT whose connection was lost: did it commit? -------------------------------

    def _commit_was_lost(self, received: Sequence[Any], before: int, xid: str | None) -> bool:
        """The COMMIT's round trip lost its connection; `received`: the results that came
        (psycopg's, up to the error). True: the transaction committed, and the connection
        is replaced by a new one (Django's state, the `on_commit` callbacks, untouched).
        False: `lost_commit` says whether it did not (`NOT_COMMITTED`) or nobody knows."""
        learned = xid if xid is not None else _transaction_id(received, before)
        if learned is _NOT_RUN or learned is None:
            # the server stopped before the COMMIT (an error in front of it), or the
            # transaction had no id (it wrote nothing): nothing of it is committed
            self.lost_commit = NOT_COMMITTED
            return False
        if learned is _UNKNOWN:
            self.lost_commit = UNKNOWN
            logger.warning("a COMMIT lost its connection before any answer: outcome unknown")
            return False
        status, fresh = self._transaction_status(str(learned))
        self.lost_commit = {"committed": COMMITTED, "aborted": NOT_COMMITTED}.get(
            status or "", UNKNOWN
        )
        logger.warning(
            "a COMMIT lost its connection; transaction %s is %s on the server",
            learned,
            status or "unknown",
        )
        if self.lost_commit != COMMITTED or fresh is None:
            if fresh is not None:
                fresh.close()
            return False
        old, self.connection = self.connection, fresh
        with contextlib.suppress(Exception):
            old.close()
        self.init_connection_state()
        return True

    def _transaction_status(self, xid: str) -> tuple[str | None, Any]:
        """`pg_xact_status(xid)` asked on a new connection, again while it is "in progress"
        (the old backend still ending) or the server cannot be reached, for at most
        `OUTCOME_BUDGET` seconds. The status, and the connection when it answered
        "committed" (in the state Django's transaction left the old one: not autocommit)."""
        deadline = time.monotonic() + OUTCOME_BUDGET
        delay = 0.005
        while True:
            fresh = None
            try:
                fresh = self.get_new_connection(self.get_connection_params())
                fresh.autocommit = True
                row = fresh.execute("SELECT pg_xact_status(%s::xid8)", [xid]).fetchone()
                status = row[0] if row else None
                if status != "in progress":
                    if status == "committed":
                        fresh.autocommit = False
                        return status, fresh
                    fresh.close()
                    return status, None
            except psycopg.Error:
                pass
            if fresh is not None:
                with contextlib.suppress(Exception):
                    fresh.close()
            if time.monotonic() + delay > deadline:
                return None, None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def _rollback(self) -> None:
        self._later, self._rider, self._xid = [], None, None
        return super()._rollback()  # type: ignore[misc]  # Django's, not in its stubs

    def _close(self) -> None:
        self._later, self._rider, self._xid = [], None, None
        return super()._close()  # type: ignore[misc]  # Django's, not in its stubs
