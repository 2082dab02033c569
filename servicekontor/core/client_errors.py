"""A client's error is one log line, not a traceback.

Django logs an exception it answers with 4xx (`django.core.handlers.exception`:
PermissionDenied 403, an unparseable multipart body 400, BadRequest and SuspiciousOperation
400 such as a Host header not allowed) with the exception's traceback, the
SuspiciousOperations at ERROR. Each of those is a request anyone can send: an outsider filled
the log with tracebacks cheaply (92 in one probe's log, none a server error; decision 0078).

The site's handlers (handler400, handler403) log the refusal themselves as one line at
WARNING — the same logger and words Django uses, the path escaped as Django escapes it — and
mark the response logged, so Django's own `log_response` writes nothing more. A server error
(500) keeps its traceback: it goes through neither handler.
"""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response


def log_client_error(request: HttpRequest, response: HttpResponse, exception: object) -> None:
    """One WARNING line without a traceback for `exception`, answered with `response` (4xx)."""
    logger = logging.getLogger("django.request")
    args: tuple[str, ...]
    if isinstance(exception, PermissionDenied):
        message, args = "Forbidden (Permission denied): %s", (request.path,)
    elif isinstance(exception, MultiPartParserError):
        message, args = "Bad request (Unable to parse request body): %s", (request.path,)
    elif isinstance(exception, SuspiciousOperation):
        # django.security.<kind>, where Django logs them (a deployment may route them apart)
        logger = logging.getLogger(f"django.security.{type(exception).__name__}")
        message, args = "%s: %s", (str(exception), request.path)
    elif isinstance(exception, BadRequest):
        message, args = "%s: %s", (str(exception) or "Bad request", request.path)
    else:
        message, args = "%s: %s", (response.reason_phrase, request.path)
    log_response(message, *args, response=response, request=request, logger=logger, level="warning")
