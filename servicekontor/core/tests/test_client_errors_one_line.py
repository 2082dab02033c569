"""A client's error is one WARNING line without a traceback; a server error keeps its
traceback (core.client_errors). Anyone can send a request that is refused 403 or 400: each
was a full traceback in the log (decision 0078)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from tests.factories import make_user


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# The URLconf of the 500 case (the site has no view that fails on purpose).
urlpatterns = [path("boom/", _boom)]


@pytest.fixture
def records(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """Every record Django's loggers write (they do not propagate to the root, where caplog
    listens)."""
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="django")
    try:
        yield caplog
    finally:
        django_logger.removeHandler(caplog.handler)


def _one_line(records: pytest.LogCaptureFixture, logger: str, words: str) -> logging.LogRecord:
    found = [r for r in records.records if r.name == logger]
    assert len(found) == 1, [(r.name, r.getMessage()) for r in records.records]
    record = found[0]
    assert record.levelno == logging.WARNING, record.levelname
    assert record.exc_info is None and record.exc_text is None, "no traceback"
    assert words in record.getMessage()
    assert "\n" not in record.getMessage()
    return record


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "words"),
    [("", "bara för nätverksadministratörer"), ("/en", "is for network administrators")],
)
def test_permission_denied__one_line(client, records, prefix: str, words: str) -> None:
    client.force_login(make_user())
    response = client.get(f"{prefix}/planning/")
    assert response.status_code == 403
    assert words in response.content.decode(), "the page still says why"
    _one_line(records, "django.request", f"Forbidden (Permission denied): {prefix}/planning/")


@pytest.mark.django_db
def test_csrf_refusal__one_line(records) -> None:
    response = Client(enforce_csrf_checks=True).post("/staff/login/", {"username": "x"})
    assert response.status_code == 403
    _one_line(records, "django.security.csrf", "Forbidden (CSRF cookie not set.)")


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_unparseable_body__one_line(client, records, prefix: str) -> None:
    response = client.post(
        f"{prefix}/staff/login/",
        data=b"--\r\nbroken",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    _one_line(
        records,
        "django.request",
        f"Bad request (Unable to parse request body): {prefix}/staff/login/",
    )


@pytest.mark.django_db
def test_host_not_allowed__one_line_at_warning(client, records) -> None:
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    _one_line(records, "django.security.DisallowedHost", "evil.example")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_server_error__keeps_its_traceback(records) -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    (record,) = [r for r in records.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
