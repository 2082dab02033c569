"""The per-request floor: CPU and SQL statements of the cheapest requests of the national peak.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_floor \\
      PEAK_REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python benchmarks/request_floor.py

Before/after in one session: REQUEST_FLOOR_APP=<tree> measures another checkout's code (e.g.
/work/main) under this same harness; alternate the two in one shell loop (docs/benchmarks.md,
"Per-request floor").

Drops and recreates the database of DATABASE_URL and builds one office with the factories of
tests/factories.py (6 desks each with an officer signed in, a walk-in and a bookable service,
appointment hours around the clock, 12 visits waiting), and nine more offices around it
offering the bookable service (the rest of a search's list of ten). Production settings as in
peak_load.py (DEBUG off, DEMO off, the shared Redis cache and cached_db sessions, rate limits
raised, mail to the dummy backend). Django's test client, in-process (no HTTP, no gunicorn);
unlike poll_cost.py and citizen_cost.py, `setup_test_environment` is NOT called, so templates
render as in production (the test environment's instrumented render copies every template's
context for the test client).

REQUEST_FLOOR_PUSH=1: push on, as at the peak (publishes after each change).

REQUEST_FLOOR_N rounds (default 200) after REQUEST_FLOOR_WARM rounds (default 20) not
counted; each round makes, in this order:

- `favicon`: GET /favicon.ico, anonymous: the middleware stack and URL resolution alone;
- `favicon, signed in`: the same with an officer's session cookie (nothing reads the session);
- `search offices near a place`, `free times of an office`: a citizen searches near the
  office (`?lat=&lon=`: the office and the nine others of the world, each with its earliest
  free time) and opens the office's free times (as peak_locust.py's citizen);
- `contact form`, `booking confirmation`: a citizen opens the form of a free time, books it
  (the POST not counted) and follows the redirect to the confirmation;
- `kiosk: issue ticket`, `kiosk: ticket page`: a kiosk issues a ticket (the POST, answered
  303) and follows the 303;
- `desk: call next`, `desk: start`, `desk: finish` (the plain POSTs, answered 303) on one
  visit, and `desk.js: call next`, `start`, `finish` (the same with `X-Desk-Fragment: 1`,
  answered with the changed parts) on the next; the desk is free again after each finish;
  between that start and finish the officer's own visit as desk.js polls it
  (`/desk/…/current/`), with the tag the page holds (304) and rendered (a visit being served),
  then `desk.js: hold` and `desk.js: call a parked visit` (the same visit back; started again,
  not counted);
- `desk waiting list` with the tag the client holds (304), and without it with the shared
  fragments dropped first (outside the timing: a full render);
- `lobby board`, 304 and rendered, the same way; then the board as the push server asks for
  it after a change (`/push-fragments/board/…`, decision 0062), rendered; after the desk list,
  the six desks' lists as the push server asks for them (`/push-fragments/desk/…`), rendered;
- `live view` (the manager's figures, `desk:live_panel`), 304 and rendered, the same way (its
  tag names the minute too).

Reported per request kind: this process's CPU time (Django + driver + Redis client; the
database's and Redis's own CPU are not in it) median and mean in ms, SQL statements (every
`execute`, BEGIN/COMMIT included) median and max. REQUEST_FLOOR_PROFILE=<prefix> writes one
cProfile file per kind (CPU clock).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("REQUEST_FLOOR_APP") or Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
import peak_load  # noqa: E402  (its SERVER_ENV: production settings, limits raised)
from bench_harness import machine_summary  # noqa: E402

sys.path.insert(0, str(ROOT))  # before peak_load's own checkout: the code measured

# "1": push on as at the peak (PUSH_URL set; nothing listens): every change publishes to the
# office's Redis channel after commit (decision 0026), and the desk's parts carry their
# stream's address
if os.environ.get("REQUEST_FLOOR_PUSH", "") == "1":
    os.environ["PUSH_URL"] = "http://127.0.0.1:9/push/"
N = int(os.environ.get("REQUEST_FLOOR_N", "200"))
WARM = int(os.environ.get("REQUEST_FLOOR_WARM", "20"))
PROFILE = os.environ.get("REQUEST_FLOOR_PROFILE", "")
# "1": call setup_test_environment as poll_cost.py and citizen_cost.py do, to see what its
# instrumented template rendering adds to their figures
TEST_ENV = os.environ.get("REQUEST_FLOOR_TEST_ENV", "") == "1"
# > 0: also this many requests of each probe over HTTP through gunicorn (`over_http`)
HTTP = int(os.environ.get("REQUEST_FLOOR_HTTP", "0"))
CONTACT_LINK = re.compile(r'href="(/book/service/\d+/[\w-]+/\d+/)"')
KINDS = (
    "favicon (middleware only)",
    "favicon, signed in",
    "citizen: search offices near a place",
    "citizen: free times of an office",
    "citizen: contact form",
    "citizen: booking confirmation",
    "kiosk: issue ticket",
    "kiosk: ticket page",
    "desk: call next (303)",
    "desk: start (303)",
    "desk: finish (303)",
    "desk.js: call next (parts)",
    "desk.js: start (parts)",
    "desk.js: finish (parts)",
    "desk: own visit, 304",
    "desk: own visit, rendered (serving)",
    "desk.js: hold (parts)",
    "desk.js: call a parked visit (parts)",
    "desk waiting list, 304",
    "desk waiting list, rendered",
    "lobby board, 304",
    "lobby board, rendered",
    "push server: the board (rendered)",
    "push server: the desks' lists (rendered)",
    "live view, 304",
    "live view, rendered",
)


class Meter:
    """CPU ms and SQL statements of each request, by kind (recorded only when `recording`)."""

    def __init__(self) -> None:
        self.cpu: dict[str, list[float]] = {k: [] for k in KINDS}
        self.statements: dict[str, list[int]] = {k: [] for k in KINDS}
        self.recording = False
        self.profilers: dict[str, Any] = {}

    def __call__(
        self, kind: str, expect: int, call: Callable[[], Any], *, retry_on: int = 0
    ) -> Any:
        """`call()`, timed and counted under `kind`; its status must be `expect`, or
        `retry_on` (then nothing is recorded and the answer is returned to the caller)."""
        from django.db import connection

        sent = [0]

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            sent[0] += 1
            return execute(*args)

        profiler = None
        if PROFILE and self.recording:
            import cProfile

            profiler = self.profilers.setdefault(kind, cProfile.Profile(time.process_time))
        with connection.execute_wrapper(count):
            if profiler is not None:
                profiler.enable()
            cpu = time.process_time()
            response = call()
            spent = time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
        if retry_on and response.status_code == retry_on:
            return response
        assert response.status_code == expect, (
            kind,
            response.status_code,
            response.content[-2000:],
        )
        if self.recording:
            self.cpu[kind].append(1000 * spent)
            self.statements[kind].append(sent[0])
        return response


def forget_fragments() -> None:
    """Drop the shared fragments (decision 0027) from the cache, and nothing else."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match="*fragment:*"))
    if keys:
        client.delete(*keys)


