"""Where links and mail headers point: the site's public address and the sender's domain.

Both come from settings (`SITE_URL`, `DEFAULT_FROM_EMAIL`); `make run` derives SITE_URL
from the port it serves on. Placeholders (example domains, localhost) are fine in
development and refused by `check --deploy` in production (`messaging.checks`).
"""

from __future__ import annotations

import ipaddress
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings

# RFC 2606 / RFC 6761 names that can never be a real public site or mailbox.
_PLACEHOLDER_SUFFIXES = (".example", ".invalid", ".test", ".localhost", ".local")
_PLACEHOLDER_NAMES = {"localhost", "example.com", "example.org", "example.net", ""}


def site_url() -> str:
    """The public address without a trailing slash, e.g. "https://boka.example.se"."""
    return str(getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def absolute(path: str) -> str:
    """`path` ("/book/…") as a full link on the public site."""
    return site_url() + path


def sender_address() -> str:
    return str(settings.DEFAULT_FROM_EMAIL)


def sender_domain() -> str:
    """The domain of the sender address: also the right side of every Message-ID."""
    address = parseaddr(sender_address())[1]
    return address.rpartition("@")[2].lower()


def is_placeholder_host(host: str) -> bool:
    """True for hosts that cannot be a public production address: example/test domains,
    localhost, and loopback or private IP addresses."""
    name = (host or "").strip().lower().rstrip(".")
    if name in _PLACEHOLDER_NAMES or name.endswith(_PLACEHOLDER_SUFFIXES):
        return True
    if name.endswith((".example.com", ".example.org", ".example.net")):
        return True
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return "." not in name  # a bare machine name
    return address.is_loopback or address.is_private or address.is_unspecified


def site_host() -> str:
    return urlsplit(site_url()).hostname or ""
