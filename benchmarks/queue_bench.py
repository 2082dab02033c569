"""A full office day through HTTP on PostgreSQL, beside the same transactions as bare SQL.

    .venv/bin/python benchmarks/queue_bench.py [--desks 50] [--cycles 20] [--workers 8] [--threads 8]
        [--think 1] [--paced-runs 3] [--client-procs 5]

What it does:
1. Creates (drops and recreates) the PostgreSQL database QUEUE_BENCH_DATABASE_URL
   (default postgres://postgres@127.0.0.1:5432/sk_queue_bench), migrates it, and builds one
   office with N desks, N signed-in officers and three agencies.
2. Starts gunicorn (gthread, several worker processes) on 127.0.0.1 with that database.
3. N desk threads (spread over several client processes) each run `cycles` rounds of the
   office day as fast as they can, through HTTP with session cookies and CSRF like a browser:
   kiosk issues a ticket (POST), the desk calls next, starts, finishes with an outcome (POST
   each). Then the same desks at a pace (think time between requests), repeated.
4. The same four transactions as bare SQL (psycopg, one connection per thread, the same N
   threads): the floor a Django view cannot beat.
5. Lobby displays: D displays poll the board once a second (ETag/304) during a shorter day,
   then the same day with D server-sent-event streams (a 25-line SSE endpoint wired in
   beside the app for this measurement only); we compare how quickly a call reaches the
   display and what each costs the desks.

Figures go to stdout and to docs/benchmarks.md between the queue_bench markers.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get(
    "QUEUE_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sk_queue_bench"
)
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DEMO", "1")
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402
import psycopg  # noqa: E402
from bench_harness import (  # noqa: E402
    Client,
    Samples,
    children_of,
    cpu_seconds,
    cpu_used,
    free_port,
    pause,
    run_desks,
    run_threads,
    wait_for_port,
    write_docs_section,
)
from queue_bench_floor import DayResult, World, sql_day  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
MARK_START = "<!-- queue_bench:start -->"
MARK_END = "<!-- queue_bench:end -->"


# --- database and fixtures -------------------------------------------------------------------


def recreate_database() -> None:
    parsed = urllib.parse.urlparse(BENCH_DB)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build_world(*, desks: int, code: str) -> World:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from servicekontor.queueing import services
    from tests.factories import (
        make_agency,
        make_offering,
        make_office,
        make_service,
        make_user,
        open_around_the_clock,
    )

    office = make_office(code=code, counters=desks)
    open_around_the_clock(office)  # tickets are issued only while the office is open
    agencies = [
        make_agency(code=f"{code}-s", name_sv="Skatteverket"),
        make_agency(code=f"{code}-f", name_sv="Försäkringskassan"),
        make_agency(code=f"{code}-p", name_sv="Pensionsmyndigheten"),
    ]
    service_list = [make_service(agency=a, handling_minutes=12) for a in agencies]
    for service in service_list:
        make_offering(office=office, service=service)
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    cookies, officer_ids = [], []
    for point in office.service_points.order_by("number"):
        officer = make_user(offices=[office], agencies=agencies)
        services.sign_in_at_desk(officer=officer, service_point=point)
        session = SessionStore()
        session[SESSION_KEY] = str(officer.pk)
        session[BACKEND_SESSION_KEY] = "servicekontor.accounts.backends.UserBackend"
        session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
        session.save()
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}"
        )
        officer_ids.append(officer.pk)
    return World(
        office_code=office.code,
        office_id=office.pk,
        agency_codes=[a.code for a in agencies],
        service_ids=[s.pk for s in service_list],
        desk_cookies=cookies,
        officer_ids=officer_ids,
        csrf=csrf,
    )


# --- where the CPU goes ----------------------------------------------------------------------


def database_backends() -> list[int]:
    """Server processes of the bench database's open connections (the workers' own)."""
    parsed = urllib.parse.urlparse(BENCH_DB)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (parsed.path.lstrip("/"),)
        ).fetchall()
    return [int(r[0]) for r in rows]


@dataclass
class ServerCpu:
    django_ms: float  # gunicorn workers' CPU per request
    postgres_ms: float  # their database backends' CPU per request


def measure_server_cpu(
    server: subprocess.Popen[bytes], run: Callable[[], DayResult]
) -> tuple[DayResult, ServerCpu]:
    """Run an HTTP day and charge the CPU the server and its database connections used to it.

    The workers keep their connections (persistent); one reopened during the day counts from
    its start, one closed during the day is missed (an underestimate, small).
    """
    workers = cpu_seconds(children_of(server.pid))
    backends = cpu_seconds(database_backends())
    day = run()
    django = cpu_used(workers, cpu_seconds(children_of(server.pid)))
    postgres = cpu_used(backends, cpu_seconds(database_backends()))
    requests = len(day.issue.values) + len(day.call.values) + len(day.other.values)
    return day, ServerCpu(1000 * django / requests, 1000 * postgres / requests)


# --- the HTTP server -------------------------------------------------------------------------


def start_server(
    *, workers: int, threads: int, port: int, worker_class: str = "sync"
) -> subprocess.Popen[bytes]:
    # The production database settings (persistent connections with health checks).
    env = os.environ | {"PYTHONPATH": str(ROOT / "benchmarks")}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "queue_bench_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--preload",  # import the app once, before forking: no first-request import cost
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ],
        env=env,
    )
    wait_for_port(process, port, "gunicorn", seconds=30)
    return process


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:  # open SSE streams keep a graceful stop waiting
        server.kill()
        server.wait()


# --- the office day through HTTP -------------------------------------------------------------


def warm_up(world: World, *, port: int, rounds: int) -> None:
    """Load every worker's code paths and open its database connections before measuring."""

    def visit_pages(i: int) -> None:
        client = Client(port, world.desk_cookies[i], world.csrf)
        for _ in range(rounds):
            client.request("GET", f"/desk/{world.office_code}/")
            client.request("GET", f"/queue/{world.office_code}/{world.agency_codes[i % 3]}/")
            client.request("GET", f"/display/{world.office_code}/board/")

    run_threads(len(world.desk_cookies), visit_pages)


