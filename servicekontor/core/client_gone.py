"""A client that goes away in the middle of its request body is a client's error (400, one
log line), never a server error, and a body cut short is never acted on.

A client that disconnects while it uploads (the planning CSV, a roster, an office import, a
form on a slow line) leaves the server one of two things, depending on the server and on how
the connection ended:

- the socket's read fails (`ConnectionResetError`, a timeout, gunicorn's `NoMoreData` for a
  chunked body): Django turns that `OSError` into `UnreadablePostError`, which nothing
  handles, so it was answered and logged as a 500 with its traceback;
- the read ends early (the client closed, gunicorn's reader returns what it has): Django
  reads a body shorter than its Content-Length without a word, and a multipart body cut in
  a file parses as the fields before the cut, without the file — the request was carried
  out on what had arrived (a form without its file, a desk note cut short).

`ClientGoneMiddleware`, first in ``MIDDLEWARE``, wraps the request's body stream in
`WholeBody` before anything reads it: a failed read, or the end of the stream before the
declared Content-Length, raises `ClientGone`, a `BadRequest`. Whoever reads the body (the
middleware that keeps it for a second run, CSRF's `request.POST`, a view's form), Django
answers it with the 400 page (`core.middleware.bad_request`), logged as one WARNING line
without a traceback by `core.client_errors` (decision 0085). Nothing of the request runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from servicekontor.core.middleware import _declared_length


class ClientGone(BadRequest):
    """The client ended the request before its whole body arrived."""


class WholeBody:
    """A request body stream (Django's `LimitedStream` of the declared length) that raises
    `ClientGone` when a read fails or the stream ends before `length` bytes were read."""

    def __init__(self, stream: Any, length: int) -> None:
        self._stream = stream
        self._length = length
        self._left = length

    def _gone(self, cause: BaseException | None = None) -> ClientGone:
        got = self._length - self._left
        why = f" ({type(cause).__name__})" if cause is not None else ""
        return ClientGone(f"Client went away: {got} of {self._length} body bytes received{why}")

    def _checked(self, read: Callable[[int], bytes], size: int) -> bytes:
        try:
            data = read(size)
        except OSError as exc:  # the socket's read failed: reset, timeout, NoMoreData
            raise self._gone(exc) from exc
        if not data and size != 0 and self._left > 0:
            raise self._gone()
        self._left -= len(data)
        return data

    def read(self, size: int | None = -1, /) -> bytes:
        """`size` bytes (all that is left with -1 or None), but no more than are left of the
        declared length: asked again until they are there, as a socket's single read may
        give less (Django reads a body in one `read(n)`; gunicorn gives what it has when the
        client closed)."""
        want = self._left if size is None or size < 0 else min(size, self._left)
        parts = []
        while want > 0:
            data = self._checked(self._stream.read, want)
            parts.append(data)
            want -= len(data)
        return b"".join(parts)

    def close(self) -> None:  # Django closes the stream once it has read the body
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()

    def __getattr__(self, name: str) -> Any:  # anything else a reader asks of the stream
        return getattr(self._stream, name)

    def readline(self, size: int | None = -1, /) -> bytes:
        if self._left <= 0 or size == 0:
            return b""
        limit = self._left if size is None or size < 0 else min(size, self._left)
        return self._checked(self._stream.readline, limit)


class ClientGoneMiddleware:
    """Wraps the body stream of a request with a body in `WholeBody` (module docstring).
    First in ``MIDDLEWARE``: before anything reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        declared = _declared_length(request)
        stream = getattr(request, "_stream", None)
        if declared and stream is not None and not getattr(request, "_read_started", False):
            # Django's private body stream (`HttpRequest.read`/`readline` read from it, and
            # turn an OSError from it into UnreadablePostError; a ClientGone passes as is)
            request._stream = WholeBody(stream, declared)  # type: ignore[assignment]
        return self.get_response(request)
