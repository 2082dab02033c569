"""The fragments' HTML on the push streams (decision 0062): the app's answers to the push
server (one per office, part and language; its key only), scoped stream tokens, the push
server asking once per office and sending each stream its own fragment over the real Redis,
and nothing rendered in a desk action's request for it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import secrets
from collections.abc import MutableMapping
from typing import Any

import pytest
import redis
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from servicekontor.core.conditional import _placeholder
from servicekontor.queueing import push, services
from servicekontor.queueing.push_server import make_app
from servicekontor.queueing.tests.test_push import REDIS_URL, _request, _run, needs_redis

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def fetch_headers() -> dict[str, str]:
    return {push.FETCH_HEADER: push.fetch_key()}


# --- tokens ---------------------------------------------------------------------------------


def test_tokens__each_scope_opens_only_itself():
    board, desk, office = (
        push.board_token(7, "sv"),
        push.desk_token(7, 3, "en"),
        push.stream_token(7),
    )
    assert push.board_of_token(board) == (7, "sv", 0)
    assert push.board_of_token(push.board_token(7, "sv", 12)) == (7, "sv", 12)
    assert push.desk_of_token(desk) == (7, 3, "en")
    # a display's token is no desk's token, and neither is the office's notices' token
    assert push.desk_of_token(board) is None
    assert push.board_of_token(desk) is None
    assert push.office_of_token(board) is None and push.office_of_token(desk) is None
    assert push.board_of_token(office) is None and push.desk_of_token(office) is None
    # nor the push server's key to the app, which lives a minute
    assert not push.fetch_allowed(board) and not push.fetch_allowed(desk)
    key = push.fetch_key()
    assert push.fetch_allowed(key)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):  # noqa: TID251
        assert not push.fetch_allowed(key)
        assert push.desk_of_token(desk) == (7, 3, "en")  # 24 h


# --- the app's answers to the push server ---------------------------------------------------


def test_pushed_board__only_with_the_push_servers_key(client, world, fetch_headers):
    url = reverse("push-board", kwargs={"office_id": world.office.pk}) + "?lang=sv"
    assert client.get(url).status_code == 403
    forged = {push.FETCH_HEADER: push.board_token(world.office.pk, "sv")}
    assert client.get(url, headers=forged).status_code == 403
    unknown = reverse("push-board", kwargs={"office_id": world.office.pk}) + "?lang=xx"
    assert client.get(unknown, headers=fetch_headers).status_code == 403


def test_pushed_board__the_board_the_displays_poll_for(client, world, fetch_headers):
    from servicekontor.lobby.views import _board_context, board_version

    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    url = reverse("push-board", kwargs={"office_id": world.office.pk})
    answer = client.get(url + "?lang=sv", headers=fetch_headers)
    assert answer.status_code == 200
    html = answer.content.decode()
    opening = board_version(world.office)[1]
    assert html == render_to_string("lobby/_board.html", _board_context(world.office, opening))
    assert "csrfmiddlewaretoken" not in html and "sharedfragment" not in html
    assert answer["ETag"].endswith('-sv"')
    english = client.get(url + "?lang=en", headers=fetch_headers)
    assert english["ETag"].endswith('-en"')
    assert english.content != answer.content  # translated


def _desk_answer(client, world, headers, officers) -> dict[str, Any]:
    url = reverse("push-desk", kwargs={"office_id": world.office.pk})
    ids = ",".join(str(o.pk) for o in officers)
    answer = client.get(f"{url}?lang=sv&officers={ids}", headers=headers)
    assert answer.status_code == 200
    return json.loads(answer.content)


def test_pushed_desk_lists__only_with_the_push_servers_key(client, world):
    url = reverse("push-desk", kwargs={"office_id": world.office.pk})
    assert client.get(f"{url}?lang=sv&officers={world.alice.pk}").status_code == 403
    client.force_login(world.alice)  # an officer's session is not the key
    assert client.get(f"{url}?lang=sv&officers={world.alice.pk}").status_code == 403


def test_pushed_desk_lists__each_officer_signed_in_here_their_own(client, world, fetch_headers):
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.parental)
    answer = _desk_answer(client, world, fetch_headers, [world.alice, world.bob, world.charlie])
    lists = answer["officers"]
    # charlie is signed in nowhere here: no list for him
    assert set(lists) == {str(world.alice.pk), str(world.bob.pk)}
    # alice serves Försäkringskassan too, bob does not: two lists, each rendered once
    assert len(answer["variants"]) == 2
    alice_html = answer["variants"][lists[str(world.alice.pk)][0]]
    bob_html = answer["variants"][lists[str(world.bob.pk)][0]]
    assert "F-" in alice_html and "F-" not in bob_html
    # the per-desk values are placeholders the desk fills in from its page
    for html in (alice_html, bob_html):
        assert _placeholder("csrf_token") in html and _placeholder("waiting_etag") in html
    # filled in, the list is what the officer's own poll renders, under the same tag: the
    # desk's safety poll after a pushed list is a 304
    client.force_login(world.alice)
    panel = reverse("desk:panel", kwargs={"office_code": world.office.code})
    polled = client.get(panel)
    etag = lists[str(world.alice.pk)][1]
    assert polled["ETag"] == etag
    assert client.get(panel, headers={"if-none-match": etag}).status_code == 304
    filled = alice_html.replace(_placeholder("waiting_etag"), escape(etag))
    assert CSRF_INPUT.sub("", filled) == CSRF_INPUT.sub("", polled.content.decode())


def test_pushed_desk_lists__desks_serving_the_same_share_one_render(client, world, fetch_headers):
    from tests.factories import make_user

    dave = make_user(username="dave", offices=[world.office], agencies=[world.skatteverket])
    services.sign_out_of_desk(officer=world.alice)
    services.sign_in_at_desk(officer=dave, service_point=world.desk1)  # serves what bob serves
    services.issue_ticket(office=world.office, service=world.tax)
    answer = _desk_answer(client, world, fetch_headers, [world.bob, dave])
    lists = answer["officers"]
    assert lists[str(world.bob.pk)][0] == lists[str(dave.pk)][0]
    assert len(answer["variants"]) == 1
    assert lists[str(world.bob.pk)][1] != lists[str(dave.pk)][1]  # each desk its own tag


def test_desk_action__renders_nothing_for_the_push(client, world, settings):
    """The push server asks for the fragments after the change, apart from the action: a
    desk action's own request renders and reads what it did with push off."""
    fragment = {"X-Desk-Fragment": "1"}
    act = reverse("desk:act", kwargs={"office_code": world.office.code})

    def call_next(officer) -> tuple[list[str], int]:
        services.issue_ticket(office=world.office, service=world.tax)
        client.force_login(officer)
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(act, {"action": "call_next"}, headers=fragment)
        assert answer.status_code == 200
        return sorted({t.name for t in answer.templates}), len(queries)

    settings.PUSH_URL = ""
    off_templates, off_queries = call_next(world.alice)
    settings.PUSH_URL = "/push/"
    settings.PUSH_REDIS_URL = "redis://127.0.0.1:1/0"  # the publish fails fast; not the point
    settings.PUSH_APP_URL = "http://127.0.0.1:8000"
    on_templates, on_queries = call_next(world.bob)
    assert "desk/_waiting.html" not in on_templates
    assert "lobby/_board.html" not in on_templates
    assert on_templates == off_templates
    assert on_queries == off_queries