def http_day(
    world: World,
    *,
    port: int,
    cycles: int,
    procs: int,
    desks: int | None = None,
    think: float = 0.0,
) -> DayResult:
    issue, call, other = Samples(), Samples(), Samples()
    empty = [0]
    n = desks or len(world.desk_cookies)
    act = f"/desk/{world.office_code}/act/"

    def desk(i: int) -> None:
        client = Client(port, world.desk_cookies[i], world.csrf)
        kiosk = f"/queue/{world.office_code}/{world.agency_codes[i % 3]}/"
        for _ in range(cycles):
            pause(think)
            t0 = time.perf_counter()
            status, _r, _b = client.request("POST", kiosk, {"service": world.service_ids[i % 3]})
            issue.add(time.perf_counter() - t0)
            assert status == 303, f"issue: HTTP {status}"
            pause(think)
            t0 = time.perf_counter()
            status, response, _b = client.request("POST", act, {"action": "call_next"})
            call.add(time.perf_counter() - t0)
            if response.getheader("X-Refused") == "409":  # redirected with the refusal
                empty[0] += 1
                continue
            assert status == 303, f"call next: HTTP {status}"
            visit = response.getheader("X-Visit-Id")
            for fields in (
                {"action": "start", "visit": visit},
                {"action": "finish", "visit": visit, "outcome": "resolved"},
            ):
                pause(think)
                t0 = time.perf_counter()
                status, _r, _b = client.request("POST", act, fields)
                other.add(time.perf_counter() - t0)
                assert status == 303, f"{fields['action']}: HTTP {status}"

    wall, cpu = run_desks(n, desk, procs=procs, samples=(issue, call, other), counters=empty)
    return DayResult(issue, call, other, wall, len(call.values) - empty[0], empty[0], cpu)


# --- lobby displays: polling versus server-sent events ---------------------------------------


@dataclass
class DisplayResult:
    mode: str
    delays: Samples  # call committed -> display has the new board
    requests: int
    day: DayResult


