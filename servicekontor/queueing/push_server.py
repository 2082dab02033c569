"""The push server (decision 0026): server-sent events to the screens, fed by Redis pub/sub.

A small ASGI application, run apart from the Django app (WSGI, gunicorn) by an async server:
``uvicorn config.push_asgi:app --host 127.0.0.1 --port 8001`` (behind the same proxy as the
app under PUSH_URL, e.g. /push/). It touches no database: one Redis subscription per process
(``<prefix>office.*``) fans each message out to the open streams of that office.

    GET /push/office/<office id>/?t=<token>   → text/event-stream

The token (`push.stream_token`, signed with SECRET_KEY, 24 h) comes with the screen's page.
Events: ``event: change`` with ``data: <parts>`` (e.g. "board desk live"); a comment every
``HEARTBEAT`` seconds keeps proxies from closing an idle stream and finds dead clients. A
stream's pending parts coalesce, so a slow client gets one event for many changes. After the
Redis subscription is (re)established every stream gets a change of every part: whatever was
published while it was down is re-checked by the screens' conditional requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
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
_PATH = re.compile(r"^(?:/[\w-]+)*/office/(\d+)/?$")


class Stream:
    """One open stream: the parts waiting to be sent, and a flag to wake its writer."""

    def __init__(self) -> None:
        self.parts: set[str] = set()
        self.wake = asyncio.Event()

    def notify(self, parts: set[str]) -> None:
        self.parts |= parts
        self.wake.set()


class Hub:
    """The process's Redis subscription and the open streams per office."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        self.redis_url = redis_url
        self.prefix = prefix
        self.streams: dict[int, set[Stream]] = defaultdict(set)
        self.task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())

    def add(self, office_id: int) -> Stream:
        stream = Stream()
        self.streams[office_id].add(stream)
        return stream

    def remove(self, office_id: int, stream: Stream) -> None:
        self.streams[office_id].discard(stream)
        if not self.streams[office_id]:
            del self.streams[office_id]

    def dispatch(self, channel: str, data: str) -> None:
        office = channel.removeprefix(self.prefix + "office.")
        if not office.isdigit():
            return
        parts = {p for p in data.split() if p in push.PARTS}
        for stream in list(self.streams.get(int(office), ())):
            stream.notify(parts)

    def resync(self) -> None:
        for streams in self.streams.values():
            for stream in streams:
                stream.notify(set(push.PARTS))

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


def make_app(*, redis_url: str, prefix: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI application (module docstring)."""
    hub = Hub(redis_url, prefix)

    async def respond(send: Send, status: int, text: str) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
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
        if scope.get("method") != "GET" or match is None:
            await respond(send, 404, "Not found")
            return
        office_id = int(match.group(1))
        token = parse_qs(scope.get("query_string", b"").decode()).get("t", [""])[0]
        if push.office_of_token(token) != office_id:
            await respond(send, 403, "Forbidden")
            return
        hub.start()
        stream = hub.add(office_id)
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
                if stream.parts:
                    body = f"event: change\ndata: {' '.join(sorted(stream.parts))}\n\n"
                    stream.parts.clear()
                else:
                    body = ": keep-alive\n\n"
                stream.wake.clear()
                await send({"type": "http.response.body", "body": body.encode(), "more_body": True})
        except OSError:
            pass  # the client went away mid-write
        finally:
            hub.remove(office_id, stream)
            watcher.cancel()
            with contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

    app.hub = hub  # type: ignore[attr-defined]  # for tests
    return app
