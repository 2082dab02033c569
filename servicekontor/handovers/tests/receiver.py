"""An agency's webhook endpoint for the tests: a real HTTP server on 127.0.0.1 that verifies
each request with the `standardwebhooks` library's own verifier and keeps what it accepted,
deduplicated by `webhook-id` as the scheme tells receivers to do."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Receiver:
    secret: str  # the secret the agency verifies with
    url: str = ""
    fail_next: int = 0  # answer 500 to this many requests (after verifying them)
    slow_next: int = 0  # answer this many requests only after `slow_seconds` (then as usual)
    slow_seconds: float = 3.0
    posts: list[str] = field(default_factory=list)  # webhook-id of every request
    rejected: list[str] = field(default_factory=list)  # failed verification
    inbox: dict[str, Any] = field(default_factory=dict)  # webhook-id -> payload, once each
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            slow, self.slow_next = self.slow_next > 0, max(0, self.slow_next - 1)
        if slow:
            time.sleep(self.slow_seconds)
        with self.lock:
            self.posts.append(headers.get("webhook-id", ""))
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                self.rejected.append(headers.get("webhook-id", ""))
                return 400
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500
            self.inbox.setdefault(headers["webhook-id"], payload)
            return 204


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status = receiver.handle(body, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def data_of(payload: Any) -> dict[str, Any]:
    return json.loads(json.dumps(payload))["data"]