def build() -> dict[str, Any]:
    """The office, its services and officers, and 12 visits waiting."""
    from django.core.management import call_command

    from servicekontor.appointments.models import AppointmentAllocation
    from servicekontor.queueing import services
    from tests.factories import (
        make_agency,
        make_offering,
        make_office,
        make_service,
        make_user,
        open_around_the_clock,
    )

    call_command("migrate", verbosity=0)
    office = make_office(code="floor", counters=6)
    open_around_the_clock(office)
    agency = make_agency(code="floor-s", name_sv="Skatteverket")
    walk_in = make_service(agency=agency, handling_minutes=12)
    bookable = make_service(agency=agency, mode="both", handling_minutes=10)
    make_offering(office=office, service=walk_in)
    make_offering(office=office, service=bookable)
    AppointmentAllocation.objects.bulk_create(
        AppointmentAllocation(office=office, weekday=w, hour=h, counters=6)
        for w in range(7)
        for h in range(24)
    )
    officers = []
    for point in office.service_points.order_by("number"):
        officer = make_user(offices=[office], agencies=[agency])
        services.sign_in_at_desk(officer=officer, service_point=point)
        officers.append(officer)
    for _ in range(12):
        services.issue_ticket(office=office, service=walk_in)
    manager = make_user(role="office_manager", offices=[office])
    # The rest of a search's ten offices: around the office, the bookable service offered.
    for n in range(1, 10):
        near = make_office(
            code=f"floor-{n}",
            counters=2,
            latitude=office.latitude + 0.05 * n,
            longitude=office.longitude - 0.04 * n,
        )
        open_around_the_clock(near)
        make_offering(office=near, service=bookable)
        AppointmentAllocation.objects.bulk_create(
            AppointmentAllocation(office=near, weekday=w, hour=h, counters=2)
            for w in range(7)
            for h in range(24)
        )
    return {
        "office": office,
        "agency": agency,
        "walk_in": walk_in,
        "bookable": bookable,
        "officers": officers,
        "manager": manager,
    }


