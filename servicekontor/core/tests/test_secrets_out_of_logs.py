"""Manage tokens, ticket keys and pairing tokens never reach a log line."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from servicekontor.core.log_filters import RedactSecretsFilter, redact


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ('"GET /book/manage/Abc123-_xyz/ HTTP/1.1" 200 512', "Abc123-_xyz"),
        ("Not Found: /en/book/manage/Abc123xyz/booking.ics", "Abc123xyz"),
        ("Not Found: /book/manage/Abc123xyz/reschedule/?day=2026-03-01", "Abc123xyz"),
        ('"GET /queue/kiruna/ticket/MTIz:1tX:abc/ HTTP/1.1" 200', "MTIz:1tX:abc"),
        ('"GET /queue/kiruna/pair/?kind=kiosk&token=s3cr3t HTTP/1.1" 302', "s3cr3t"),
    ],
)
def test_logs__redact__removes_the_secret(line: str, secret: str) -> None:
    assert secret not in redact(line)
    assert "[redacted]" in redact(line)


def _handlers(name: str) -> list[logging.Handler]:
    logger: logging.Logger | None = logging.getLogger(name)
    found: list[logging.Handler] = []
    while logger is not None:
        # pytest's capturing handlers are not part of the configuration
        found.extend(h for h in logger.handlers if not type(h).__module__.startswith("_pytest"))
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.parametrize("name", ["django.request", "django.server", "servicekontor", ""])
def test_logs__every_handler_redacts(name: str) -> None:
    handlers = _handlers(name)
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactSecretsFilter) for f in handler.filters), handler


@pytest.mark.django_db
def test_logs__unknown_manage_link__logged_without_its_token(settings) -> None:
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client().get("/book/manage/GuessedToken123/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert "GuessedToken123" not in stream.getvalue()
    assert "/manage/[redacted]" in stream.getvalue()
