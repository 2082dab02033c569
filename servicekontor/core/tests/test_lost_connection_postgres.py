"""A GET whose PostgreSQL connection is terminated while it runs is answered again; a POST
is not run twice (its outcome is unknown)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client

from servicekontor.core.lost_connection import (
    RetryReadOnLostConnectionMiddleware,
    connection_lost,
)
from tests.factories import make_office

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _terminate(pid: int) -> None:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()


def _killer(table: str, times: int) -> tuple[Callable[..., Any], list[int]]:
    """An execute wrapper that terminates this connection's backend just before the first
    `times` statements that read `table` (as an administrator or a failover would)."""
    killed: list[int] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
        if table in sql and len(killed) < times:
            pid = context["connection"].connection.info.backend_pid
            _terminate(pid)
            killed.append(pid)
        return execute(sql, params, many, context)

    return wrapper, killed


def test_get__connection_terminated_mid_request__answered_on_a_new_connection() -> None:
    office = make_office()
    wrapper, killed = _killer('"network_office"', times=1)
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(wrapper):
        response = client.get(f"/api/offices/{office.code}/")
    assert len(killed) == 1
    assert response.status_code == 200, response.content[:300]
    assert response.json()["code"] == office.code


def test_get__without_the_middleware__the_same_loss_is_a_500(settings) -> None:
    """The kill above is real: without the retry the request fails."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "lost_connection" not in m]
    office = make_office()
    wrapper, killed = _killer('"network_office"', times=1)
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(wrapper):
        response = client.get(f"/api/offices/{office.code}/")
    assert len(killed) == 1
    assert response.status_code == 500
    connection.close()


def test_get__lost_twice__the_500_it_was() -> None:
    office = make_office()
    wrapper, killed = _killer('"network_office"', times=2)
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(wrapper):
        response = client.get(f"/api/offices/{office.code}/")
    assert len(killed) == 2  # run twice, no more
    assert response.status_code == 500
    # In production `request_finished` closes the broken connection; the test client
    # disconnects that handler, so the test closes it.
    connection.close()


def _request(method: str) -> HttpRequest:
    request = HttpRequest()
    request.method = method
    return request


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods__lost_connection__not_run_again(method: str) -> None:
    runs: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        runs.append(1)
        request._database_connection_lost = True  # type: ignore[attr-defined]
        return HttpResponse(status=500)

    response = RetryReadOnLostConnectionMiddleware(view)(_request(method))
    assert response.status_code == 500
    assert runs == [1]


def test_get__a_500_without_a_lost_connection__not_run_again() -> None:
    runs: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        runs.append(1)
        return HttpResponse(status=500)

    assert RetryReadOnLostConnectionMiddleware(view)(_request("GET")).status_code == 500
    assert runs == [1]


def test_get__database_error_on_a_live_connection__not_marked_lost() -> None:
    """A statement that fails on a healthy connection (here a syntax error) is no loss."""
    client = Client(raise_request_exception=False)
    with connection.cursor() as cursor, pytest.raises(DatabaseError):
        cursor.execute("SELEC 1")
    assert not connection_lost()
    assert client.get("/api/offices/NOPE/").status_code == 404