def display_day(
    world: World, *, port: int, displays: int, desks: int, cycles: int, mode: str
) -> DisplayResult:
    """Desks work while `displays` screens follow the board; measure how late calls arrive.

    The desks write the time of each call into `called`; a display that receives a new board
    version looks up the newest call and records the delay. Poll: GET board every second
    with If-None-Match. SSE: one long response per display that pushes on change.
    """
    stop = threading.Event()
    delays = Samples()
    requests = [0]
    last_call = [0.0]
    seen_version: dict[int, str] = {}

    observed: dict[int, float] = {}

    def on_new_board(i: int, version: str) -> None:
        # The first change a display sees after the latest call: the call's delay to it.
        called = last_call[0]
        if seen_version.get(i) not in (None, version) and called and observed.get(i) != called:
            delays.add(max(0.0, time.perf_counter() - called))
            observed[i] = called
        seen_version[i] = version

    def poller(i: int) -> None:
        client = Client(port, "", "")
        etag = ""
        path = f"/display/{world.office_code}/board/"
        while not stop.is_set():
            status, response, _b = client.request("GET", path, headers={"If-None-Match": etag})
            requests[0] += 1
            if status == 200:
                etag = response.getheader("ETag") or ""
                on_new_board(i, etag)
            stop.wait(1.0)

    def streamer(i: int) -> None:
        while not stop.is_set():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", f"/bench-sse/{world.office_id}/")
            response = conn.getresponse()
            requests[0] += 1
            while not stop.is_set():
                line = response.fp.readline()
                if not line:
                    break
                if line.startswith(b"data: "):
                    on_new_board(i, line[6:].strip().decode())
            conn.close()

    follower = poller if mode == "poll" else streamer
    followers = [threading.Thread(target=follower, args=(i,), daemon=True) for i in range(displays)]
    for t in followers:
        t.start()
    time.sleep(2)

    day = http_day_with(world, port=port, cycles=cycles, desks=desks, last_call=last_call)
    time.sleep(2)
    stop.set()
    return DisplayResult(mode, delays, requests[0], day)


def http_day_with(
    world: World, *, port: int, cycles: int, desks: int, last_call: list[float]
) -> DayResult:
    """The office day at a calmer pace, remembering when the latest call was answered."""
    issue, call, other = Samples(), Samples(), Samples()
    act = f"/desk/{world.office_code}/act/"

    def desk(i: int) -> None:
        client = Client(port, world.desk_cookies[i], world.csrf)
        kiosk = f"/queue/{world.office_code}/{world.agency_codes[i % 3]}/"
        for _ in range(cycles):
            client.request("POST", kiosk, {"service": world.service_ids[i % 3]})
            t0 = time.perf_counter()
            status, response, _b = client.request("POST", act, {"action": "call_next"})
            call.add(time.perf_counter() - t0)
            if status != 303:
                continue
            last_call[0] = time.perf_counter()
            visit = response.getheader("X-Visit-Id")
            time.sleep(0.5)
            client.request("POST", act, {"action": "start", "visit": visit})
            client.request("POST", act, {"action": "finish", "visit": visit, "outcome": "resolved"})
            time.sleep(1.0)

    wall = run_threads(desks, desk)
    return DayResult(issue, call, other, wall, len(call.values), 0)


# --- report ----------------------------------------------------------------------------------


