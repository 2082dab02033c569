"""Server push (decision 0026): which parts an action changes, a message after commit (never
for a rollback), stream tokens, and the push server's streams fed by Redis."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import threading
from typing import Any

import pytest
import redis
import time_machine
from django.db import transaction

from servicekontor.queueing import push, services
from servicekontor.queueing.push_server import make_app
from servicekontor.queueing.states import Action


def _run(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: the browser tests (Playwright's sync API) leave an
    event loop running in the main thread, where asyncio.run refuses to start another."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


REDIS_URL = os.environ.get("PUSH_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


class Rollback(Exception):
    pass


@pytest.mark.parametrize(
    ("action", "parts"),
    [
        (Action.ISSUE, {"board", "desk", "live"}),
        (Action.CHECK_IN, {"board", "desk", "live"}),
        # "own": the officer's own visit begins or ends (their list's "Call" buttons)
        (Action.CALL, {"board", "desk", "live", "own"}),
        (Action.RECALL, {"board", "live"}),
        (Action.START, {"board", "live"}),  # a called visit leaves "now calling"
        (Action.FINISH, {"live", "own"}),
        (Action.NO_SHOW, {"board", "live", "own"}),
        (Action.HOLD, {"board", "desk", "live", "own"}),
        (Action.TRANSFER, {"board", "desk", "live", "own"}),
    ],
)
def test_parts_for__what_each_action_may_change(action, parts):
    assert push.parts_for(action) == parts


def test_parts_for__every_action_tells_the_live_view():
    assert all("live" in push.parts_for(a) for a in Action)


def test_parts_for__agrees_with_the_versions_the_screens_are_asked_by(world, clock_at):
    """Whenever an action moves a screen's version (sql.OFFICE_EVENTS_TODAY), the push names
    that screen's part: a change pushed to nobody would leave the screen stale for a minute."""
    from servicekontor.queueing import queries

    def versions():
        return {
            "board": queries.queue_version(office_id=world.office.pk, part="board"),
            "desk": queries.queue_version(office_id=world.office.pk, part="desk"),
        }

    steps = [
        (Action.ISSUE, lambda: services.issue_ticket(office=world.office, service=world.tax)),
        (Action.CALL, lambda: services.call_next(officer=world.alice)),
        (Action.HOLD, lambda: services.hold_visit(officer=world.alice, visit_id=visit().pk)),
        (Action.CALL, lambda: services.call_visit(officer=world.alice, visit_id=visit().pk)),
        (Action.START, lambda: services.start_service(officer=world.alice, visit_id=visit().pk)),
        (
            Action.FINISH,
            lambda: services.finish_visit(
                officer=world.alice, visit_id=visit().pk, outcome="resolved"
            ),
        ),
    ]

    def visit():
        from servicekontor.queueing.models import Visit

        return Visit.objects.latest("pk")

    for action, do in steps:
        before = versions()
        do()
        after = versions()
        for part in ("board", "desk"):
            if before[part] != after[part]:
                assert part in push.parts_for(action), (action, part)


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def publish(self, channel: str, message: str) -> int:
        self.sent.append((channel, message))
        return 1


@pytest.fixture
def recorder(settings, monkeypatch):
    settings.PUSH_URL = "/push/"
    settings.PUSH_REDIS_URL = REDIS_URL
    settings.PUSH_CHANNEL_PREFIX = "test:"
    rec = Recorder()
    monkeypatch.setattr(push, "_client", lambda url: rec)
    return rec


