"""Terminating a test's own PostgreSQL backend at a chosen statement, as an administrator
(`pg_terminate_backend`) or a failover would: the tests of core.lost_connection."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
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


def before_begin(times: int = 1) -> Killer:
    """Killed before the first statement of a transaction (the one psycopg's BEGIN goes
    with, or in front of): nothing of the transaction reached the server."""
    return Killer(
        before=lambda sql, conn: (
            conn.in_atomic_block
            and conn.connection.pgconn.transaction_status == 0  # IDLE: no BEGIN sent yet
        ),
        times=times,
    )


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
    has succeeded: the next statement in that transaction, or its COMMIT, fails (sent to
    a backend already gone: the server answers it with its FATAL error, the COMMIT never
    ran)."""
    return Killer(
        after=lambda sql, conn: conn.in_atomic_block and table in sql,
        # the writes sent with the COMMIT (`core.postgresql`): killed before they go
        before=lambda sql, conn: carries_commit(sql) and table in sql,
    )


# --- killed while the COMMIT's round trip is on the server ---------------------------------

_SLEEPS = "servicekontor.sleep_at_commit"  # a setting of the connection the trigger reads


@contextlib.contextmanager
def sleeping_at_commit(table: str) -> Iterator[None]:
    """A deferred constraint trigger on `table` (PostgreSQL): at the COMMIT of a transaction
    that wrote a row of it, on a connection with `_SLEEPS` on, the server sleeps (in the
    COMMIT, before its commit record: `during_commit` kills it there). Dropped after."""
    other = connections.create_connection("default")
    name = f"sleep_at_commit_{table}"
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF current_setting('{_SLEEPS}', true) = 'on' THEN "
                "PERFORM pg_sleep(10); END IF; RETURN NULL; END $$"
            )
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        yield
    finally:
        with other.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        other.close()


def _terminate_when_asleep(pid: int, cut: int | None = None) -> threading.Thread:
    """A thread that terminates backend `pid` once it sleeps (`pg_sleep`), within 10 s;
    first, with `cut` (the client's socket), cuts the client off so that it hears nothing
    of the server's any more (neither an answer nor the FATAL error), as a network would."""

    def run() -> None:
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    cursor.execute("SELECT wait_event FROM pg_stat_activity WHERE pid = %s", [pid])
                    row = cursor.fetchone()
                    if row is not None and row[0] == "PgSleep":
                        if cut is not None:
                            client = socket.socket(fileno=os.dup(cut))
                            client.shutdown(socket.SHUT_RDWR)
                            client.close()
                            time.sleep(0.05)  # the client has seen its end
                        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
                        return
                    time.sleep(0.005)
        finally:
            other.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


class CommitKiller:
    """An execute wrapper that terminates the backend while the COMMIT's round trip
    (`carries_commit`) is on the server: `at="commit"`: in the COMMIT, before the commit
    record (with `sleeping_at_commit` on the table written: the transaction is aborted);
    `at="answer"`: after the COMMIT, before the answer is done (a sleep sent after it in
    the same round trip: the transaction has committed, its answer never arrives whole).
    `silent`: the client hears nothing of the server at all (its socket cut first)."""

    def __init__(self, at: str, *, silent: bool = False) -> None:
        assert at in ("commit", "answer")
        self.at, self.silent = at, silent
        self.killed: list[int] = []

    def __call__(
        self, execute: Wrapper, sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        conn: BaseDatabaseWrapper = context["connection"]
        if self.killed or not carries_commit(sql):
            return execute(sql, params, many, context)
        pid = _pid(conn)
        if self.at == "commit":
            conn.connection.execute(f"SET {_SLEEPS} = 'on'")
        else:
            sql = f"{sql}; SELECT pg_sleep(10)"
        self.killed.append(pid)
        cut = conn.connection.pgconn.socket if self.silent else None
        killing = _terminate_when_asleep(pid, cut)
        try:
            return execute(sql, params, many, context)
        finally:
            killing.join()


AnyKiller = Killer | CommitKiller
