"""SMS backends, chosen like Django's mail backends by a dotted path in `SMS_BACKEND`.

- `ConsoleBackend` (the default with DEBUG/DEMO): writes each SMS to stdout, like Django's
  console mail backend. Development only: the text holds manage links.
- `LocmemBackend` (tests): appends to `sms.outbox`.
- `Elks46Backend`: 46elks' HTTP API (https://46elks.se/documentation): POST to
  `SMS_API_URL` (default https://api.46elks.com/a1/sms) with HTTP Basic authentication
  (`SMS_API_USERNAME`, `SMS_API_PASSWORD`) and the form fields `from` (`SMS_SENDER`, a
  number or a text sender id of at most 11 characters), `to` (E.164) and `message`. A 2xx
  answer is success; anything else raises `SmsError`, and the outbox retries.

A backend's `send_messages(messages)` raises on failure (the outbox records it and retries);
it returns how many were accepted.
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "servicekontor.messaging.sms.ConsoleBackend"
DEFAULT_API_URL = "https://api.46elks.com/a1/sms"
TIMEOUT_SECONDS = 10


class SmsError(Exception):
    """The provider did not accept the message (network error, refusal, bad answer)."""


@dataclass(frozen=True)
class Sms:
    to: str  # E.164
    text: str
    sender: str = ""


class SmsBackend(Protocol):
    def send_messages(self, messages: list[Sms]) -> int: ...


class ConsoleBackend:
    """Development: print each SMS."""

    def send_messages(self, messages: list[Sms]) -> int:
        for sms in messages:
            sys.stdout.write(f"SMS to {sms.to} from {sms.sender}:\n{sms.text}\n{'-' * 40}\n")
        sys.stdout.flush()
        return len(messages)


outbox: list[Sms] = []


class LocmemBackend:
    """Tests: keep every SMS in `servicekontor.messaging.sms.outbox`."""

    def send_messages(self, messages: list[Sms]) -> int:
        outbox.extend(messages)
        return len(messages)


class Elks46Backend:
    """46elks' SMS API (form-encoded POST, Basic authentication, JSON answer)."""

    def __init__(self) -> None:
        self.url = str(getattr(settings, "SMS_API_URL", "") or DEFAULT_API_URL)
        self.username = str(getattr(settings, "SMS_API_USERNAME", ""))
        self.password = str(getattr(settings, "SMS_API_PASSWORD", ""))

    def send_messages(self, messages: list[Sms]) -> int:
        for sms in messages:
            self._send(sms)
        return len(messages)

    def _send(self, sms: Sms) -> None:
        data = urllib.parse.urlencode(
            {"from": sms.sender, "to": sms.to, "message": sms.text}
        ).encode()
        credentials = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        request = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise SmsError(f"SMS provider answered {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"SMS provider unreachable: {exc}") from exc
        try:
            answer = json.loads(body or b"{}")
        except ValueError as exc:
            raise SmsError("SMS provider answered something that is not JSON") from exc
        if isinstance(answer, dict) and answer.get("status") == "failed":
            raise SmsError("SMS provider reports the message as failed")


def get_backend() -> SmsBackend:
    path = str(getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND)
    backend: SmsBackend = import_string(path)()
    return backend


def sender() -> str:
    return str(getattr(settings, "SMS_SENDER", "") or "Servicekont")
