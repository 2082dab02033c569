"""Terminating a test's own PostgreSQL backend at a chosen statement, as an administrator
(`pg_terminate_backend`) or a failover would: the tests of core.lost_connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

Wrapper = Callable[..., Any]


def terminate(pid: int) -> None:
    """End backend `pid` from another connection and wait (up to 5 s) until it is gone."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()


def _pid(conn: BaseDatabaseWrapper) -> int:
    return int(conn.connection.info.backend_pid)


class Killer:
    """An execute wrapper (`connection.execute_wrapper`) that terminates the connection's
    backend at most `times` times: before a statement `before(sql, conn)` chooses (which
    then fails), or right after one `after(sql, conn)` chooses (which succeeded; the next
    statement, or the COMMIT, then fails). `killed`: the backends terminated."""

    def __init__(
        self,
        *,
        before: Callable[[str, BaseDatabaseWrapper], bool] | None = None,
        after: Callable[[str, BaseDatabaseWrapper], bool] | None = None,
        times: int = 1,
    ) -> None:
        self.before, self.after, self.times = before, after, times
        self.killed: list[int] = []
        self.in_transaction_seen = False

    def __call__(
        self, execute: Wrapper, sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        conn: BaseDatabaseWrapper = context["connection"]
        if self.before is not None and len(self.killed) < self.times and self.before(sql, conn):
            self._kill(conn)
        self.in_transaction_seen = self.in_transaction_seen or conn.in_atomic_block
        result = execute(sql, params, many, context)
        if self.after is not None and len(self.killed) < self.times and self.after(sql, conn):
            self._kill(conn)
        return result

    def _kill(self, conn: BaseDatabaseWrapper) -> None:
        pid = _pid(conn)
        terminate(pid)
        self.killed.append(pid)


def in_transaction(table: str, times: int = 1) -> Killer:
    """Killed before the first statement inside an atomic block that names `table` (e.g.
    "queueing_visit"): the transaction's writes are not committed."""
    return Killer(before=lambda sql, conn: conn.in_atomic_block and table in sql, times=times)


def carries_commit(sql: str) -> bool:
    """Whether `sql` is the COMMIT itself, with the writes and the read that ride on it
    (`core.postgresql`, decision 0092): Django's own backend sends no COMMIT through
    `execute`, ours does when something rides on it."""
    return sql.rstrip().rstrip(";").upper().endswith("COMMIT")


def after_commit(times: int = 1) -> Killer:
    """Killed before the first statement outside an atomic block once one has ended, the
    COMMIT itself not counted: the request's transaction has committed."""
    killer = Killer(times=times)
    killer.before = lambda sql, conn: (
        killer.in_transaction_seen and not conn.in_atomic_block and not carries_commit(sql)
    )
    return killer


def at_commit(table: str) -> Killer:
    """Killed right after the first statement inside an atomic block that names `table`
    has succeeded: the next statement in that transaction, or its COMMIT, fails (a
    COMMIT that fails so leaves its outcome unknown to the client)."""
    return Killer(
        after=lambda sql, conn: conn.in_atomic_block and table in sql,
        # the writes sent with the COMMIT (`core.postgresql`): killed before they go
        before=lambda sql, conn: carries_commit(sql) and table in sql,
    )
