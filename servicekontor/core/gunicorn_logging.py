"""gunicorn's access log without the secrets that travel in URLs (issue 13).

gunicorn writes its access log itself, not through Django's logging, so the redacting filter
of `core.log_filters` never sees those lines: a manage link's token (`/book/manage/<token>/`),
a kiosk ticket key, a device pairing or push stream token would sit in every access log. This
logger class redacts every atom of the access line (the request line, path, query string,
referer — a confirmation page's link is the referer of the next request — and any header
atom) with the same `redact`. Used by `config/gunicorn.conf.py`:

    gunicorn -c config/gunicorn.conf.py config.wsgi:application
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from servicekontor.core.log_filters import redact

_QUERY_ATOMS = frozenset({"q", "{query_string}e"})  # a bare query string: "token=…&kind=…"


def _clean(key: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    if key in _QUERY_ATOMS:
        return redact("?" + value)[1:]
    return redact(value)


class RedactingLogger(Logger):
    """gunicorn's logger whose access-log atoms are redacted (module docstring)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: _clean(k, v) for k, v in atoms.items()}
