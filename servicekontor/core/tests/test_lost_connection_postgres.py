"""A GET whose PostgreSQL connection is terminated while it runs is answered again; a POST
only when nothing it wrote can have been committed, else a 503 (its outcome is unknown).
The desk's, kiosk's and booking's own cases: desk/, queueing/ and appointments/tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from servicekontor.core.lost_connection import (
    RetryReadOnLostConnectionMiddleware,
    connection_lost,
)
from tests import db_kills
from tests.factories import make_office

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _killer(table: str, times: int) -> db_kills.Killer:
    """Terminates this connection's backend just before the first `times` statements that
    read `table` (as an administrator or a failover would)."""
    return db_kills.Killer(before=lambda sql, conn: table in sql, times=times)


def test_get__connection_terminated_mid_request__answered_on_a_new_connection() -> None:
    office = make_office()
    wrapper = _killer('"network_office"', times=1)
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(wrapper):
        response = client.get(f"/api/offices/{office.code}/")
    assert len(wrapper.killed) == 1
    assert response.status_code == 200, response.content[:300]
    assert response.json()["code"] == office.code


def test_get__without_the_middleware__the_same_loss_is_a_500(settings) -> None:
    """The kill above is real: without the retry the request fails."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "lost_connection" not in m]
    office = make_office()
    wrapper = _killer('"network_office"', times=1)
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(wrapper):
        response = client.get(f"/api/offices/{office.code}/")
    assert len(wrapper.killed) == 1
    assert response.status_code == 500
    connection.close()


def test_get__lost_twice__the_500_it_was() -> None:
    office = make_office()
    wrapper = _killer('"network_office"', times=2)
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(wrapper):
        response = client.get(f"/api/offices/{office.code}/")
    assert len(wrapper.killed) == 2  # run twice, no more
    assert response.status_code == 500
    # In production `request_finished` closes the broken connection; the test client
    # disconnects that handler, so the test closes it.
    connection.close()


def _post_view(statements: list[str]) -> tuple[Callable[[HttpRequest], HttpResponse], list[int]]:
    """A view that runs `statements` in autocommit, one after another (a POST that writes
    outside a transaction)."""
    runs: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        runs.append(1)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        return HttpResponse("done")

    return view, runs


def _middleware_request(method: str = "POST") -> HttpRequest:
    return RequestFactory().generic(method, "/x/")


def test_post__lost_on_a_read_before_any_write__run_again() -> None:
    office = make_office()
    view, runs = _post_view([f"SELECT name FROM network_office WHERE id = {office.pk}"])
    killer = db_kills.Killer(before=lambda sql, conn: "network_office" in sql)
    with connection.execute_wrapper(killer):
        response = RetryReadOnLostConnectionMiddleware(_handled(view))(_middleware_request())
    assert len(killer.killed) == 1
    assert response.status_code == 200
    assert runs == [1, 1]


def test_post__lost_after_a_write_in_autocommit__503_not_run_again() -> None:
    office = make_office(name="Before")
    view, runs = _post_view(
        [
            f"UPDATE network_office SET name = name || '+' WHERE id = {office.pk}",
            f"SELECT name FROM network_office WHERE id = {office.pk}",
        ]
    )
    killer = db_kills.Killer(before=lambda sql, conn: sql.startswith("SELECT name"))
    with connection.execute_wrapper(killer):
        response = RetryReadOnLostConnectionMiddleware(_handled(view))(_middleware_request())
    connection.close()
    assert len(killer.killed) == 1
    assert response.status_code == 503
    assert response["X-Outcome"] == "unknown"
    assert response["Retry-After"] == "1"
    assert runs == [1]
    office.refresh_from_db()
    assert office.name == "Before+"  # written once


def _handled(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], Any]:
    """The view as Django's handler runs it inside the middleware: an exception is a 500
    and `got_request_exception` is sent."""
    from django.core.handlers.exception import convert_exception_to_response

    return convert_exception_to_response(view)


def test_get__database_error_on_a_live_connection__not_marked_lost() -> None:
    """A statement that fails on a healthy connection (here a syntax error) is no loss."""
    client = Client(raise_request_exception=False)
    with connection.cursor() as cursor, pytest.raises(DatabaseError):
        cursor.execute("SELEC 1")
    assert not connection_lost()
    assert client.get("/api/offices/NOPE/").status_code == 404