def fmt(ms: float) -> str:
    return f"{ms:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--desks", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=20, help="visits per desk")
    parser.add_argument("--workers", type=int, default=8, help="gunicorn sync workers")
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per gthread worker (display phase)"
    )
    parser.add_argument("--displays", type=int, default=20)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between a paced desk's requests"
    )
    parser.add_argument(
        "--paced-runs", type=int, default=3, help="repeat the paced day; report median, spread"
    )
    parser.add_argument(
        "--client-procs", type=int, default=5, help="client processes the desk threads run in"
    )
    parser.add_argument("--no-displays", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    args = parser.parse_args()

    recreate_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    http_world = build_world(desks=args.desks, code="bench-http")
    sql_world = build_world(desks=args.desks, code="bench-sql")
    paced_http_world = build_world(desks=args.desks, code="bench-paced-http")
    paced_sql_world = build_world(desks=args.desks, code="bench-paced-sql")
    from django.db import connections

    connections.close_all()

    # The office day on sync workers: gunicorn's gthread worker stalls new and re-used
    # keep-alive connections for up to a second or two (measured while writing this), which
    # would only measure gunicorn. Sync workers: one request per process, no stalls.
    displays: list[DisplayResult] = []
    port = free_port()
    server = start_server(workers=args.workers, threads=1, port=port, worker_class="sync")
    try:
        warm_up(http_world, port=port, rounds=3)
        load_before = os.getloadavg()[0]
        procs = args.client_procs
        web, server_cpu = measure_server_cpu(
            server, lambda: http_day(http_world, port=port, cycles=args.cycles, procs=procs)
        )
        floor = sql_day(sql_world, dsn=BENCH_DB, cycles=args.cycles, procs=procs)
        paced_cycles = max(3, args.cycles // 4)
        paced: list[tuple[DayResult, DayResult]] = []
        for _run in range(args.paced_runs):  # HTTP and floor alternate: they share the noise
            paced.append(
                (
                    http_day(
                        paced_http_world,
                        port=port,
                        cycles=paced_cycles,
                        procs=procs,
                        think=args.think,
                    ),
                    sql_day(
                        paced_sql_world,
                        dsn=BENCH_DB,
                        cycles=paced_cycles,
                        procs=procs,
                        think=args.think,
                    ),
                )
            )
        load_after = os.getloadavg()[0]
        if not args.no_displays:
            displays.append(measure_displays(args, port=port, mode="poll"))
    finally:
        stop_server(server)

    # SSE needs a thread per open stream: threaded workers, as it would be deployed.
    if not args.no_displays:
        port = free_port()
        server = start_server(
            workers=args.workers // 2 or 1,
            threads=args.threads,
            port=port,
            worker_class="gthread",
        )
        try:
            displays.append(measure_displays(args, port=port, mode="sse"))
        finally:
            stop_server(server)

    lines = report(args, web, floor, displays, paced=paced, server_cpu=server_cpu)
    lines.insert(
        6,
        f"Load average of the machine (shared with other work) before/after: "
        f"{load_before:.1f} / {load_after:.1f}.\n",
    )
    print("\n".join(lines))
    if not args.no_write:
        write_docs_section(DOCS, "\n".join(lines), MARK_START, MARK_END)


def measure_displays(args: argparse.Namespace, *, port: int, mode: str) -> DisplayResult:
    from django.db import connections

    world = build_world(desks=10, code=f"bench-{mode}")
    connections.close_all()
    warm_up(world, port=port, rounds=2)
    return display_day(world, port=port, displays=args.displays, desks=10, cycles=8, mode=mode)


def spread(values: list[float]) -> str:
    """Median and range of one figure over the repeated runs."""
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def report(
    args: argparse.Namespace,
    web: DayResult,
    floor: DayResult,
    displays: list[DisplayResult],
    *,
    paced: list[tuple[DayResult, DayResult]],
    server_cpu: ServerCpu,
) -> list[str]:
    cpu = os.cpu_count()
    command = (
        "Command: `flock /tmp/bench.lock .venv/bin/python benchmarks/queue_bench.py "
        f"--desks {args.desks} --cycles {args.cycles} --workers {args.workers} "
        f"--displays {args.displays} --think {args.think:g} --paced-runs {args.paced_runs} "
        f"--client-procs {args.client_procs}`"
    )
    requests_per_s = 4 * web.visits / web.wall
    all_web = web.issue.values + web.call.values + web.other.values
    lines = [
        "## Queue: a full office day through HTTP (`benchmarks/queue_bench.py`)",
        "",
        command,
        "",
        f"Machine: {cpu} CPUs, {platform.python_implementation()} {platform.python_version()}, "
        "PostgreSQL on the same machine, and the client too: the desks are threads spread "
        f"over {args.client_procs} client processes (one process would make them queue for "
        f"its GIL). gunicorn, {args.workers} sync worker processes, production database "
        "settings (persistent connections with health checks); for the SSE displays "
        f"{args.workers // 2 or 1} gthread processes x {args.threads} threads.",
        "",
        f"{args.desks} desks, each running {args.cycles} rounds of issue -> call next -> "
        "start -> finish as fast as it can (closed loop: latency includes queueing for the "
        "server and the database).",
        "",
        "| | HTTP (Django + gunicorn) | bare SQL (the floor) | ratio |",
        "|---|---:|---:|---:|",
        f"| visits served | {web.visits} | {floor.visits} | |",
        f"| wall time (s) | {web.wall:.1f} | {floor.wall:.1f} | |",
        f"| throughput (visits/s) | {web.visits / web.wall:.1f} | "
        f"{floor.visits / floor.wall:.1f} | {floor.visits / floor.wall / (web.visits / web.wall):.1f}x |",
        f"| requests/s (4 per visit) | {requests_per_s:.0f} | "
        f"{4 * floor.visits / floor.wall:.0f} | |",
    ]
    for name, a, b in (
        ("call next", web.call, floor.call),
        ("issue ticket", web.issue, floor.issue),
        ("start/finish", web.other, floor.other),
    ):
        lines.append(f"| {name} p50 (ms) | {fmt(a.p50)} | {fmt(b.p50)} | {a.p50 / b.p50:.1f}x |")
        lines.append(f"| {name} p99 (ms) | {fmt(a.p99)} | {fmt(b.p99)} | {a.p99 / b.p99:.1f}x |")
    lines.append(f"| call next on an empty queue (409) | {web.empty} | {floor.empty} | |")
    lines.append(
        f"| client CPU per request (ms) | {web.client_cpu:.2f} | {floor.client_cpu:.2f} | |"
    )
    lines.append(
        f"| server CPU per request: Django + gunicorn (ms) | {server_cpu.django_ms:.2f} | | |"
    )
    lines.append(f"| server CPU per request: PostgreSQL (ms) | {server_cpu.postgres_ms:.2f} | | |")
    target_ok = web.call.p99 < 50 and web.call.p99 <= 3 * floor.call.p99
    cpu_per_request = web.client_cpu + server_cpu.django_ms + server_cpu.postgres_ms
    lines += [
        "",
        f"Target (call-next p99 < 50 ms and within 3x of the floor): "
        f"{'met' if target_ok else 'NOT met'} — p99 {fmt(web.call.p99)} ms, "
        f"floor {fmt(floor.call.p99)} ms.",
        "",
        f"Little's law: with {args.desks} desks each always waiting for one request, the mean "
        f"latency is {args.desks} / throughput = {1000 * args.desks / requests_per_s:.0f} ms "
        f"(measured mean {fmt(statistics.fmean(all_web))} ms). A closed-loop p99 under 50 ms "
        f"would need more than {args.desks / 0.05:.0f} requests/s through Django on these "
        "two shared cores; the closed loop measures the server's capacity, not a desk's wait.",
        f"Measured CPU per request, client + Django + PostgreSQL: {cpu_per_request:.1f} ms, so "
        f"two whole cores would serve at most {2000 / cpu_per_request:.0f} requests/s "
        f"({2000 / (server_cpu.django_ms + server_cpu.postgres_ms):.0f} with the client "
        "elsewhere); the machine is shared, so less was available.",
    ]
    runs = len(paced)
    lines += [
        "",
        f"### The same {args.desks} desks at a pace ({args.think:g} s think time between "
        f"requests, about 100x a real desk's rate), {runs} runs",
        "",
        "Median over the runs, with the range in brackets; HTTP and bare-SQL runs alternate.",
        "",
        "| | HTTP | bare SQL | ratio of medians |",
        "|---|---:|---:|---:|",
    ]
    ratios: dict[str, float] = {}
    for name, pick in (
        ("call next", lambda d: d.call),
        ("issue ticket", lambda d: d.issue),
    ):
        for q in ("p50", "p99"):
            h = [getattr(pick(w), q) for w, _f in paced]
            f = [getattr(pick(fl), q) for _w, fl in paced]
            ratio = statistics.median(h) / statistics.median(f)
            ratios[f"{name} {q}"] = ratio
            lines.append(f"| {name} {q} (ms) | {spread(h)} | {spread(f)} | {ratio:.1f}x |")
    http_p99 = [w.call.p99 for w, _f in paced]
    floor_p99 = [fl.call.p99 for _w, fl in paced]
    median_p99 = statistics.median(http_p99)
    paced_ok = median_p99 < 50 and ratios["call next p99"] <= 3
    per_run = ", ".join(
        f"{fmt(h)} / {fmt(f)} ({h / f:.1f}x)" for h, f in zip(http_p99, floor_p99, strict=True)
    )
    lines += [
        "",
        f"Paced: call-next p99 {fmt(median_p99)} ms (median of {runs} runs) against a floor of "
        f"{fmt(statistics.median(floor_p99))} ms: target {'met' if paced_ok else 'NOT met'}. "
        f"Each run, HTTP / floor: {per_run}.",
    ]
    if displays:
        lines += [
            "",
            f"### Lobby display: polling versus server-sent events ({args.displays} displays, "
            "10 desks at a realistic pace)",
            "",
            "| | delay call -> display p50 (ms) | p99 (ms) | display requests | "
            "desk call-next p50 (ms) | p99 (ms) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for d in displays:
            label = (
                "polling 1 s, ETag/304 (sync workers)"
                if d.mode == "poll"
                else "SSE stream (gthread workers)"
            )
            lines.append(
                f"| {label} | {fmt(d.delays.p50)} | {fmt(d.delays.p99)} | {d.requests} | "
                f"{fmt(d.day.call.p50)} | {fmt(d.day.call.p99)} |"
            )
    return lines


if __name__ == "__main__":
    main()
