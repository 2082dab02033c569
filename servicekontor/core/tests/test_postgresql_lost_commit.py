"""A COMMIT whose connection is lost: the backend learns the transaction's id in the COMMIT's
round trip and asks the server what became of it (core.postgresql, decision 0099). The
parts of psycopg it leans on (private: checked here against the installed version) and the
asking itself, on PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
import time

import psycopg
import pytest
from django.db import DatabaseError, connection, connections, transaction
from psycopg import pq

from servicekontor.core.postgresql import base as backend
from tests import db_kills

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_psycopg__the_cursor_keeps_the_results_received_before_an_error() -> None:
    """psycopg raises for the first error of a query string and hands out no result; our
    cursor keeps them all (its private `_check_results`): what a lost COMMIT learned."""
    connection.ensure_connection()
    assert isinstance(connection.connection.cursor(), backend.Cursor)
    with connection.cursor() as cursor, pytest.raises(DatabaseError):
        cursor.execute("SELECT 7; SELECT 1/0; SELECT 8")
    received = cursor.cursor.received
    assert [r.status for r in received] == [pq.ExecStatus.TUPLES_OK, pq.ExecStatus.FATAL_ERROR]
    assert received[0].get_value(0, 0) == b"7"
    assert received[1].error_field(pq.DiagnosticField.SQLSTATE) == b"22012"


def _commit_round_trip_after(kill: bool, write: bool) -> object:
    """The results of a COMMIT's round trip as `_commit` sends it (the id, the COMMIT),
    on a connection whose backend was terminated before it (`kill`)."""
    raw = connection.connection
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()" if write else "SELECT 1")
        if kill:
            db_kills.terminate(raw.info.backend_pid)
        with connection.cursor() as cursor:
            with contextlib.suppress(DatabaseError):
                cursor.execute(f"{backend.XACT_ID}; COMMIT")
            learned = backend._transaction_id(cursor.cursor.received, 0)
        transaction.set_rollback(True)
    return learned


def test_transaction_id__in_the_commits_round_trip() -> None:
    connection.ensure_connection()
    learned = _commit_round_trip_after(kill=False, write=True)
    assert isinstance(learned, str) and int(learned) > 0
    assert _commit_round_trip_after(kill=False, write=False) is None  # wrote nothing: no id


def test_transaction_id__the_servers_error_in_its_place__the_commit_never_ran() -> None:
    """The backend was gone before the round trip: its FATAL error (an SQLSTATE: the
    server's) came in place of the id, so the COMMIT behind it never ran."""
    connection.ensure_connection()
    try:
        assert _commit_round_trip_after(kill=True, write=True) is backend._NOT_RUN
    finally:
        connection.close()


def _backend() -> backend.DatabaseWrapper:
    wrapper = connections["default"]
    assert isinstance(wrapper, backend.DatabaseWrapper)
    return wrapper


def _other_transaction() -> tuple[psycopg.Connection, str]:
    other = connection.get_new_connection(connection.get_connection_params())
    row = other.execute("SELECT pg_current_xact_id()::text").fetchone()
    assert row is not None
    return other, row[0]


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_transaction_status__in_progress__asked_again_until_it_ends(end) -> None:
    """The old backend may still be ending its transaction when it is asked: "in progress"
    is asked again (within the budget) until it says committed or aborted."""
    connection.ensure_connection()
    other, xid = _other_transaction()
    ender = threading.Timer(0.2, getattr(other, end))
    ender.start()
    started = time.monotonic()
    status, fresh = _backend()._transaction_status(xid)
    ender.join()
    other.close()
    assert time.monotonic() - started >= 0.2
    if end == "commit":
        assert status == "committed" and fresh is not None and not fresh.autocommit
        fresh.close()
    else:
        assert (status, fresh) == ("aborted", None)


def test_transaction_status__still_in_progress_past_the_budget__unknown(monkeypatch) -> None:
    monkeypatch.setattr(backend, "OUTCOME_BUDGET", 0.1)
    connection.ensure_connection()
    other, xid = _other_transaction()
    try:
        assert _backend()._transaction_status(xid) == (None, None)
    finally:
        other.close()
    assert connections["default"].connection is not None
