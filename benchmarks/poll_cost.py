"""CPU per poll of the desk's waiting list, the live view and the lobby board, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_poll .venv/bin/python benchmarks/poll_cost.py

Drops and recreates the database, builds one office with 6 desks and 12 visits waiting, then
polls each fragment N times through Django's test client (no HTTP, no gunicorn): once with
the tag the client holds (nothing changed: 304), once without it (a change) with the fragment
in the shared cache (another screen of the office rendered it: decision 0027), and once
without it and with the shared fragments forgotten before each request (outside the timing:
the render, what every screen paid before 0027), and measures this process's CPU time per
request (Django + driver; the database's own CPU is
not in it). Production settings as in peak_load.py (DEBUG off, sessions on the shared
cache when PEAK_REDIS_URL/REDIS_URL is set).

The actions of a visit are also counted in SQL statements per request (every `execute` the
request sends, BEGIN/COMMIT included; load-independent, unlike CPU). POLL_COST_APP=<tree>
runs another checkout's code (e.g. /work/main) under this same harness, for a before/after
in one session. When an action's answer carries no waiting list (decision 0035), the list
desk.js then asks for is counted as a request of its own (the screens' lane).

POLL_COST_PROFILE=<path prefix> writes cProfile stats (CPU clock) of the fragments and of each
action; POLL_COST_SQL=1 prints each action's statements once.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# POLL_COST_APP: the checkout whose code is measured (default: this one), so that the same
# measuring script can time another branch's code back to back (e.g. POLL_COST_APP=/work/main).
ROOT = Path(os.environ.get("POLL_COST_APP") or Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DEMO", "1")
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("REDIS_URL", os.environ.get("PEAK_REDIS_URL", "redis://127.0.0.1:6379/13"))

import django  # noqa: E402

N = int(os.environ.get("POLL_COST_N", "300"))
PROFILE = os.environ.get("POLL_COST_PROFILE", "")  # a path prefix: cProfile stats written there
SHOW_SQL = os.environ.get("POLL_COST_SQL", "")  # "1": print each action's statements once


class Counts:
    """Round trips per request, counted in this process (independent of the machine's load):
    SQL statements (Django's connection), Redis commands (each one a round trip; a pipeline
    counts once) and Redis client objects built (Django's RedisCache builds one per call)."""

    def __init__(self) -> None:
        self.redis_commands = 0
        self.redis_clients = 0
        self.statements = 0

    def install(self) -> None:
        import redis
        import redis.client

        counts = self
        execute = redis.Redis.execute_command
        init = redis.Redis.__init__
        pipeline_execute = redis.client.Pipeline.execute

        def counted_execute(client: Any, *args: Any, **options: Any) -> Any:
            counts.redis_commands += 1
            return execute(client, *args, **options)

        def counted_init(client: Any, *args: Any, **options: Any) -> None:
            counts.redis_clients += 1
            init(client, *args, **options)

        def counted_pipeline(pipe: Any, *args: Any, **options: Any) -> Any:
            counts.redis_commands += 1
            return pipeline_execute(pipe, *args, **options)

        setattr(redis.Redis, "execute_command", counted_execute)  # noqa: B010
        setattr(redis.Redis, "__init__", counted_init)  # noqa: B010
        setattr(redis.client.Pipeline, "execute", counted_pipeline)  # noqa: B010

    def per_request(
        self, call: Callable[[], Any], expect: int, n: int = 20
    ) -> tuple[float, float, float] | None:
        """(statements, Redis commands, Redis clients built) per call of `call`, over n calls;
        None if an answer's status was not `expect` (a minute turned: count again)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        before = (self.redis_commands, self.redis_clients)
        with CaptureQueriesContext(connection) as queries:
            statuses = {call().status_code for _ in range(n)}
        if statuses != {expect}:
            return None
        return (
            len(queries) / n,
            (self.redis_commands - before[0]) / n,
            (self.redis_clients - before[1]) / n,
        )


def profile(call: Callable[[], Any], path: str, n: int) -> None:
    """cProfile `call` n times and write the stats to `path` (read with pstats). Timed with
    this process's CPU clock: on a shared machine the wall clock mostly measures waiting."""
    import cProfile

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    profiler.dump_stats(path)


def forget_fragments() -> None:
    """Drop the shared fragments (decision 0027) from the cache, and nothing else."""
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match="*fragment:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


def main() -> None:
    from peak_load import recreate_database

    sys.path.insert(0, str(ROOT))  # before peak_load's own checkout: the code measured

    recreate_database()
    django.setup()
    counts = Counts()
    counts.install()
    from django.core.cache import cache

    cache.clear()  # the shared fragments (decision 0027) of an earlier run's database
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from servicekontor.queueing import services
    from tests.factories import (
        make_agency,
        make_offering,
        make_office,
        make_service,
        make_user,
        open_around_the_clock,
    )

    office = make_office(code="poll", counters=6)
    open_around_the_clock(office)  # tickets are issued only while the office is open
    agency = make_agency(code="poll-s", name_sv="Skatteverket")
    service = make_service(agency=agency, handling_minutes=12)
    make_offering(office=office, service=service)
    officers = []
    for point in office.service_points.order_by("number"):
        officer = make_user(offices=[office], agencies=[agency])
        services.sign_in_at_desk(officer=officer, service_point=point)
        officers.append(officer)
    for _ in range(12):
        services.issue_ticket(office=office, service=service)
    services.call_next(officer=officers[0])
    manager = make_user(role="office_manager", offices=[office])

    pages = [
        ("desk waiting list (every 3 s)", f"/desk/{office.code}/panel/", officers[1]),
        ("desk: own visit (every 3 s)", f"/desk/{office.code}/current/", officers[1]),
        ("manager's live view (every 5 s)", f"/desk/{office.code}/live/panel/", manager),
        ("lobby board (every 1 s)", f"/display/{office.code}/board/", None),
    ]
    import servicekontor

    print(f"measuring the code at {Path(servicekontor.__file__).parent.parent}")
    print(
        "| fragment | CPU per poll, unchanged (304) ms | changed, from the shared cache ms"
        " | changed, rendered ms |"
    )
    print("|---|---:|---:|---:|")
    counted: list[str] = []
    for name, url, user in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
        first = client.get(url)
        assert first.status_code == 200, (url, first.status_code)
        etag = first["ETag"]
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
        for _ in range(20):  # warm
            client.get(url)
        # The desk list's and the live view's tags name the minute: a 304 loop that crosses a
        # minute would time renders. Only answers that were 304s are counted.
        spent, answered = 0.0, 0
        while answered < N:
            cpu = time.process_time()
            response = client.get(url, headers={"if-none-match": etag})
            if response.status_code == 304:
                spent += time.process_time() - cpu
                answered += 1
            else:
                etag = response["ETag"]
        unchanged = spent / N * 1000
        cpu = time.process_time()
        for _ in range(N):
            client.get(url)
        shared = (time.process_time() - cpu) / N * 1000
        spent = 0.0
        for _ in range(N):
            forget_fragments()
            cpu = time.process_time()
            client.get(url)
            spent += time.process_time() - cpu
        rendered = spent / N * 1000
        print(f"| {name} | {unchanged:.2f} | {shared:.2f} | {rendered:.2f} |")
        for path, label, expect in (("304", "304", 304), ("shared", "from the shared cache", 200)):
            counted_here = None
            while counted_here is None:
                tag = client.get(url)["ETag"]  # this minute's (the desk list, the live view)

                def call(c: Client = client, u: str = url, t: str = tag, p: str = path) -> Any:
                    return c.get(u, headers={"if-none-match": t}) if p == "304" else c.get(u)

                counted_here = counts.per_request(call, expect)
            sql_sent, commands, clients = counted_here
            counted.append(f"| {name} | {label} | {sql_sent:g} | {commands:g} | {clients:g} |")
            if PROFILE:
                slug = url.strip("/").replace("/", "-")
                profile(call, f"{PROFILE}{slug}-{path}.prof", N)
    print()
    print("| fragment | answer | SQL statements | Redis commands | Redis clients built |")
    print("|---|---|---:|---:|---:|")
    print("\n".join(counted))

    # The actions of a visit, for the CPU budget of the busiest hour (docs/benchmarks.md).
    desk = Client()
    desk.force_login(officers[2])
    kiosk = Client()
    act = f"/desk/{office.code}/act/"
    costs: dict[str, list[float]] = {}
    statements: dict[str, list[int]] = {}
    import cProfile

    from django.db import connection

    profiles: dict[str, cProfile.Profile] = {}

    def timed(name: str, call: Callable[..., Any], expect: int) -> Any:
        sent = [0]

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            sent[0] += 1
            if SHOW_SQL and len(costs.get(name, ())) == 2:  # the third request of each action
                print(f"  {name} [{sent[0]}]: {' '.join(str(args[0]).split())[:160]}")
            return execute(*args)

        with connection.execute_wrapper(count):
            if PROFILE:  # the actions too: one cProfile per action, written at the end
                profiler = profiles.setdefault(name, cProfile.Profile(time.process_time))
                profiler.enable()
            cpu = time.process_time()
            response = call()
            costs.setdefault(name, []).append(1000 * (time.process_time() - cpu))
            if PROFILE:
                profiler.disable()
        statements.setdefault(name, []).append(sent[0])
        assert response.status_code == expect, (name, response.status_code)
        return response

    fragment = {"X-Desk-Fragment": "1"}
    panel = f"/desk/{office.code}/panel/"

    def list_after(answer: Any) -> None:
        """desk.js asks for the waiting list at once when an action's answer has none
        (decision 0035): on the screens' lane, counted under its own name."""
        if b'id="waiting-panel"' not in answer.content:
            timed(
                "desk.js: waiting list after an action (screens' lane)",
                lambda: desk.get(panel),
                200,
            )

    for _ in range(N // 10):
        timed(
            "kiosk: issue ticket",
            lambda: kiosk.post(f"/queue/{office.code}/{agency.code}/", {"service": service.pk}),
            303,
        )
        called = timed("desk: call next", lambda: desk.post(act, {"action": "call_next"}), 303)
        visit = called["X-Visit-Id"]
        timed("desk: desk page", lambda: desk.get(f"/desk/{office.code}/"), 200)
        timed("desk: start", lambda v=visit: desk.post(act, {"action": "start", "visit": v}), 303)
        timed(
            "desk: finish",
            lambda v=visit: desk.post(act, {"action": "finish", "visit": v, "outcome": "resolved"}),
            303,
        )
        # The same visit as desk.js sends it (decision 0026): each action answered with the
        # changed parts, no desk page after it.
        timed(
            "kiosk: issue ticket",
            lambda: kiosk.post(f"/queue/{office.code}/{agency.code}/", {"service": service.pk}),
            303,
        )
        called = timed(
            "desk.js: call next (answered with the parts)",
            lambda: desk.post(act, {"action": "call_next"}, headers=fragment),
            200,
        )
        list_after(called)
        visit = called["X-Visit-Id"]
        list_after(
            timed(
                "desk.js: start (answered with the parts)",
                lambda v=visit: desk.post(act, {"action": "start", "visit": v}, headers=fragment),
                200,
            )
        )
        list_after(
            timed(
                "desk.js: finish (answered with the parts)",
                lambda v=visit: desk.post(
                    act, {"action": "finish", "visit": v, "outcome": "resolved"}, headers=fragment
                ),
                200,
            )
        )
    for name, profiler in profiles.items():
        slug = "".join(c if c.isalnum() else "-" for c in name).strip("-")
        profiler.dump_stats(f"{PROFILE}action-{slug}.prof")
    print()
    print("| action | CPU per request ms (median) | SQL statements (median) |")
    print("|---|---:|---:|")
    for name, values in costs.items():
        sent = statistics.median(statements[name][2:])
        print(f"| {name} | {statistics.median(values[2:]):.2f} | {sent:g} |")


if __name__ == "__main__":
    main()
