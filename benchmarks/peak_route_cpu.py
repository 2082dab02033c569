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

With `PEAK_ROUTE_CPU_DETAIL=1` each worker also appends to `<pid>.detail` where the
blocked time of a request went: per request the end time, the route, the SQL statements
(count, wall seconds inside `cursor.execute`: the round trip to PostgreSQL, its work and the
worker's wait for a core after the answer), the commits (count, wall seconds: the COMMIT and
its WAL flush), the Redis commands (count, wall seconds: sessions, cache, the push's
publish) and the seconds from the worker's accepting the connection to the request's start
(reading and parsing it). Wall times, so at load they include the worker's waits for a core.
"""

from __future__ import annotations

import os
import time
from typing import Any

_dir = os.environ.get("PEAK_ROUTE_CPU_DIR", "")
_detail = os.environ.get("PEAK_ROUTE_CPU_DETAIL", "") == "1"
_state: dict[str, Any] = {}
_spent: dict[str, float] = {}  # "sql", "commit", "redis" -> [count, seconds] flattened


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


def _timed(kind: str, call: Any) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            _spent[kind + "_n"] = _spent.get(kind + "_n", 0) + 1
            _spent[kind + "_s"] = _spent.get(kind + "_s", 0.0) + time.perf_counter() - started

    return timed


def post_fork(server: Any, worker: Any) -> None:
    """With PEAK_ROUTE_CPU_DETAIL: time the SQL, the commits, Redis and the request's reading."""
    if not _detail:
        return
    import redis
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper
    from gunicorn.workers import sync

    CursorWrapper.execute = _timed("sql", CursorWrapper.execute)  # type: ignore[method-assign]
    CursorWrapper.executemany = _timed("sql", CursorWrapper.executemany)  # type: ignore[method-assign]
    commit = BaseDatabaseWrapper._commit  # type: ignore[attr-defined]  # not in the stubs
    BaseDatabaseWrapper._commit = _timed("commit", commit)  # type: ignore[attr-defined]
    redis.Redis.execute_command = _timed("redis", redis.Redis.execute_command)  # type: ignore[method-assign]
    handle = sync.SyncWorker.handle

    def accepted(self: Any, listener: Any, client: Any, addr: Any) -> None:
        _state["accepted"] = time.perf_counter()
        handle(self, listener, client, addr)

    sync.SyncWorker.handle = accepted


def pre_request(worker: Any, req: Any) -> None:
    _spent.clear()
    if "accepted" in _state:
        _spent["read_s"] = time.perf_counter() - _state.pop("accepted")
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
    route = _route(req.path)
    out.write(f"{at:.3f}\t{route}\t{status}\t{cpu:.6f}\t{wall:.6f}\t{queue:.6f}\n")
    if _detail:
        detail = _state.get("detail")
        if detail is None:
            detail = _state["detail"] = open(  # noqa: SIM115 (kept open for the worker's life)
                os.path.join(_dir, f"{os.getpid()}.detail"), "a", buffering=1
            )
        fields = [
            f"{_spent.get(k, 0):g}"
            for k in ("sql_n", "sql_s", "commit_n", "commit_s", "redis_n", "redis_s", "read_s")
        ]
        detail.write("\t".join([f"{at:.3f}", route, *fields]) + "\n")