def test_publish__after_commit_with_the_parts(world, recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_ticket(office=world.office, service=world.tax)
    assert (f"test:office.{world.office.pk}", "board desk live") in recorder.sent


def test_publish__nothing_for_a_rolled_back_change(
    world, recorder, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        services.issue_ticket(office=world.office, service=world.tax)
        raise Rollback
    assert recorder.sent == []


def test_publish__desk_status_tells_the_live_view(
    world, recorder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_officer_status(officer=world.alice, status="break")
    assert (f"test:office.{world.office.pk}", "live") in recorder.sent


def test_publish__a_call_and_a_finish__one_message_each(
    world, recorder, django_capture_on_commit_callbacks
):
    # The desk-status rows of a visit reaching and leaving the desk are told by the visit's
    # own message (its parts name the live view), not by a second one.
    services.issue_ticket(office=world.office, service=world.tax)
    channel = f"test:office.{world.office.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.call_next(officer=world.alice)
    assert recorder.sent == [(channel, " ".join(sorted(push.parts_for("call"))))]
    services.start_service(officer=world.alice, visit_id=visit.pk)
    recorder.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    assert recorder.sent == [(channel, " ".join(sorted(push.parts_for("finish"))))]
    assert all("live" in message for _channel, message in recorder.sent)


def test_publish__off_without_push_url(world, settings, monkeypatch):
    settings.PUSH_URL = ""
    monkeypatch.setattr(push, "_client", lambda url: pytest.fail("no publish when off"))
    assert push.publish(office_id=world.office.pk, parts={"board"}) is False
    assert push.stream_url(world.office.pk) == ""


def test_publish__redis_down__logged_not_raised(settings):
    settings.PUSH_URL = "/push/"
    settings.PUSH_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    assert push.publish(office_id=1, parts={"board"}) is False


def test_stream_token__names_its_office_and_expires():
    token = push.stream_token(42)
    assert push.office_of_token(token) == 42
    assert push.office_of_token(token.replace("42", "43", 1)) is None
    assert push.office_of_token("garbage") is None
    assert push.office_of_token("") is None
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):  # noqa: TID251
        assert push.office_of_token(token) is None


def test_screens__pages_carry_the_stream_url_only_when_push_is_on(client, world, settings):
    settings.PUSH_URL = ""
    page = client.get(f"/display/{world.office.code}/")
    assert page.status_code in (200, 403)
    assert "data-push" not in page.content.decode()
    settings.PUSH_URL = "/push/"
    settings.PUSH_REDIS_URL = REDIS_URL
    client.force_login(world.alice)
    desk = client.get(f"/desk/{world.office.code}/").content.decode()
    # the desk's own scope (decision 0062): its officer's list, not the office's notices
    assert f"/push/office/{world.office.pk}/desk/?t=" in desk
    assert f"/push/office/{world.office.pk}/?t=" not in desk
    assert "core/push.js" in desk


# --- the push server, against the real Redis ----------------------------------------------


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")


async def _request(app, path: str, *, read_until: bytes = b"", timeout: float = 5.0):
    """Run one GET through the ASGI app; returns (status, body read until `read_until`)."""
    path, _, query = path.partition("?")
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode()}
    disconnect = asyncio.Event()
    received: list[dict] = []
    got = asyncio.Event()

    async def receive():
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        received.append(message)
        body = b"".join(m.get("body", b"") for m in received if m["type"] == "http.response.body")
        ended = message["type"] == "http.response.body" and not message.get("more_body", False)
        if ended or (message["type"] == "http.response.body" and read_until in body):
            got.set()

    task = asyncio.create_task(app(scope, receive, send))
    try:
        await asyncio.wait_for(got.wait(), timeout)
    finally:
        disconnect.set()
        await asyncio.wait_for(task, timeout)
    status = next(m["status"] for m in received if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in received if m["type"] == "http.response.body")
    return status, body


@needs_redis
def test_push_server__a_published_change_reaches_the_office_stream_only():
    prefix = f"test-{secrets.token_hex(4)}:"
    app = make_app(redis_url=REDIS_URL, prefix=prefix)
    publisher = redis.Redis.from_url(REDIS_URL)

    async def scenario():
        url = f"/push/office/7/?t={push.stream_token(7)}"
        reader = asyncio.create_task(_request(app, url, read_until=b"data: board live\n"))
        await asyncio.wait_for(app.hub.connected.wait(), 5)  # type: ignore[attr-defined]
        await asyncio.sleep(0.05)
        publisher.publish(f"{prefix}office.8", "board")  # another office: not this stream
        publisher.publish(f"{prefix}office.7", "board live")
        return await reader

    status, body = _run(scenario())
    assert status == 200
    text = body.decode()
    assert text.startswith("retry: ")
    # on (re)subscribing every stream is told once, then the office's own change comes
    assert "event: change\ndata: board live\n\n" in text
    assert "data: board\n\n" not in text  # office 8's change went to office 8's streams


@needs_redis
def test_push_server__refuses_bad_tokens_and_paths():
    app = make_app(redis_url=REDIS_URL, prefix="test-none:")

    async def scenario():
        forged = await _request(app, f"/push/office/7/?t={push.stream_token(8)}")
        missing = await _request(app, "/push/office/7/")
        other = await _request(app, "/push/elsewhere/")
        return forged[0], missing[0], other[0]

    assert _run(scenario()) == (403, 403, 404)
