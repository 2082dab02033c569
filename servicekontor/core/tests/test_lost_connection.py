"""core.lost_connection without a database server: which statements count as writes, which
requests are run again, and a second run is not counted twice by the rate limits. The kills
themselves: test_lost_connection_postgres.py (and the desk's, kiosk's and booking's)."""

from __future__ import annotations

import json

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from servicekontor.core.lost_connection import (
    RetryReadOnLostConnectionMiddleware,
    _reads_only,
    is_rerun,
)
from servicekontor.core.rate_limits import rate_limited

# The middleware closes the first run's answer, which sends `request_finished`: Django then
# looks at the connections an earlier test opened.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "network_office"."id" FROM "network_office"',
        "  (SELECT 1) UNION (SELECT 2)",
        "-- a comment\nSELECT 1",
        "/* a comment */ select updated_at, last_update FROM t",
        "WITH x AS (SELECT 1) SELECT * FROM x",
        'SAVEPOINT "s1"',
        'RELEASE SAVEPOINT "s1"',
        'ROLLBACK TO SAVEPOINT "s1"',
        "SHOW TIME ZONE",
        "VALUES(1)",
    ],
)
def test_reads_only__reads(sql: str) -> None:
    assert _reads_only(sql)


@pytest.mark.parametrize(
    "sql",
    [
        'INSERT INTO "queueing_visit" ("state") VALUES (%s)',
        'UPDATE "queueing_visit" SET "state" = %s',
        "DELETE FROM t",
        "WITH moved AS (UPDATE t SET a = 1 RETURNING id) SELECT * FROM moved",
        # queueing.sql sends a lock and a change in one execute
        "SELECT s.id FROM queueing_desksession s FOR UPDATE; WITH t AS (SELECT 1) UPDATE v SET a = 1",
        "SELECT * FROM t FOR UPDATE",  # a lock, counted as a write: the safe side
        "SELECT pg_notify('c', 'x')",
        "TRUNCATE t",
        "CREATE TABLE t (a int)",
        "",
    ],
)
def test_reads_only__writes(sql: str) -> None:
    assert not _reads_only(sql)


def _request(method: str, body: bytes = b"a=1") -> HttpRequest:
    return RequestFactory().generic(
        method, "/x/", body, content_type="application/x-www-form-urlencoded"
    )


def _losing_view(times: int, *, read: bool = True) -> tuple[object, list[bytes]]:
    """A view whose first `times` runs lose their connection before any statement; each run
    notes the body it read (`read`)."""
    bodies: list[bytes] = []

    def view(request: HttpRequest) -> HttpResponse:
        bodies.append(request.body if read else b"")
        if len(bodies) <= times:
            request._database_connection_lost = True  # type: ignore[attr-defined]
            return HttpResponse(status=500)
        return HttpResponse("done")

    return view, bodies


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods__lost_before_any_write__run_again_with_the_same_body(method: str) -> None:
    view, bodies = _losing_view(times=1)
    response = RetryReadOnLostConnectionMiddleware(view)(_request(method))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert bodies == [b"a=1", b"a=1"]


def test_post__lost_on_both_runs__503_nothing_saved() -> None:
    view, bodies = _losing_view(times=2)
    response = RetryReadOnLostConnectionMiddleware(view)(_request("POST"))  # type: ignore[arg-type]
    assert len(bodies) == 2  # no third run
    assert response.status_code == 503
    assert response["X-Outcome"] == "not-saved"
    assert response["Retry-After"] == "1"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2)
def test_post__body_too_large_to_keep__503_nothing_saved_not_run_again() -> None:
    view, bodies = _losing_view(times=1, read=False)
    response = RetryReadOnLostConnectionMiddleware(view)(_request("POST", b"abc"))  # type: ignore[arg-type]
    assert len(bodies) == 1
    assert response.status_code == 503
    assert response["X-Outcome"] == "not-saved"


def test_post__multipart_form__run_again_with_the_same_form() -> None:
    """desk.js sends its FormData as multipart: kept and read again on the second run."""
    runs: list[dict[str, str]] = []

    def view(request: HttpRequest) -> HttpResponse:
        runs.append(request.POST.dict())
        if len(runs) == 1:
            request._database_connection_lost = True  # type: ignore[attr-defined]
            return HttpResponse(status=500)
        return HttpResponse("done")

    request = RequestFactory().post("/x/", {"action": "call_next"})  # multipart
    assert request.content_type == "multipart/form-data"
    response = RetryReadOnLostConnectionMiddleware(view)(request)
    assert response.status_code == 200
    assert runs == [{"action": "call_next"}, {"action": "call_next"}]


@override_settings(UPLOAD_MAX_REQUEST_BYTES=2)
def test_post__upload_over_the_limit__not_read_ahead() -> None:
    """core.middleware refuses it (413) before anything reads it."""
    view, bodies = _losing_view(times=1, read=False)
    request = RequestFactory().generic(
        "POST", "/x/", b"--x--", content_type="multipart/form-data; boundary=x"
    )
    response = RetryReadOnLostConnectionMiddleware(view)(request)  # type: ignore[arg-type]
    assert len(bodies) == 1
    assert response.status_code == 503
    assert response["X-Outcome"] == "not-saved"
    assert not hasattr(request, "_body")  # not read


def test_get__a_500_without_a_lost_connection__not_run_again() -> None:
    runs: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        runs.append(1)
        return HttpResponse(status=500)

    assert RetryReadOnLostConnectionMiddleware(view)(_request("GET")).status_code == 500
    assert runs == [1]


def test_api_post__503_in_json() -> None:
    view, _bodies = _losing_view(times=2)
    request = RequestFactory().post("/api/visits/", b"a=1", content_type="text/plain")
    response = RetryReadOnLostConnectionMiddleware(view)(request)  # type: ignore[arg-type]
    assert response.status_code == 503
    assert "detail" in json.loads(response.content)  # type: ignore[attr-defined]


def test_rate_limit__second_run_not_counted_again(settings) -> None:
    """The first run counted the request; its second run (after a lost connection) reads
    the count without adding to it, so a client at its limit is not refused (429) for the
    server's loss."""
    settings.RATELIMIT_ENABLE = True
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(is_rerun(request))
        if len(seen) == 1:
            request._database_connection_lost = True  # type: ignore[attr-defined]
            return HttpResponse(status=500)
        return HttpResponse("done")

    limited = rate_limited(lambda: "1/m", method="POST", group="lost-connection-test")(view)
    request = _request("POST")
    request.META["REMOTE_ADDR"] = "192.0.2.13"
    response = RetryReadOnLostConnectionMiddleware(limited)(request)
    assert seen == [False, True]
    assert response.status_code == 200
