"""Keep secrets that travel in URLs out of the logs.

Manage links (`/book/manage/<token>/…`), kiosk ticket keys (`/queue/<office>/ticket/<key>/`)
device pairing tokens (`?token=…`) and push stream tokens (`?t=…`) are working credentials: anyone who reads a log line
with one can open the booking. Django logs the path of every 4xx/5xx answer
(django.request: "Not Found: /book/manage/…/") and the development server logs every
request; this filter rewrites those parts to "[redacted]" before any handler writes them.

gunicorn's access log does not pass through Django's logging: run gunicorn without
--access-logfile, or with `--access-logformat` not containing %(r)s/%(U)s/%(q)s
(docs/deployment notes in config/settings.py LOGGING).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"(/manage/)[^/\s?\"']+"),
    re.compile(r"(/ticket/)[^/\s?\"']+"),
    re.compile(r"([?&](?:token|key|t)=)[^&\s\"']+"),
)


def redact(text: str) -> str:
    """`text` with every token of a manage link, ticket key or ?token= replaced."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """A logging filter (attach to handlers): the formatted message, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # django.request passes the request; handlers that print it must not see the token.
            record.request = None
        return True