# --- the push server asks once per office and part, and sends each stream its own ---------


class FakeApp:
    """The app as the push server sees it: records each path asked, answers like the views."""

    def __init__(self, *, absent: frozenset[int] = frozenset(), delay: float = 0.05) -> None:
        self.asked: list[str] = []
        self.absent = absent
        self.revoked: set[int] = set()  # displays' devices no longer allowed
        self.delay = delay
        self.version = 0

    async def fetch(self, path: str) -> tuple[int, dict[str, str], bytes]:
        self.asked.append(path)
        await asyncio.sleep(self.delay)
        lang = re.search(r"lang=(\w+)", path).group(1)  # type: ignore[union-attr]
        if "/board/" in path:
            asked = re.search(r"devices=([\d,]*)", path).group(1).split(",")  # type: ignore[union-attr]
            allowed = ",".join(d for d in asked if d and int(d) not in self.revoked)
            headers = {"ETag": f'"b{self.version}-{lang}"', push.DEVICES_HEADER: allowed}
            return 200, headers, f"<p>board {lang}</p>".encode()
        officers = re.search(r"officers=([\d,]+)", path).group(1).split(",")  # type: ignore[union-attr]
        lists = {
            o: [int(o) % 2, f'"d{o}-{self.version}"'] for o in officers if int(o) not in self.absent
        }
        answer = {"variants": ["<p>even</p>", "<p>odd</p>"], "officers": lists}
        return 200, {}, json.dumps(answer).encode()


