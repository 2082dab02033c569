"""A client that goes away in the middle of its body: a 400 logged in one line, never a 500,
and the request is not carried out on the part that arrived (core.client_gone).

The body streams here stand in for a server's socket: one ends before the declared
Content-Length (the client closed; gunicorn's reader then returns what it has), one raises
as a reset connection or a timeout does. The last test sends a cut body over a real socket
to Django's threaded WSGI server."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from servicekontor.core.client_gone import ClientGone, WholeBody
from servicekontor.queueing import services
from servicekontor.queueing.models import Visit
from servicekontor.queueing.tests.conftest import clock_at, fast_passwords, world  # noqa: F401
from servicekontor.staffing.models import Shift
from tests.factories import make_office, make_user

# Every view with a body of its own (uploads, forms, the API's JSON), as in
# test_request_body_limit, and the API's bodies.
URLS = [
    ("POST", "/staffing/office/{code}/roster/"),
    ("POST", "/planning/"),
    ("POST", "/admin/costs/costpool/import/"),
    ("POST", "/staff/login/"),
    ("POST", "/desk/{code}/act/"),
    ("POST", "/book/check-in/{code}/"),
    ("PUT", "/api/partner/caseworkers/cw1/availability/"),
    ("POST", "/api/partner/handovers/H-1/acknowledge/"),
]


class CutStream:
    """A `wsgi.input` that gives `data` and then ends (`error` None: the client closed) or
    raises `error` (a reset connection, a timeout)."""

    def __init__(self, data: bytes, error: BaseException | None = None) -> None:
        self.data, self.pos, self.error = data, 0, error

    def _end(self) -> bytes:
        if self.error is not None:
            raise self.error
        return b""

    def read(self, size: int = -1) -> bytes:
        if self.pos >= len(self.data):
            return self._end()
        end = len(self.data) if size is None or size < 0 else self.pos + size
        chunk = self.data[self.pos : end]
        self.pos += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        if self.pos >= len(self.data):
            return self._end()
        end = self.data.find(b"\n", self.pos)
        end = len(self.data) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self.pos + size)
        chunk = self.data[self.pos : end]
        self.pos += len(chunk)
        return chunk


def _input(stream: CutStream) -> dict[str, Any]:
    """The request's `wsgi.input` (the test client's extra environ)."""
    return {"wsgi.input": stream}


def _multipart(size: int) -> bytes:
    content = (b"office,officer,day,start,end,break_start,break_minutes\n" * (size // 50 + 1))[
        :size
    ]
    return encode_multipart(
        BOUNDARY,
        {
            "roster": SimpleUploadedFile("roster.csv", content, "text/csv"),
            "sites_csv": SimpleUploadedFile("sites.csv", content, "text/csv"),
            "file": SimpleUploadedFile("pools.csv", content, "text/csv"),
            "replace": "1",
        },
    )


def _clients(office) -> dict[str, Client]:
    manager = Client()
    manager.force_login(make_user(role="office_manager", offices=[office]))
    admin = Client()
    admin.force_login(make_user(role="network_admin", is_superuser=True))
    return {"anonymous": Client(), "manager": manager, "admin": admin}


def _problems(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


MODES = {
    "closed": None,
    "reset": ConnectionResetError(104, "Connection reset by peer"),
    "timeout": TimeoutError("timed out"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "size"),
    [("closed", "small"), ("reset", "large"), ("timeout", "small"), ("closed", "large")],
)
def test_body_cut_short__400_one_line__no_server_error(caplog, settings, mode, size):
    """Small bodies are read by core.lost_connection before anything else; a larger one
    (over DATA_UPLOAD_MAX_MEMORY_SIZE) by whoever reads the form first (CSRF, the NUL
    check, the view)."""
    if size == "large":
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    office = make_office()
    body = _multipart(4_000)
    caplog.set_level(logging.INFO)
    for method, url in URLS:
        for who, client in _clients(office).items():
            caplog.clear()
            response = client.generic(
                method,
                url.format(code=office.code),
                b"",
                CONTENT_TYPE=MULTIPART_CONTENT,  # (the client sets it only with data)
                CONTENT_LENGTH=str(len(body)),
                **_input(CutStream(body[: len(body) // 2], MODES[mode])),
            )
            where = (mode, url, who)
            assert response.status_code == 400 or (
                # a redirect to sign in before anything reads the body
                size == "large" and response.status_code in (302, 401, 403)
            ), (*where, response.status_code)
            assert not _problems(caplog), (*where, [r.getMessage() for r in _problems(caplog)])
            if response.status_code == 400:
                lines = [r.getMessage() for r in caplog.records if "went away" in r.getMessage()]
                assert len(lines) == 1, (*where, lines)
                assert lines[0].startswith("Client went away:"), lines
    assert not Shift.objects.exists()


@pytest.mark.django_db
def test_json_body_cut_short__400(caplog):
    body = b'{"available": true, "note": "' + b"x" * 500 + b'"}'
    response = Client().generic(
        "PUT",
        "/api/partner/caseworkers/cw1/availability/",
        b"",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(body)),
        **_input(CutStream(body[:100])),
    )
    assert response.status_code == 400
    assert not _problems(caplog)


def test_desk_action_cut_short__not_carried_out(client, world):  # noqa: F811
    """A body shorter than its Content-Length parsed as the form before the cut: a desk
    action ran on what had arrived. Now nothing runs."""
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    body = b"action=call_next&note=" + b"x" * 100
    response = client.generic(
        "POST",
        reverse("desk:act", kwargs={"office_code": world.office.code}),
        b"",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(body)),
        **_input(CutStream(body[:16])),  # "action=call_next", then the client left
    )
    assert response.status_code == 400
    assert not Visit.objects.filter(state="called").exists()


def test_whole_body__read_as_it_came():
    data = b"line one\nline two\n" * 1000
    stream = WholeBody(CutStream(data), len(data))
    assert stream.readline() == b"line one\n"
    assert stream.read(9) == b"line two\n"
    assert stream.read() == data[18:]
    assert stream.read() == b"" and stream.readline() == b""


def test_whole_body__a_server_that_gives_less_per_read_is_asked_again():
    class Trickle(CutStream):
        def read(self, size: int = -1) -> bytes:
            return super().read(7 if size is None or size < 0 else min(size, 7))

    data = b"x" * 100
    assert WholeBody(Trickle(data), 100).read() == data
    with pytest.raises(ClientGone, match="70 of 100"):
        WholeBody(Trickle(data[:70]), 100).read()


@pytest.mark.django_db(transaction=True)
def test_over_a_real_socket__client_stops_sending__400_not_500(live_server, caplog):
    """Django's threaded WSGI server (the live server): the client declares 200 kB, sends
    10 kB and closes its side; the server's read ends early."""
    caplog.set_level(logging.INFO)
    body = _multipart(200_000)
    head = (
        "POST /planning/ HTTP/1.1\r\n"
        f"Host: {live_server.thread.host}\r\n"
        f"Content-Type: {MULTIPART_CONTENT}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((live_server.thread.host, live_server.thread.port), 10) as s:
        s.sendall(head + body[:10_000])
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status = answer.split(b"\r\n", 1)[0]
    assert b" 400 " in status, status
    assert not _problems(caplog), [r.getMessage() for r in _problems(caplog)]
    assert any("Client went away: " in r.getMessage() for r in caplog.records)
