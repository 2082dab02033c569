"""gunicorn server hooks for benchmarks/peak_load.py --route-cpu: each worker's CPU per request,
by the Django route that served it.

Loaded with `gunicorn -c python:peak_route_cpu` (benchmarks/ on PYTHONPATH). Each worker
appends one line per request to `$PEAK_ROUTE_CPU_DIR/<pid>.tsv`: the wall-clock end time
(s since the epoch), the route name (`namespace:url_name`, or the path's first segment if it
does not resolve), the status, the worker's CPU seconds for the request (`time.process_time()` before the
request and after its response was written) and its wall seconds over the same span (from
the worker's accepting the request, so the time it waited in the listen queue is not in it). The worker's
own bookkeeping (about 10 µs) is not counted. peak_load.py sums the lines of a run's window.
"""

from __future__ import annotations

import os
import time
from typing import Any

_dir = os.environ.get("PEAK_ROUTE_CPU_DIR", "")
_state: dict[str, Any] = {}


def _route(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return "/" + path.strip("/").split("/")[0]
    return match.view_name or "?"


def pre_request(worker: Any, req: Any) -> None:
    _state["cpu"] = time.process_time()
    _state["wall"] = time.perf_counter()


def post_request(worker: Any, req: Any, environ: dict[str, Any], resp: Any) -> None:
    cpu = time.process_time() - _state.pop("cpu", time.process_time())
    wall = time.perf_counter() - _state.pop("wall", time.perf_counter())
    if not _dir:
        return
    out = _state.get("out")
    if out is None:
        out = _state["out"] = open(  # noqa: SIM115 (kept open for the worker's life)
            os.path.join(_dir, f"{os.getpid()}.tsv"), "a", buffering=1
        )
    status = str(getattr(resp, "status", "") or "").split(" ")[0]
    out.write(f"{time.time():.3f}\t{_route(req.path)}\t{status}\t{cpu:.6f}\t{wall:.6f}\n")  # noqa: TID251
