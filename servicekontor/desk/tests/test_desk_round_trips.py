"""How many round trips a desk action sends to PostgreSQL and to Redis (issue 13, decision 0092).

At the national peak every round trip sends the gunicorn worker back into the run queue; a
desk action waited about as long for a core as it spent computing. These are exact counts
(not bounds, as `test_desk_statement_counts.py`'s statements are), in a real transaction (not
a test's wrapping one, whose BEGIN and COMMIT are not the request's), so a round trip that
creeps back fails here and must be cut or the count raised on purpose.

Counted on PostgreSQL: every `execute` (several statements in one are one round trip) and
every command psycopg sends on its own (its BEGIN before a transaction's first statement,
COMMIT, ROLLBACK). On Redis: every command of the cache (the session, the registry's
version) and every publish of push (decision 0026), as production has them: sessions
`cached_db` (`core.sessions`), push on. The health check (once per request on a reused connection) is tested
on its own below.
"""

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import psycopg
import psycopg._connection_base as psycopg_connection
import pytest
from django.core.cache import caches
from django.db import connection, connections
from django.http import HttpResponse
from django.urls import reverse

from servicekontor.queueing import push, services
from servicekontor.queueing.tests.conftest import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FRAGMENT = {"X-Desk-Fragment": "1"}

# action -> (PostgreSQL, Redis) round trips of desk.js's request, the middleware's included.
# PostgreSQL: the user (decision 0050); BEGIN with the change's statement (a call's session
# lock and pick are in it, decision 0071); the rollups' upserts and the answer's session and
# versions with the COMMIT; a finish's errand between. Before decision 0092: 6, 5, 8.
# Redis: the session, with the registry's version (the services offered on the panel of a
# visit called or served) in the same MGET; the office's publish. Before: 3, 3, 2.
EXPECTED = {
    "call_next": (3, 2),
    "start": (3, 2),
    "finish": (4, 2),
    # A hold reads the visit first (BEGIN with it) and leaves the officer no visit to read
    # after (before: 7, 2); calling a parked visit locks the session (BEGIN with it), asks
    # "busy?", reads the visit and whether the desk may serve it (before: 9, 3).
    "hold": (4, 2),
    "call": (7, 2),
}
# The same actions as plain forms (303: no answer's session to read, no panel, so no registry
# version). Before decision 0092: 5, 4, 7, 5, 8.
EXPECTED_PLAIN = {
    "call_next": (3, 2),
    "start": (3, 2),
    "finish": (4, 2),
    "hold": (4, 2),
    "call": (7, 2),
}


class Trips:
    def __init__(self) -> None:
        self.sql: list[str] = []
        self.redis: list[str] = []


