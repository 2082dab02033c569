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

Only with client-side binding (Django's default, psycopg's `ClientCursor`): several statements
with parameters in one `execute` (the simple query protocol). With `server_side_binding` both
are off and the backend is Django's.
"""

from __future__ import annotations

import select
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (statements, parameters, how many results they give)
        self._later: list[tuple[str, Sequence[Any], int]] = []
        self._rider: tuple[str, Sequence[Any], list[list[Any]]] | None = None
        self.execute_wrappers.insert(0, self._send_later)

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
            return execute(sql, params, many, context)
        pending, self._later = self._later, []
        joined = "; ".join(statement for statement, _params, _n in pending)
        values = [p for _statement, params, _n in pending for p in params]
        cursor = context["cursor"]
        if many or not isinstance(params, (list, tuple)):
            cursor.execute(joined, values)
            return execute(sql, params, many, context)
        result = execute(f"{joined}; {sql}", [*values, *params], many, context)
        for _skip in range(sum(n for _s, _p, n in pending)):
            cursor.nextset()  # to the statement's own result
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
        if not self._later and rider is None:
            return super()._commit()  # type: ignore[misc]  # Django's, not in its stubs
        pending, self._later = self._later, []
        if rider is not None:
            pending.append((rider[0], rider[1], 1))
        joined = "; ".join([*(statement for statement, _params, _n in pending), "COMMIT"])
        params = [p for _statement, params, _n in pending for p in params]
        with self.cursor() as cursor:
            cursor.execute(joined, params)
            if rider is not None:
                for _skip in range(sum(n for _s, _p, n in pending) - 1):
                    cursor.nextset()
                rider[2].append(list(cursor.fetchall()))
        with self.wrap_database_errors:  # nothing to send: the server's block is closed
            self.connection.commit()

    def _rollback(self) -> None:
        self._later, self._rider = [], None
        return super()._rollback()  # type: ignore[misc]  # Django's, not in its stubs

    def _close(self) -> None:
        self._later, self._rider = [], None
        return super()._close()  # type: ignore[misc]  # Django's, not in its stubs
