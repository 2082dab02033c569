"""The push server (decision 0026): server-sent events to the screens, fed by Redis pub/sub.

A small ASGI application, run apart from the Django app (WSGI, gunicorn) by an async server:
``uvicorn config.push_asgi:app --host 127.0.0.1 --port 8001`` (behind the same proxy as the
app under PUSH_URL, e.g. /push/). It touches no database: one Redis subscription per process
(``<prefix>office.*``) fans each message out to the open streams of that office.

    GET /push/office/<office id>/?t=<token>         → text/event-stream: change notices
    GET /push/office/<office id>/board/?t=<token>   → the board's HTML (lobby displays)
    GET /push/office/<office id>/desk/?t=<token>    → one officer's waiting list's HTML

The token (`push.stream_token`, `board_token`, `desk_token`: signed with SECRET_KEY, scoped
by salt, 24 h) comes with the screen's page. Events: ``event: change`` with ``data: <parts>``
(e.g. "board desk live"): the screen asks for its fragment as it would poll;
``event: board`` / ``event: desk`` with ``data: {"etag": …, "html": …}`` (decision 0062): the
fragment itself. On a change of an office's board or queue the process asks the app for the
fragment once per office, part and language (`PUSH_APP_URL`, `/push-fragments/…`, with a
short-lived key of its own; at most one request in flight per office and part, the next no
sooner than `gap` seconds after, the last change never dropped) and sends each stream its
own: a display the board of its language, a desk its officer's list (the app leaves out an
officer not signed in at that office). Without `PUSH_APP_URL`, or when the app refuses or
answers other than 200, those streams get ``change`` instead and the screens ask as before;
a request that times out (the app overloaded) is made again after a pause instead, once for
the office, rather than sending every screen to the overloaded app. A comment every
``HEARTBEAT`` seconds keeps proxies from closing an idle stream and finds dead clients. A
stream's pending parts coalesce, so a slow client gets one event for many changes. After the
Redis subscription is (re)established every stream gets a change of every part: whatever was
published while it was down is re-checked by the screens' conditional requests.

A display's board stream lasts only while its device may see the board: the push server asks
for the board with the devices of the office's board streams (`&devices=`, the device id its
token names; 0: shown without pairing) when a stream opens and on every change, and the app
names those still allowed (`X-Push-Devices`). Any other stream gets ``event: revoked`` and is
closed (the display reloads its page, which asks to be paired), and its reconnects are
refused (403) for `REFUSED_FOR` seconds without asking. Revoking a device or requiring
pairing publishes a board change for its office, so this happens within about a second.
Anything but GET is 405.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import redis.asyncio as aioredis

from servicekontor.queueing import push

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

HEARTBEAT = 25.0
RETRY_MS = 3000  # the browser's reconnect delay after a dropped stream
GAP = 0.5  # seconds: at most one request to the app per office and part in this time
FETCH_TIMEOUT = push.FETCH_TIMEOUT  # the app refuses a key older than this (and a margin)
SLOW_PAUSE = 2.0  # seconds before asking again after a request to the app timed out
KEY_WARNING_EVERY = 60.0  # seconds between warnings that the app refuses the fetch key
REFUSED_FOR = 600.0  # seconds a revoked display's reconnects are refused without asking
# ASCII digits only: \d is any script's digits, which int() reads ("١٢" is 12)
_PATH = re.compile(r"^(?:/[\w-]+)*/office/([0-9]{1,18})(?:/(board|desk))?/?$", re.ASCII)
# The parts whose change makes a fragment stream's screen stale: the board; a desk's list
# (the office's queue, or an officer's own visit beginning or ending: "own").
_REFETCH = {"board": frozenset({"board"}), "desk": frozenset({"desk", "own"})}

Fetch = Callable[[str], Awaitable[tuple[int, dict[str, str], bytes]]]


class _Slow(Exception):
    """A request to the app timed out."""


class Stream:
    """One open stream: what waits to be sent, and a flag to wake its writer.

    `kind`: "change" (notices only), "board" or "desk" (the fragment's HTML; `language`, and
    for a desk the `officer` the token names)."""

    def __init__(
        self, kind: str = "change", language: str = "", officer: int = 0, device: int = 0
    ) -> None:
        self.kind = kind
        self.language = language
        self.officer = officer
        self.device = device  # a board stream's paired device (0: shown without pairing)
        self.ending = False  # written its last event: the stream closes after it
        self.parts: set[str] = set()
        self.events: dict[str, str] = {}  # event name → data, the newest only
        self.sent: dict[str, str] = {}  # event name → the ETag last queued
        self.wake = asyncio.Event()

    def notify(self, parts: set[str]) -> None:
        if self.ending:
            return
        if self.kind != "change":  # a fragment stream is told only its own part
            parts = {self.kind} if parts & _REFETCH[self.kind] else set()
            if not parts:
                return
        self.parts |= parts
        self.wake.set()

    def deliver(self, event: str, etag: str, html: str) -> None:
        """Queue the fragment `html` at version `etag` (nothing if this stream has it)."""
        if self.ending or self.sent.get(event) == etag:
            return
        self.sent[event] = etag
        self.events[event] = json.dumps({"etag": etag, "html": html}, ensure_ascii=False)
        self.parts.discard(event)  # the fragment itself answers a pending notice
        self.wake.set()

    def end(self) -> None:
        """The app no longer lets this stream's device see its screen: say so (`revoked`,
        the display reloads its page, which then asks to be paired) and close."""
        self.events = {"revoked": ""}
        self.parts.clear()
        self.ending = True
        self.wake.set()

    def pending(self) -> str:
        """The events to write now (and forget), "" if none."""
        chunks = [f"event: {name}\ndata: {data}\n\n" for name, data in self.events.items()]
        if self.parts:
            chunks.append(f"event: change\ndata: {' '.join(sorted(self.parts))}\n\n")
        self.events.clear()
        self.parts.clear()
        return "".join(chunks)


def http_fetch(app_url: str) -> Fetch:
    """GET `app_url` + path with the push server's key (`push.fetch_key`), in a thread."""
    base = app_url.rstrip("/")

    def get(path: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(
            base + path,
            headers={
                push.FETCH_HEADER: push.fetch_key(),
                # as the proxy would say; the app may redirect plain http otherwise
                "X-Forwarded-Proto": "https",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {}, b""

    async def fetch(path: str) -> tuple[int, dict[str, str], bytes]:
        return await asyncio.to_thread(get, path)

    return fetch


class Hub:
    """The process's Redis subscription and the open streams per office."""

    def __init__(
        self, redis_url: str, prefix: str, fetch: Fetch | None = None, gap: float = GAP
    ) -> None:
        self.redis_url = redis_url
        self.prefix = prefix
        self.fetch = fetch
        self.gap = gap
        self.streams: dict[int, set[Stream]] = defaultdict(set)
        self.task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.refreshing: dict[tuple[int, str], bool] = {}  # in flight → asked again meanwhile
        self.last_fetch: dict[tuple[int, str], float] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        # (office, device) → until when its board stream is refused at once (403): a
        # revoked display whose stream was ended, reconnecting with its old token.
        self.refused: dict[tuple[int, int], float] = {}
        self.key_warned = -KEY_WARNING_EVERY

    def start(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())

    def add(self, office_id: int, stream: Stream | None = None) -> Stream:
        stream = stream or Stream()
        self.streams[office_id].add(stream)
        return stream

    def remove(self, office_id: int, stream: Stream) -> None:
        self.streams[office_id].discard(stream)
        if not self.streams[office_id]:
            del self.streams[office_id]

    def is_refused(self, office_id: int, device: int) -> bool:
        until = self.refused.get((office_id, device))
        if until is None:
            return False
        if until > asyncio.get_running_loop().time():
            return True
        del self.refused[(office_id, device)]
        return False

    def dispatch(self, channel: str, data: str) -> None:
        office = channel.removeprefix(self.prefix + "office.")
        if not (office.isascii() and office.isdigit()):
            return
        parts = {p for p in data.split() if p in push.PARTS}
        self.changed(int(office), parts)

    def changed(self, office_id: int, parts: set[str]) -> None:
        streams = list(self.streams.get(office_id, ()))
        for kind, moved in _REFETCH.items():
            if parts & moved and any(s.kind == kind for s in streams):
                if self.fetch is None:  # no app to ask: the screens ask themselves
                    for stream in streams:
                        if stream.kind == kind:
                            stream.notify(parts)
                else:
                    self.refresh(office_id, kind)
        for stream in streams:
            if stream.kind == "change":
                stream.notify(parts)

    def resync(self) -> None:
        for office_id in list(self.streams):
            self.changed(office_id, set(push.PARTS))

    def refresh(self, office_id: int, kind: str) -> None:
        """Ask the app for the office's `kind` fragments: now, or after the request in flight
        (then once for every change meanwhile), never sooner than `gap` after the last."""
        key = (office_id, kind)
        if key in self.refreshing:
            self.refreshing[key] = True
            return
        self.refreshing[key] = False
        task = asyncio.get_running_loop().create_task(self._refresh(key))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _refresh(self, key: tuple[int, str]) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                wait = self.last_fetch.get(key, -self.gap) + self.gap - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self.refreshing[key] = False
                self.last_fetch[key] = loop.time()
                office_id, kind = key
                try:
                    await (self._board if kind == "board" else self._desk)(office_id)
                except _Slow:
                    # The app is overloaded, not down: sending every screen of the office to
                    # it would multiply the load; ask again once after a pause.
                    self.refreshing[key] = True
                    await asyncio.sleep(SLOW_PAUSE)
                except Exception:  # a bug must not stop the office's later refreshes
                    log.exception("push: refreshing %s of office %s failed", kind, office_id)
                if not self.refreshing[key]:
                    break
        finally:
            del self.refreshing[key]

    def _of(self, office_id: int, kind: str) -> dict[str, list[Stream]]:
        """The office's streams of `kind` by language."""
        found: dict[str, list[Stream]] = defaultdict(list)
        for stream in self.streams.get(office_id, ()):
            if stream.kind == kind:
                found[stream.language].append(stream)
        return found

    async def _get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        assert self.fetch is not None
        try:
            answer = await self.fetch(path)
        except Exception as exc:
            log.warning("push: fetching %s failed: %s", path, exc)
            if isinstance(exc, TimeoutError) or isinstance(
                getattr(exc, "reason", None), TimeoutError
            ):
                raise _Slow from exc
            return 0, {}, b""  # the app down or refusing: the screens ask themselves
        if answer[0] == 403:
            self._refused_key()
        return answer

    def _refused_key(self) -> None:
        """The app refused the fetch key (`push.fetch_allowed`). Its age limit is this
        server's timeout (`FETCH_TIMEOUT`) and a margin, so a request that waited longer in the
        app's backlog was given up here already (its answer would reach nobody) and the 403
        never arrives; a 403 that does arrive means the two differ in SECRET_KEY or in their
        clocks by more than the margin: the fragments then never come and the screens ask
        themselves. Said in the log, at most once a minute, so it does not go unnoticed."""
        now = asyncio.get_running_loop().time()
        if now - self.key_warned < KEY_WARNING_EVERY:
            return
        self.key_warned = now
        log.warning(
            "push: the app refused the fetch key (403): check that the push server and the app "
            "share SECRET_KEY and that their clocks agree within %s s; the screens ask for "
            "their fragments themselves meanwhile",
            push.FETCH_MAX_AGE,
        )

    async def _board(self, office_id: int) -> None:
        for language, streams in list(self._of(office_id, "board").items()):
            asked = sorted({s.device for s in streams})
            status, headers, body = await self._get(
                f"/push-fragments/board/{office_id}/?lang={language}"
                f"&devices={','.join(map(str, asked))}"
            )
            lower = {k.lower(): v for k, v in headers.items()}
            etag = lower.get("etag", "")
            # the devices the app still lets see the board (none named: none)
            allowed = {
                int(v)
                for v in lower.get(push.DEVICES_HEADER.lower(), "").split(",")
                if v.isascii() and v.isdigit()
            }
            for stream in self._of(office_id, "board").get(language, []):
                if status != 200 or not etag:
                    stream.notify({"board"})  # the display asks (its poll checks the device)
                elif stream.device not in asked:
                    continue  # opened meanwhile: its own request follows (`app`)
                elif stream.device not in allowed:
                    self.refused[(office_id, stream.device)] = (
                        asyncio.get_running_loop().time() + REFUSED_FOR
                    )
                    stream.end()
                else:
                    stream.deliver("board", etag, body.decode())

    async def _desk(self, office_id: int) -> None:
        for language, streams in list(self._of(office_id, "desk").items()):
            officers = ",".join(str(o) for o in sorted({s.officer for s in streams}))
            status, _headers, body = await self._get(
                f"/push-fragments/desk/{office_id}/?lang={language}&officers={officers}"
            )
            try:
                answer = json.loads(body) if status == 200 else {}
                variants, lists = answer["variants"], answer["officers"]
            except (ValueError, KeyError, TypeError):
                variants, lists = [], {}
            for stream in self._of(office_id, "desk").get(language, []):
                found = lists.get(str(stream.officer))
                if found is not None:
                    stream.deliver("desk", str(found[1]), str(variants[found[0]]))
                else:  # not signed in here (or no answer): the desk asks, as before
                    stream.notify({"desk"})

    async def run(self) -> None:
        delay = 0.5
        while True:
            client = aioredis.Redis.from_url(self.redis_url)
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                await pubsub.psubscribe(self.prefix + "office.*")
                self.connected.set()
                self.resync()
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = message["channel"]
                    data = message["data"]
                    self.dispatch(
                        channel.decode() if isinstance(channel, bytes) else str(channel),
                        data.decode() if isinstance(data, bytes) else str(data),
                    )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis down or restarting: retry, screens poll meanwhile
                log.warning("push: Redis subscription lost (%s); retrying in %.1f s", exc, delay)
            finally:
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def _stream_for(kind: str, office_id: int, token: str) -> Stream | None:
    """A stream of `kind` for `office_id` if `token` is of that scope and office, else None:
    a display's token opens only its board, a desk's only its officer's list."""
    if kind == "board":
        board = push.board_of_token(token)
        if board is None or board[0] != office_id:
            return None
        return Stream("board", language=board[1], device=board[2])
    if kind == "desk":
        desk = push.desk_of_token(token)
        if desk is None or desk[0] != office_id:
            return None
        return Stream("desk", language=desk[2], officer=desk[1])
    return Stream() if push.office_of_token(token) == office_id else None


def make_app(
    *,
    redis_url: str,
    prefix: str,
    app_url: str = "",
    fetch: Fetch | None = None,
    gap: float = GAP,
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI application (module docstring). `app_url`: where the app answers the
    fragments' requests ("" = send change notices only); `fetch`: instead of HTTP (tests)."""
    if fetch is None and app_url:
        fetch = http_fetch(app_url)
    hub = Hub(redis_url, prefix, fetch, gap)

    async def respond(send: Send, status: int, text: str, allow: bytes = b"") -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        if allow:
            headers.append((b"allow", allow))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": text.encode()})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        match = _PATH.match(scope.get("path", ""))
        if match is None:
            await respond(send, 404, "Not found")
            return
        if scope.get("method") != "GET":
            await respond(send, 405, "Method not allowed", allow=b"GET")
            return
        office_id, kind = int(match.group(1)), match.group(2) or "change"
        # latin-1 decodes any bytes: a raw non-UTF-8 byte in the query was a 500
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = query.get("t", [""])[0]
        stream = _stream_for(kind, office_id, token)
        if stream is None or (kind == "board" and hub.is_refused(office_id, stream.device)):
            await respond(send, 403, "Forbidden")
            return
        hub.start()
        hub.add(office_id, stream)
        if kind == "board" and hub.fetch is not None:
            # The token may be older than the device's revocation: the app is asked (with the
            # office's other displays, at most once per `gap`) before the stream gets a board.
            hub.refresh(office_id, "board")
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
                    (b"access-control-allow-origin", b"*"),  # no personal data; token-gated
                ],
            }
        )
        gone = asyncio.Event()

        async def watch_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()
            stream.wake.set()

        watcher = asyncio.get_running_loop().create_task(watch_disconnect())
        try:
            await send(
                {
                    "type": "http.response.body",
                    "body": f"retry: {RETRY_MS}\n\n".encode(),
                    "more_body": True,
                }
            )
            while not gone.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stream.wake.wait(), HEARTBEAT)
                if gone.is_set():
                    break
                body = stream.pending() or ": keep-alive\n\n"
                stream.wake.clear()
                await send({"type": "http.response.body", "body": body.encode(), "more_body": True})
                if stream.ending:
                    break
        except OSError:
            pass  # the client went away mid-write
        finally:
            hub.remove(office_id, stream)
            watcher.cancel()
            with contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

    app.hub = hub  # type: ignore[attr-defined]  # for tests
    return app
