"""Which webhook endpoints a handover may be sent to.

A handover carries personal data (what the citizen needs, their contact, sometimes the
identity number): the body is signed, not encrypted, so it only travels over TLS. Plain
http is allowed to the loopback interface only (the demo receiver of `make run`, the
tests' local receivers, a relay on the same host), where nothing leaves the machine."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_problem(url: str) -> str | None:
    """None when handovers may be posted to ``url``; otherwise why not (English, for the
    delivery log): not https (and not loopback), credentials in the URL, or no host."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return "the endpoint has no host"
    if parts.username or parts.password:
        return "the endpoint must not carry a user name or password (the signature authenticates)"
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        return None
    return "the endpoint must use https (plain http only to this machine)"