class Streams:
    """Open streams on an in-process push server; `text(name)` is what one got so far."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.bodies: dict[str, list[bytes]] = {}
        self.statuses: dict[str, int] = {}
        self.gone = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    def open(self, name: str, path: str) -> None:
        path, _, query = path.partition("?")
        scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode()}
        self.bodies[name] = []

        async def receive() -> dict[str, str]:
            await self.gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.statuses[name] = message["status"]
            else:
                self.bodies[name].append(message.get("body", b""))

        self.tasks.append(asyncio.create_task(self.app(scope, receive, send)))

    def text(self, name: str) -> str:
        return b"".join(self.bodies[name]).decode()

    def events(self, name: str, event: str) -> list[str]:
        return re.findall(rf"event: {event}\ndata: (.*)\n\n", self.text(name))

    async def close(self) -> None:
        self.gone.set()
        await asyncio.wait_for(asyncio.gather(*self.tasks), 5)


@needs_redis
def test_push_server__scoped_tokens_open_only_their_own_streams():
    app = make_app(redis_url=REDIS_URL, prefix="test-none:", fetch=FakeApp().fetch)

    async def scenario() -> list[int]:
        paths = [
            f"/push/office/7/desk/?t={push.board_token(7, 'sv')}",  # a display's token
            f"/push/office/7/board/?t={push.desk_token(7, 3, 'sv')}",
            f"/push/office/7/board/?t={push.stream_token(7)}",  # the notices' token
            f"/push/office/7/desk/?t={push.stream_token(7)}",
            f"/push/office/7/?t={push.board_token(7, 'sv')}",
            f"/push/office/7/?t={push.desk_token(7, 3, 'sv')}",
            f"/push/office/7/board/?t={push.board_token(8, 'sv')}",  # another office's
            f"/push/office/7/desk/?t={push.desk_token(8, 3, 'sv')}",
        ]
        return [(await _request(app, path))[0] for path in paths]

    assert _run(scenario()) == [403] * 8


@needs_redis
def test_push_server__one_request_per_office_part_and_language_each_stream_its_own():
    prefix = f"test-{secrets.token_hex(4)}:"
    fake = FakeApp(absent=frozenset({4}))
    app = make_app(redis_url=REDIS_URL, prefix=prefix, fetch=fake.fetch, gap=0.2)
    publisher = redis.Redis.from_url(REDIS_URL)

    async def scenario() -> tuple[Streams, list[str], list[str]]:
        streams = Streams(app)
        streams.open("display-sv-1", f"/push/office/7/board/?t={push.board_token(7, 'sv')}")
        streams.open("display-sv-2", f"/push/office/7/board/?t={push.board_token(7, 'sv')}")
        streams.open("display-en", f"/push/office/7/board/?t={push.board_token(7, 'en')}")
        streams.open("desk-3", f"/push/office/7/desk/?t={push.desk_token(7, 3, 'sv')}")
        streams.open("desk-5", f"/push/office/7/desk/?t={push.desk_token(7, 5, 'sv')}")
        streams.open("desk-4", f"/push/office/7/desk/?t={push.desk_token(7, 4, 'sv')}")
        streams.open("other", f"/push/office/8/board/?t={push.board_token(8, 'sv')}")
        streams.open("live", f"/push/office/7/?t={push.stream_token(7)}")
        await asyncio.wait_for(app.hub.connected.wait(), 5)  # type: ignore[attr-defined]
        await asyncio.sleep(0.5)  # the resync's requests on subscribing, done
        fake.asked.clear()
        fake.version = 1
        publisher.publish(f"{prefix}office.7", "board desk live")
        await asyncio.sleep(0.4)
        first = list(fake.asked)
        # a burst of changes: one request in flight, one more after it, none per change
        fake.asked.clear()
        fake.version = 2
        for _ in range(10):
            publisher.publish(f"{prefix}office.7", "board desk live")
        publisher.publish(f"{prefix}office.7", "own live")  # an officer's own visit: lists only
        await asyncio.sleep(0.8)
        burst = list(fake.asked)
        await streams.close()
        return streams, first, burst

    streams, first, burst = _run(scenario())
    assert sorted(first) == [
        "/push-fragments/board/7/?lang=en&devices=0",
        "/push-fragments/board/7/?lang=sv&devices=0",
        "/push-fragments/desk/7/?lang=sv&officers=3,4,5",
    ]
    assert len([p for p in burst if "/board/" in p and "sv" in p]) <= 2
    assert len([p for p in burst if "/desk/" in p]) <= 2
    assert all(status == 200 for status in streams.statuses.values())
    # each display the board in its language, version 1 then 2 (no repeats of a version)
    for name, lang in (("display-sv-1", "sv"), ("display-sv-2", "sv"), ("display-en", "en")):
        boards = [json.loads(e) for e in streams.events(name, "board")]
        assert [b["etag"] for b in boards][-2:] == [f'"b1-{lang}"', f'"b2-{lang}"']
        assert boards[-1]["html"] == f"<p>board {lang}</p>"
        assert "desk" not in streams.text(name).replace("board", "")  # no desk list on a display
    # each desk its officer's list only; an officer the app left out is told to ask
    desk3 = [json.loads(e) for e in streams.events("desk-3", "desk")]
    assert desk3[-1] == {"etag": '"d3-2"', "html": "<p>odd</p>"}
    desk5 = [json.loads(e) for e in streams.events("desk-5", "desk")]
    assert desk5[-1] == {"etag": '"d5-2"', "html": "<p>odd</p>"}
    assert "board" not in streams.text("desk-3")
    assert streams.events("desk-4", "desk") == []
    assert "desk" in streams.events("desk-4", "change")[-1]
    # another office's display: nothing after the resync; the live view: notices as before
    assert [json.loads(e)["etag"] for e in streams.events("other", "board")] == ['"b0-sv"']
    assert "board desk live" in streams.events("live", "change")


@needs_redis
def test_push_server__app_not_answering__the_screens_are_told_to_ask():
    prefix = f"test-{secrets.token_hex(4)}:"

    async def broken(path: str) -> tuple[int, dict[str, str], bytes]:
        raise OSError("connection refused")

    app = make_app(redis_url=REDIS_URL, prefix=prefix, fetch=broken, gap=0.0)
    publisher = redis.Redis.from_url(REDIS_URL)

    async def scenario() -> Streams:
        streams = Streams(app)
        streams.open("display", f"/push/office/7/board/?t={push.board_token(7, 'sv')}")
        streams.open("desk", f"/push/office/7/desk/?t={push.desk_token(7, 3, 'sv')}")
        await asyncio.wait_for(app.hub.connected.wait(), 5)  # type: ignore[attr-defined]
        await asyncio.sleep(0.2)
        publisher.publish(f"{prefix}office.7", "board desk live")
        await asyncio.sleep(0.3)
        await streams.close()
        return streams

    streams = _run(scenario())
    assert streams.events("display", "change")[-1] == "board"
    assert streams.events("desk", "change")[-1] == "desk"


@needs_redis
def test_push_server__app_too_slow__asked_again_not_every_screen_sent_to_it(monkeypatch):
    from servicekontor.queueing import push_server

    monkeypatch.setattr(push_server, "SLOW_PAUSE", 0.1)
    prefix = f"test-{secrets.token_hex(4)}:"
    fake = FakeApp(delay=0.0)
    slow = {"left": 2}

    async def sometimes_slow(path: str) -> tuple[int, dict[str, str], bytes]:
        if slow["left"] > 0:
            slow["left"] -= 1
            raise TimeoutError("timed out")
        return await fake.fetch(path)

    app = make_app(redis_url=REDIS_URL, prefix=prefix, fetch=sometimes_slow, gap=0.0)
    publisher = redis.Redis.from_url(REDIS_URL)

    async def scenario() -> Streams:
        streams = Streams(app)
        streams.open("display", f"/push/office/7/board/?t={push.board_token(7, 'sv')}")
        await asyncio.wait_for(app.hub.connected.wait(), 5)  # type: ignore[attr-defined]
        await asyncio.sleep(0.1)
        fake.version = 1
        publisher.publish(f"{prefix}office.7", "board live")
        await asyncio.sleep(0.6)
        await streams.close()
        return streams

    streams = _run(scenario())
    assert streams.events("display", "change") == []  # not sent to the overloaded app
    assert json.loads(streams.events("display", "board")[-1])["etag"] == '"b1-sv"'


# --- a revoked display loses its board stream ------------------------------------------------


def test_pushed_board__names_the_devices_that_may_still_see_it(client, world, fetch_headers):
    from servicekontor.queueing.devices import create_device_token
    from servicekontor.queueing.models import DeviceKind, DeviceToken, QueueSettings

    url = reverse("push-board", kwargs={"office_id": world.office.pk})
    create_device_token(office=world.office, kind=DeviceKind.DISPLAY, name="Lobby")
    create_device_token(office=world.office, kind=DeviceKind.DISPLAY, name="Entrance")
    create_device_token(office=world.office, kind=DeviceKind.KIOSK, name="Kiosk")
    lobby, entrance = DeviceToken.objects.filter(kind=DeviceKind.DISPLAY).order_by("pk")
    kiosk = DeviceToken.objects.get(kind=DeviceKind.KIOSK)
    other = create_device_token(office=world.other_office, kind=DeviceKind.DISPLAY, name="x")
    assert other
    elsewhere = DeviceToken.objects.get(office=world.other_office)
    asked = f"0,{lobby.pk},{entrance.pk},{kiosk.pk},{elsewhere.pk}"

    def allowed() -> str:
        answer = client.get(f"{url}?lang=sv&devices={asked}", headers=fetch_headers)
        assert answer.status_code == 200
        return answer[push.DEVICES_HEADER]

    # no pairing required: every screen may go on
    assert allowed() == ",".join(sorted(asked.split(","), key=int))
    QueueSettings.objects.create(office=world.office, require_device_token=True)
    assert allowed() == f"{lobby.pk},{entrance.pk}"  # not unpaired, a kiosk, another office's
    DeviceToken.objects.filter(pk=entrance.pk).update(is_active=False)
    assert allowed() == f"{lobby.pk}"
    lobby.delete()
    assert allowed() == ""


@pytest.mark.parametrize(
    "devices", ["²", "١٢", "-1", "9223372036854775808", "1e3", "", ",,,", "abc,\u00a0", "1" * 5000]
)
def test_pushed_board__devices_that_are_no_ids_are_left_out(client, world, fetch_headers, devices):
    url = reverse("push-board", kwargs={"office_id": world.office.pk})
    answer = client.get(url, {"lang": "sv", "devices": devices}, headers=fetch_headers)
    assert answer.status_code == 200
    assert answer[push.DEVICES_HEADER] == ""


@pytest.mark.parametrize("officers", ["²", "١٢", "-1", "9223372036854775808", "1e3", ",,", "x"])
def test_pushed_desk_lists__officers_that_are_no_ids_are_left_out(
    client, world, fetch_headers, officers
):
    url = reverse("push-desk", kwargs={"office_id": world.office.pk})
    answer = client.get(url, {"lang": "sv", "officers": officers}, headers=fetch_headers)
    assert answer.status_code == 200
    assert json.loads(answer.content) == {"variants": [], "officers": {}}


@pytest.mark.parametrize("view", ["push-board", "push-desk"])
def test_pushed_fragments__an_office_id_past_bigint_is_404_or_empty(
    client, world, fetch_headers, view
):
    answer = client.get(
        f"/push-fragments/{view[5:]}/{2**64}/?lang=sv&officers=1&devices=1", headers=fetch_headers
    )
    assert answer.status_code in (200, 404)


def test_display_page__the_stream_names_the_paired_device(client, world, settings):
    from servicekontor.queueing import devices
    from servicekontor.queueing.models import DeviceKind, DeviceToken, QueueSettings

    settings.PUSH_URL, settings.PUSH_REDIS_URL = "/push/", "redis://127.0.0.1:1/0"
    QueueSettings.objects.create(office=world.office, require_device_token=True)
    token = devices.create_device_token(office=world.office, kind=DeviceKind.DISPLAY, name="L")
    pair = reverse("queueing:pair", kwargs={"office_code": world.office.code})
    client.get(pair, {"kind": DeviceKind.DISPLAY, "token": token})
    page = client.get(reverse("lobby:display", kwargs={"office_code": world.office.code}))
    assert page.status_code == 200
    stream = re.search(r'data-push="[^"]*\?t=([^"]+)"', page.content.decode())
    assert stream is not None
    device = DeviceToken.objects.get()
    assert push.board_of_token(stream.group(1).replace("&amp;", "&")) == (
        world.office.pk,
        "sv",
        device.pk,
    )


def test_revoking_a_display__publishes_a_board_change_after_commit(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from servicekontor.queueing import devices
    from servicekontor.queueing.models import DeviceKind, DeviceToken, QueueSettings

    published: list[tuple[int, tuple[str, ...]]] = []
    monkeypatch.setattr(
        push, "publish", lambda *, office_id, parts: published.append((office_id, tuple(parts)))
    )
    with django_capture_on_commit_callbacks(execute=False) as pending:
        devices.create_device_token(office=world.office, kind=DeviceKind.DISPLAY, name="L")
        device = DeviceToken.objects.get()
        device.is_active = False
        device.save()
        assert published == []  # nothing before the commit
    for callback in pending:
        callback()
    assert published and set(published) == {(world.office.pk, ("board",))}
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        QueueSettings.objects.create(office=world.office, require_device_token=True)
    assert published == [(world.office.pk, ("board",))]
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        device.delete()
    assert published == [(world.office.pk, ("board",))]


@needs_redis
def test_push_server__a_revoked_display_loses_its_stream_and_cannot_reopen_it():
    prefix = f"test-{secrets.token_hex(4)}:"
    fake = FakeApp(delay=0.0)
    app = make_app(redis_url=REDIS_URL, prefix=prefix, fetch=fake.fetch, gap=0.05)
    publisher = redis.Redis.from_url(REDIS_URL)
    revoked_token = push.board_token(7, "sv", 21)

    async def scenario() -> tuple[Streams, list[int], list[str]]:
        streams = Streams(app)
        streams.open("kept", f"/push/office/7/board/?t={push.board_token(7, 'sv', 20)}")
        streams.open("revoked", f"/push/office/7/board/?t={revoked_token}")
        await asyncio.wait_for(app.hub.connected.wait(), 5)  # type: ignore[attr-defined]
        await asyncio.sleep(0.3)
        fake.revoked.add(21)
        fake.version = 1
        publisher.publish(f"{prefix}office.7", "board")  # what revoking publishes
        await asyncio.sleep(0.3)
        ended = streams.tasks[1].done()
        # reconnecting with the same token: refused at once, the app not asked
        fake.asked.clear()
        again = await _request(app, f"/push/office/7/board/?t={revoked_token}")
        await streams.close()
        return streams, [int(ended), again[0]], list(fake.asked)

    streams, (ended, again), asked = _run(scenario())
    assert streams.events("revoked", "revoked") == [""]
    assert ended == 1  # the revoked display's stream was closed by the server
    assert again == 403 and asked == []
    assert json.loads(streams.events("kept", "board")[-1])["etag"] == '"b1-sv"'
    assert "<p>board" not in streams.text("revoked").split("event: revoked")[-1]


@needs_redis
def test_push_server__a_token_older_than_its_revocation_opens_nothing():
    """A display revoked while no stream was open: its page's token (24 h) is replayed. The
    push server asks the app as the stream opens; the stream gets no board and is closed."""
    prefix = f"test-{secrets.token_hex(4)}:"
    fake = FakeApp(delay=0.0)
    fake.revoked.add(21)
    app = make_app(redis_url=REDIS_URL, prefix=prefix, fetch=fake.fetch, gap=0.05)

    async def scenario() -> Streams:
        streams = Streams(app)
        streams.open("replayed", f"/push/office/7/board/?t={push.board_token(7, 'sv', 21)}")
        await asyncio.sleep(0.5)
        await streams.close()
        return streams

    streams = _run(scenario())
    assert streams.events("replayed", "board") == []
    assert streams.events("replayed", "revoked") == [""]
    assert any("devices=21" in path for path in fake.asked)


@needs_redis
def test_push_server__malformed_requests_are_refused_not_failed():
    app = make_app(redis_url=REDIS_URL, prefix="test-none:", fetch=FakeApp().fetch)

    async def raw(method: str, path: str, query: bytes) -> int:
        scope = {"type": "http", "method": method, "path": path, "query_string": query}
        statuses: list[int] = []

        async def receive() -> dict[str, str]:
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await asyncio.wait_for(app(scope, receive, send), 5)
        return statuses[0]

    async def scenario() -> list[int]:
        token = push.board_token(7, "sv").encode()
        return [
            await raw("GET", "/push/office/7/board/", b"t=\xff\xfe"),  # not UTF-8
            await raw("GET", "/push/office/7/board/", b"t=%00"),
            await raw("GET", "/push/office/\u0667/board/", b"t=" + token),  # Arabic-Indic 7
            await raw("GET", "/push/office/99999999999999999999999/board/", b"t=" + token),
            await raw("GET", "/push/office/7/board/", b"t=" + b"x" * 100_000),
            await raw("GET", "/push/office/7/board/", b"t=forged&t=" + token),  # the first
            await raw("HEAD", "/push/office/7/board/", b"t=" + token),
            await raw("POST", "/push/office/7/board/", b"t=" + token),
            await raw("OPTIONS", "/push/office/7/", b""),
        ]

    assert _run(scenario()) == [403, 403, 404, 404, 403, 403, 405, 405, 405]


def test_fetch_key__lives_as_long_as_the_push_server_waits_for_the_answer():
    """A request the push server gave up on (no answer within FETCH_TIMEOUT) is answered to
    nobody: the app refuses its key unrendered once it is older than the timeout and a
    margin for clocks a few seconds apart."""
    key = push.fetch_key()
    start = dt.datetime.now(dt.UTC)  # noqa: TID251
    with time_machine.travel(start + dt.timedelta(seconds=push.FETCH_TIMEOUT), tick=False):
        assert push.fetch_allowed(key)
    with time_machine.travel(start + dt.timedelta(seconds=push.FETCH_MAX_AGE + 2), tick=False):
        assert not push.fetch_allowed(key)
    assert push.FETCH_TIMEOUT < push.FETCH_MAX_AGE <= push.FETCH_TIMEOUT + 10


@needs_redis
def test_push_server__the_app_refusing_its_key_is_logged_once_a_minute(caplog):
    prefix = f"test-{secrets.token_hex(4)}:"
    asked: list[str] = []

    async def refusing(path: str) -> tuple[int, dict[str, str], bytes]:
        asked.append(path)
        return 403, {}, b""

    app = make_app(redis_url=REDIS_URL, prefix=prefix, fetch=refusing, gap=0.0)
    publisher = redis.Redis.from_url(REDIS_URL)

    async def scenario() -> Streams:
        streams = Streams(app)
        streams.open("display", f"/push/office/7/board/?t={push.board_token(7, 'sv')}")
        await asyncio.wait_for(app.hub.connected.wait(), 5)  # type: ignore[attr-defined]
        for _ in range(3):
            publisher.publish(f"{prefix}office.7", "board")
            await asyncio.sleep(0.1)
        await streams.close()
        return streams

    with caplog.at_level("WARNING", logger="servicekontor.queueing.push_server"):
        streams = _run(scenario())
    refused = [r for r in caplog.records if "refused the fetch key" in r.getMessage()]
    assert len(asked) >= 2 and len(refused) == 1
    assert streams.events("display", "change")[-1] == "board"  # the display asks itself