@pytest.fixture
def trips(settings, monkeypatch) -> Iterator[Trips]:
    """Production's session store and push, and counters on both."""
    settings.SESSION_ENGINE = "servicekontor.core.sessions"
    settings.PUSH_URL = "http://127.0.0.1:9/push/"
    settings.PUSH_REDIS_URL = "redis://127.0.0.1:9/0"
    counted = Trips()

    class Publisher:
        def publish(self, channel: str, message: str) -> int:
            counted.redis.append(f"PUBLISH {channel}")
            return 0

    monkeypatch.setattr(push, "_client", lambda url: Publisher())

    cache = caches["default"]
    depth = [0]
    for name in ("get", "get_many", "set", "add", "delete", "set_many", "delete_many", "touch"):
        original = getattr(cache, name)

        def counting(*args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            if depth[0] == 0:  # one command; a local cache's get_many calls its own get
                counted.redis.append(_name)
            depth[0] += 1
            try:
                return _original(*args, **kw)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, counting)

    original_command = psycopg_connection.BaseConnection._exec_command

    def command(self: Any, command: Any, result_format: Any = 0) -> Any:
        counted.sql.append(bytes(command).decode())
        return (yield from original_command(self, command, result_format))

    monkeypatch.setattr(psycopg_connection.BaseConnection, "_exec_command", command)

    def execute(run: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        counted.sql.append(sql)
        return run(sql, params, many, context)

    with connection.execute_wrapper(execute):
        yield counted


def _counted(trips: Trips, call: Callable[[], HttpResponse]) -> tuple[tuple[int, int], Any]:
    trips.sql.clear()
    trips.redis.clear()
    response = call()
    return (len(trips.sql), len(trips.redis)), response


@pytest.mark.parametrize("fragment", [True, False], ids=["desk.js", "plain form"])
def test_desk_actions__round_trips__as_counted(client, trips, fragment):
    world = build_world(any_hour=True)
    for _ in range(3):
        services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    act = reverse("desk:act", kwargs={"office_code": world.office.code})
    headers = FRAGMENT if fragment else {}
    expected = 200 if fragment else 303

    counted = {}
    for _visit in range(2):  # the second visit is counted: the rollup rows exist, as at the peak
        counted["call_next"], called = _counted(
            trips, lambda: client.post(act, {"action": "call_next"}, headers=headers)
        )
        assert called.status_code == expected
        visit = called["X-Visit-Id"]
        hold = {"action": "hold", "visit": visit}
        counted["hold"], held = _counted(trips, partial(client.post, act, hold, headers=headers))
        call = {"action": "call", "visit": visit}
        counted["call"], called_back = _counted(
            trips, partial(client.post, act, call, headers=headers)
        )
        assert {held.status_code, called_back.status_code} == {expected}
        start = {"action": "start", "visit": visit}
        counted["start"], started = _counted(
            trips, partial(client.post, act, start, headers=headers)
        )
        finish = {"action": "finish", "visit": visit, "outcome": "resolved"}
        counted["finish"], finished = _counted(
            trips, partial(client.post, act, finish, headers=headers)
        )
        assert {started.status_code, finished.status_code} == {expected}
        if fragment:
            for answer in (called, started, finished):  # the parts, not a refusal
                assert b'class="message"' in answer.content, answer.content[:200]

    assert counted == (EXPECTED if fragment else EXPECTED_PLAIN)


def test_desk_js_answer__read_with_the_commit__is_the_polls_tag(client, trips):
    """The answer's own-visit tag, read in the action's COMMIT round trip, is the one the
    next poll computes: the poll is a 304 (nothing changed in between)."""
    world = build_world(any_hour=True)
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    code = world.office.code
    called = client.post(
        reverse("desk:act", kwargs={"office_code": code}), {"action": "call_next"}, headers=FRAGMENT
    )
    assert called.status_code == 200
    etag = _tag_of(called.content.decode())
    polled = client.get(
        reverse("desk:current", kwargs={"office_code": code}), headers={"If-None-Match": etag}
    )
    assert polled.status_code == 304


def test_desk_js_refusal__the_read_does_not_ride_a_later_commit(client, trips):
    """A refused action commits nothing; its answer reads the session itself, and the read it
    had asked to send with the commit is dropped (a later transaction commits alone)."""
    world = build_world(any_hour=True)
    client.force_login(world.alice)
    act = reverse("desk:act", kwargs={"office_code": world.office.code})
    refused = client.post(act, {"action": "call_next"}, headers=FRAGMENT)  # nobody waiting
    assert refused.status_code == 409
    assert connection._rider is None  # type: ignore[attr-defined]
    services.issue_ticket(office=world.office, service=world.tax)
    assert not any(s.endswith("COMMIT") and "SELECT s.id" in s for s in trips.sql)


def _tag_of(html: str) -> str:
    marker = 'data-poll-etag="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)].replace("&quot;", '"')


def test_health_check__healthy_connection__no_round_trip(monkeypatch):
    db: Any = connections["default"]
    db.ensure_connection()
    asked: list[int] = []

    def djangos_check(self: Any) -> bool:  # its SELECT 1
        asked.append(1)
        return True

    monkeypatch.setattr(type(db).__mro__[1], "is_usable", djangos_check)
    db.health_check_enabled, db.health_check_done = True, False
    db.close_if_health_check_failed()
    assert db.connection is not None
    assert asked == []


def test_health_check__connection_ended_by_the_server__replaced():
    """`pg_terminate_backend` (a restart ends connections the same way): the server's error
    waits on the socket; the check sees it, asks, and the connection is replaced before the
    request's first statement."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(50):  # the error reaches the socket
        if not connection.is_usable():
            break
        time.sleep(0.02)
    db: Any = connections["default"]
    db.health_check_enabled, db.health_check_done = True, False
    db.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
