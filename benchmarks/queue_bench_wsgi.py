"""The app for queue_bench.py, plus a server-sent-events endpoint used only to measure SSE.

/bench-sse/<office_id>/ streams the office's board version (its latest event id) whenever it
changes, checking the database every 250 ms, for 25 s (then the client reconnects), the way
an SSE display would have to work without in-process state shared between server processes.
Each open stream holds a server thread and a database connection for its whole life.
"""

import time
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import Max
from django.urls import get_resolver
from django.utils import translation

from config.wsgi import application as django_application

# With gunicorn --preload this runs once before forking: every view module and the Swedish
# catalogue are loaded, so no worker pays for them on its first request.
get_resolver().url_patterns  # noqa: B018
translation.activate("sv")
translation.deactivate()

CHECK_EVERY = 0.25
STREAM_FOR = 25.0


def _stream(office_id: int) -> Iterator[bytes]:
    from servicekontor.queueing.models import VisitEvent

    last = None
    deadline = time.perf_counter() + STREAM_FOR
    try:
        yield b"retry: 1000\n\n"
        while time.perf_counter() < deadline:
            version = VisitEvent.objects.filter(office_id=office_id).aggregate(v=Max("id"))["v"]
            if version != last:
                last = version
                yield f"data: {version}\n\n".encode()
            time.sleep(CHECK_EVERY)
    finally:
        connection.close()


def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path.startswith("/bench-sse/"):
        office_id = int(path.strip("/").split("/")[1])
        start_response(
            "200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]
        )
        return _stream(office_id)
    return django_application(environ, start_response)