def main() -> None:
    peak_load.recreate_database()
    django.setup()
    if TEST_ENV:
        from django.test.utils import setup_test_environment

        setup_test_environment()
    from django.core.cache import cache
    from django.test import Client

    from servicekontor.queueing import push

    cache.clear()
    world = build()
    import servicekontor

    print(f"measuring the code at {Path(servicekontor.__file__).parent.parent}")
    print(machine_summary())
    office, agency = world["office"], world["agency"]
    walk_in, bookable = world["walk_in"], world["bookable"]
    meter = Meter()
    desk = Client()
    desk.force_login(world["officers"][1])
    poller = Client()
    poller.force_login(world["officers"][2])
    manager = Client()
    manager.force_login(world["manager"])
    act = f"/desk/{office.code}/act/"
    panel = f"/desk/{office.code}/panel/"
    board = f"/display/{office.code}/board/"
    live = f"/desk/{office.code}/live/panel/"
    own = f"/desk/{office.code}/current/"
    officers = ",".join(str(o.pk) for o in world["officers"])
    fragment = {"X-Desk-Fragment": "1"}
    times = f"/book/service/{bookable.pk}/{office.code}/"
    search = f"/book/service/{bookable.pk}/"
    contacts: list[str] = []

    def serve(visit: str, *, prefix: str, variant: str, expect: int, headers: Any) -> None:
        """Start and finish the called `visit`, each timed as `<prefix>: <action> (<variant>)`."""
        for action in ("start", "finish"):
            data = {"action": action, "visit": visit, "outcome": "resolved"}
            meter(
                f"{prefix}: {action} ({variant})",
                expect,
                partial(desk.post, act, data, headers=headers),
            )
            # The desk page the browser follows to would show (and drop) the actions'
            # messages; unread, they pile up in the messages cookie and each action
            # re-encodes them all.
            desk.cookies.pop("messages", None)

    # One client per role, its cookies dropped for each new citizen or kiosk: a new Client
    # builds a new handler, which loads the middleware on its first request (not a cost a
    # running server pays).
    anonymous, citizen, kiosk, display = Client(), Client(), Client(), Client()

    def issue(kind: str = "") -> Any:
        kiosk.cookies.clear()
        post = partial(kiosk.post, f"/queue/{office.code}/{agency.code}/", {"service": walk_in.pk})
        issued = meter(kind, 303, post) if kind else post()
        assert issued.status_code == 303, issued.status_code
        return kiosk, issued["Location"]

    for round_ in range(WARM + N):
        meter.recording = round_ >= WARM
        anonymous.cookies.clear()
        meter("favicon (middleware only)", 200, lambda: anonymous.get("/favicon.ico"))
        meter("favicon, signed in", 200, lambda: desk.get("/favicon.ico"))

        citizen.cookies.clear()
        if not contacts:  # the free times listed from now on (not counted)
            for day in (_day(0), _day(1), _day(2)):
                listed = citizen.get(times, {"day": day})
                assert listed.status_code == 200, listed.status_code
                contacts = CONTACT_LINK.findall(listed.content.decode())
                if contacts:
                    break
            assert contacts, "no free time listed"
        meter(
            "citizen: search offices near a place",
            200,
            partial(citizen.get, search, {"lat": office.latitude, "lon": office.longitude}),
        )
        meter("citizen: free times of an office", 200, partial(citizen.get, times))
        path = contacts.pop(0)
        meter("citizen: contact form", 200, partial(citizen.get, path))
        made = citizen.post(path, {"name": "Floor", "email": f"floor{round_}@example.org"})
        assert made.status_code == 302, (made.status_code, made.content[-2000:])
        meter("citizen: booking confirmation", 200, partial(citizen.get, made["Location"]))

        kiosk, ticket = issue("kiosk: issue ticket")
        meter("kiosk: ticket page", 200, partial(kiosk.get, ticket))

        issue()
        called = meter(
            "desk: call next (303)", 303, lambda: desk.post(act, {"action": "call_next"})
        )
        desk.cookies.pop("messages", None)
        serve(called["X-Visit-Id"], prefix="desk", variant="303", expect=303, headers={})
        issue()
        called = meter(
            "desk.js: call next (parts)",
            200,
            lambda: desk.post(act, {"action": "call_next"}, headers=fragment),
        )
        visit = called["X-Visit-Id"]
        meter(
            "desk.js: start (parts)",
            200,
            partial(desk.post, act, {"action": "start", "visit": visit}, headers=fragment),
        )
        # the officer's own visit as desk.js polls it (once a minute with push, and a second
        # tab): with the tag the page holds (304), and without it, rendered (a visit being
        # served: the panel's largest form, as for 90 % of a visit's time)
        answer = desk.get(own)
        while answer.status_code != 304:
            answer = meter(
                "desk: own visit, 304",
                304,
                partial(desk.get, own, headers={"if-none-match": answer["ETag"]}),
                retry_on=200,
            )
        forget_fragments()
        meter("desk: own visit, rendered (serving)", 200, partial(desk.get, own))
        # put on hold and called back from the parked visits, then served again
        for action, kind in (("hold", "hold"), ("call", "call a parked visit")):
            meter(
                f"desk.js: {kind} (parts)",
                200,
                partial(desk.post, act, {"action": action, "visit": visit}, headers=fragment),
            )
        desk.post(act, {"action": "start", "visit": visit}, headers=fragment)
        meter(
            "desk.js: finish (parts)",
            200,
            partial(
                desk.post,
                act,
                {"action": "finish", "visit": visit, "outcome": "resolved"},
                headers=fragment,
            ),
        )

        display.cookies.clear()
        for name, url, client in (
            ("desk waiting list", panel, poller),
            ("lobby board", board, display),
            ("live view", live, manager),
        ):
            # The desk list's and the live view's tags name the minute: an answer that crossed one is a render
            # (200), not counted; ask again with the new tag.
            answer = client.get(url)
            while answer.status_code != 304:
                tag = answer["ETag"]
                answer = meter(
                    f"{name}, 304",
                    304,
                    partial(client.get, url, headers={"if-none-match": tag}),
                    retry_on=200,
                )
            forget_fragments()
            meter(f"{name}, rendered", 200, partial(client.get, url))
            if name == "lobby board":
                # what the push server asks after each change of the board (decision 0062)
                forget_fragments()
                meter(
                    "push server: the board (rendered)",
                    200,
                    partial(
                        display.get,
                        f"/push-fragments/board/{office.pk}/",
                        {"lang": "sv"},
                        headers={"X-Push-Fetch": push.fetch_key()},
                    ),
                )
            if name == "desk waiting list":
                # what the push server asks after each change of the office's queue: the
                # lists of the office's six desks (decision 0062), rendered
                forget_fragments()
                meter(
                    "push server: the desks' lists (rendered)",
                    200,
                    partial(
                        display.get,
                        f"/push-fragments/desk/{office.pk}/",
                        {"lang": "sv", "officers": officers},
                        headers={"X-Push-Fetch": push.fetch_key()},
                    ),
                )

    print()
    print("| request | requests | CPU ms median | CPU ms mean | SQL statements median (max) |")
    print("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        cpu, sql = meter.cpu[kind], meter.statements[kind]
        if not cpu:
            print(f"| {kind} | 0 | | | |")
            continue
        print(
            f"| {kind} | {len(cpu)} | {statistics.median(cpu):.2f} | {statistics.mean(cpu):.2f}"
            f" | {statistics.median(sql):g} ({max(sql)}) |"
        )
    for kind, profiler in meter.profilers.items():
        slug = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")
        profiler.dump_stats(f"{PROFILE}{slug}.prof")
    if HTTP:
        over_http(
            office_code=office.code,
            session=poller.cookies["sessionid"].value,
        )


def over_http(*, office_code: str, session: str) -> None:
    """The same floor through gunicorn (1 sync worker, as peak_load.py starts it, on this
    checkout): HTTP parsing, WSGI, the request signals (closing old connections, the
    connection health check's round trip) that the test client skips. HTTP requests of each
    kind one after another on a fresh connection each (a sync worker closes it); the worker's
    CPU from /proc (10 ms ticks: hence many requests) divided by the requests."""
    import http.client
    import subprocess

    from bench_harness import children_of, cpu_seconds, cpu_used, free_port

    port = free_port()
    server = subprocess.Popen(
        peak_load.server_command(workers=1, port=port), env=os.environ | peak_load.SERVER_ENV
    )
    try:
        deadline = time.perf_counter() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                if time.perf_counter() > deadline:
                    raise
                time.sleep(0.2)
        workers = children_of(server.pid)

        def get(path: str, headers: dict[str, str]) -> Any:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            answer.read()
            connection.close()
            return answer

        cookie = {"Cookie": f"sessionid={session}"}
        probes: tuple[tuple[str, str, dict[str, str], int], ...] = (
            ("favicon (middleware only)", "/favicon.ico", {}, 200),
            ("desk waiting list, 304", f"/desk/{office_code}/panel/", cookie, 304),
            ("lobby board, 304", f"/display/{office_code}/board/", {}, 304),
        )
        print()
        print(f"Over HTTP, gunicorn 1 sync worker, {HTTP} requests each:")
        print("| request | worker CPU ms per request | other answers (re-tagged) |")
        print("|---|---:|---:|")
        for name, path, headers, expect in probes:
            for _ in range(50):  # warm
                tag = get(path, headers).getheader("ETag")
            retagged = 0
            before = cpu_seconds(workers)
            for _ in range(HTTP):
                sent = headers | ({"If-None-Match": tag} if tag else {})
                answer = get(path, sent)
                if answer.status != expect:
                    retagged += 1
                    tag = answer.getheader("ETag")
            spent = cpu_used(before, cpu_seconds(workers))
            print(f"| {name} | {1000 * spent / HTTP:.2f} | {retagged} |")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _day(ahead: int) -> str:
    """The local date `ahead` days from today, ISO."""
    import datetime as dt

    from servicekontor.core import clock

    return (clock.local_today() + dt.timedelta(days=ahead)).isoformat()


if __name__ == "__main__":
    main()
