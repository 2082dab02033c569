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
request sends, BEGIN/COMMIT included; load-independent, unlike CPU). POLL_COST_ROOT=<tree>
runs another checkout's code (e.g. /work/main) under this same harness, for a before/after
in one session.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("POLL_COST_ROOT", Path(__file__).resolve().parent.parent)).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DEMO", "1")
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("REDIS_URL", os.environ.get("PEAK_REDIS_URL", "redis://127.0.0.1:6379/13"))

import django  # noqa: E402

N = int(os.environ.get("POLL_COST_N", "300"))


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

    recreate_database()
    django.setup()
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
    print(
        "| fragment | CPU per poll, unchanged (304) ms | changed, from the shared cache ms"
        " | changed, rendered ms |"
    )
    print("|---|---:|---:|---:|")
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
        cpu = time.process_time()
        for _ in range(N):
            client.get(url, headers={"if-none-match": etag})
        unchanged = (time.process_time() - cpu) / N * 1000
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

    # The actions of a visit, for the CPU budget of the busiest hour (docs/benchmarks.md).
    desk = Client()
    desk.force_login(officers[2])
    kiosk = Client()
    act = f"/desk/{office.code}/act/"
    costs: dict[str, list[float]] = {}
    statements: dict[str, list[int]] = {}
    from django.db import connection

    def timed(name: str, call: Callable[..., Any], expect: int) -> Any:
        sent = [0]

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            sent[0] += 1
            return execute(*args)

        with connection.execute_wrapper(count):
            cpu = time.process_time()
            response = call()
            costs.setdefault(name, []).append(1000 * (time.process_time() - cpu))
        statements.setdefault(name, []).append(sent[0])
        assert response.status_code == expect, (name, response.status_code)
        return response

    fragment = {"X-Desk-Fragment": "1"}
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
        visit = called["X-Visit-Id"]
        timed(
            "desk.js: start (answered with the parts)",
            lambda v=visit: desk.post(act, {"action": "start", "visit": v}, headers=fragment),
            200,
        )
        timed(
            "desk.js: finish (answered with the parts)",
            lambda v=visit: desk.post(
                act, {"action": "finish", "visit": v, "outcome": "resolved"}, headers=fragment
            ),
            200,
        )
    print()
    print("| action | CPU per request ms (median) | SQL statements (median) |")
    print("|---|---:|---:|")
    for name, values in costs.items():
        sent = statistics.median(statements[name][2:])
        print(f"| {name} | {statistics.median(values[2:]):.2f} | {sent:g} |")


if __name__ == "__main__":
    main()
