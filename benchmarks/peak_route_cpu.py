"""gunicorn server hooks for benchmarks/peak_load.py --route-cpu: each worker's CPU per request,
by the Django route that served it.

Loaded with `gunicorn -c python:peak_route_cpu` (benchmarks/ on PYTHONPATH). Each worker
appends one line per request to `$PEAK_ROUTE_CPU_DIR/<pid>.tsv`: the wall-clock end time
(s since the epoch), the route name (`namespace:url_name`, or the path's first segment if it
does not resolve), the status, the worker's CPU seconds for the request (`time.process_time()` before the
request and after its response was written) and its wall seconds over the same span (from
the worker's accepting the request, so the time it waited in the listen queue is not in it),
and of that wall time the seconds the worker waited runnable for a core (Linux schedstat).
The rest of the wall time is the worker blocked: on PostgreSQL, Redis or the socket. The worker's
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


def _runqueue_wait() -> float:
    """Seconds this process has waited runnable for a core (Linux /proc/self/schedstat, its
    second field, ns); 0.0 where it cannot be read."""
    try:
        with open("/proc/self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def pre_request(worker: Any, req: Any) -> None:
    _state["cpu"] = time.process_time()
    _state["wall"] = time.perf_counter()
    _state["queue"] = _runqueue_wait()


def post_request(worker: Any, req: Any, environ: dict[str, Any], resp: Any) -> None:
    cpu = time.process_time() - _state.pop("cpu", time.process_time())
    wall = time.perf_counter() - _state.pop("wall", time.perf_counter())
    queue = _runqueue_wait() - _state.pop("queue", 0.0)
    if not _dir:
        return
    out = _state.get("out")
    if out is None:
        out = _state["out"] = open(  # noqa: SIM115 (kept open for the worker's life)
            os.path.join(_dir, f"{os.getpid()}.tsv"), "a", buffering=1
        )
    status = str(getattr(resp, "status", "") or "").split(" ")[0]
    at = time.time()  # noqa: TID251 (the wall clock, to match peak_load's window)
    out.write(f"{at:.3f}\t{_route(req.path)}\t{status}\t{cpu:.6f}\t{wall:.6f}\t{queue:.6f}\n")
