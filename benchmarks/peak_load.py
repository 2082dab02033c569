"""The whole network's busiest hour on gunicorn + PostgreSQL on this machine (locust).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_peak \\
      .venv/bin/python benchmarks/peak_load.py [--multiple 3] [--seconds 120] [--kill]
      [--search 1,2,3,5,7,10] [--search-seconds 60] [--workers 8] [--no-write]
      [--baseline 1,3] [--handovers 0.3] [--screen-workers 4] [--tasks worker|immediate]

1. Drops and recreates the database of DATABASE_URL (it must not be one you need), migrates
   it and loads the real registry (`load_reference_data`). Every office open today at
   BUSIEST_HOUR (11:00 Stockholm time) with walk-in services today is made open around the
   clock (so the run works at any hour) and gets one signed-in officer per active counter, one manager with the
   live view open, and lobby displays (assumption: 2 per office). A few waiting visits per
   desk are topped up before each run so desks rarely find the queue empty.
2. Starts gunicorn (sync workers, `--preload`) on 127.0.0.1 with production settings
   (DEBUG off, persistent connections with health checks, sessions and cache on the shared
   Redis at PEAK_REDIS_URL; mail to a dummy backend; HTTPS redirect off because no TLS
   terminator sits in front on 127.0.0.1; per-address rate limits raised, because every
   simulated citizen comes from 127.0.0.1 here).
3. Runs benchmarks/peak_locust.py for --seconds at --multiple × the busiest hour (arithmetic
   in `peak_rates`), optionally killing the app's database connections twice
   (`pg_terminate_backend`, at 1/3 and 2/3 of the run), then compares what the clients were
   told with what the database holds (nothing lost, nothing duplicated).
4. --search: short runs at each multiple; the headroom is the largest multiple whose
   call-next p99 stays under 50 ms with no errors.

The screens use server push (decision 0026): the push server (`config/push_asgi.py`, uvicorn,
one process) runs beside gunicorn on another port, the app publishes each change to Redis,
and every screen holds a stream (see benchmarks/peak_locust.py); the displays' and desks'
streams carry their fragments' HTML, which the push server asks the app for once per office
and part (decision 0062, PUSH_APP_URL: the screens' lane when there is one). --baseline runs the same
short runs with the screens polling as before push (decision 0017), in the same session
against the same server, for comparison.

--screen-workers N (decision 0031, two lanes): the screens' fragment requests (desk waiting
list and own visit, lobby board, live view) go to a second gunicorn with N sync workers run at
a lower CPU priority (`nice -n SCREEN_NICE`), as a proxy sends those paths in production; the
desk actions, kiosks and citizens keep --workers at normal priority. 0 (the default): one
pool serves everything, as before.

--public-workers N (decision 0045, a third lane): the citizens' booking site (searches, free
times, the contact form, the booking and its confirmation: config.lanes.PUBLIC_PATH) goes to
a third gunicorn with N sync workers at `nice -n PUBLIC_NICE`; the desks and kiosks keep
--workers. 0 (the default): the citizens share the actions' pool.

--tasks (decision 0044): `worker` (the default, as production runs): django-tasks' database
queue, served by one `manage.py db_worker` process for the queue "default" at the screens'
niceness (SCREEN_NICE), restarted if it exits (as systemd's Restart=always would); the
booking's request only enqueues, the worker renders and sends the confirmation (and the
"your turn is near" messages, the handovers' first attempts). `immediate`: every task inside
the request that enqueues it, after its commit (the setting before decision 0044). Each run
reports how long a booking's confirmation took to be sent (booking's `created_at` in the
request → the outbox's `sent_at`, p50/p99, whole run), how long the task waited in the queue
(enqueued → started), the worker's CPU, and any booking left without a sent confirmation
DRAIN_SECONDS after the load stopped.

Figures go to stdout and to docs/benchmarks.md between the peak_load markers.

--handovers SHARE (issue 19): after the measured run (the baseline), the same run again with
SHARE of the desks' finishes ending with a handover to the agency through the desk's
handover form (peak_locust.HandoverDesk). Every agency with walk-in services is a partner
whose webhook endpoint is a receiver in this process on 127.0.0.1 (handover_delivery.Receiver:
verifies each request with `standardwebhooks`, notes the first receipt per webhook-id).
Delivery as --tasks has it: the first attempt in the task worker (`worker`, production's
default) or after commit inside the gunicorn request (`immediate`), and
`manage.py deliver_handovers` once a minute as deploy/crontab runs it (a separate process).
Its figures go to docs/benchmarks.md between the peak_load_handovers markers (the
peak_load block is then left as it is).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from config import lanes  # noqa: E402 (no Django in it)

TASKS_BACKENDS = {
    "worker": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
DRAIN_SECONDS = 60.0  # after the load stops, the booking mails still queued may take this long
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("PEAK_REDIS_URL", "redis://127.0.0.1:6379/13")
SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "0",
    "DEMO": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "STATIC_MANIFEST": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "REDIS_URL": REDIS_URL,
    "APPOINTMENTS_RATE_BOOK": "1000000/m",
    "APPOINTMENTS_RATE_LOOKUP": "1000000/m",
    # Every simulated citizen, kiosk and officer comes from 127.0.0.1: the per-address limits
    # of decision 0013 would count them as one person.
    "QUEUE_RATE_TICKET": "1000000/m",
    "QUEUE_RATE_PAIR": "1000000/m",
    "ACCOUNTS_RATE_LOGIN": "1000000/m",
    "API_RATE_ANON": "1000000/min",
    "API_RATE_USER": "1000000/min",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "PUSH_REDIS_URL": REDIS_URL,
    "PUSH_CHANNEL_PREFIX": f"peak-{secrets.token_hex(4)}:",
    "TASKS_BACKEND": TASKS_BACKENDS["worker"],  # --tasks
}
PUSH_PORT = 0  # set in main (free_port) before the world is built
SCREENS_PORT = 0  # the screens' lane (--screen-workers); 0: the screens share the app's pool
# the lanes' nice levels as deployed (config.lanes.NICE, decisions 0031, 0045, 0081)
SCREEN_NICE = lanes.NICE[lanes.SCREENS]  # the screens' lane (decision 0031)
PUBLIC_PORT = 0  # the citizens' lane (--public-workers); 0: they share the app's pool
PUBLIC_NICE = lanes.NICE[lanes.PUBLIC]  # the citizens' lane (decision 0045)
TASKS_NICE = lanes.NICE[lanes.TASKS]  # the task worker (decision 0044)
PUSH_NICE = lanes.NICE[lanes.PUSH]  # the push server
LANE_SERVERS: list[subprocess.Popen[bytes]] = []  # the screens' and citizens' gunicorns, if any
ROUTE_CPU_DIR = ""  # --route-cpu: each worker's CPU per request by route (peak_route_cpu.py)
os.environ.update(SERVER_ENV)

import django  # noqa: E402
import psycopg  # noqa: E402
from bench_harness import (  # noqa: E402
    children_of,
    cpu_seconds,
    cpu_used,
    free_port,
    machine_summary,
    push_server_command,
    wait_for_port,
    write_docs_section,
)

DOCS = ROOT / "docs" / "benchmarks.md"
MARK_START = "<!-- peak_load:start -->"
MARK_END = "<!-- peak_load:end -->"
# assumption: the busiest hour is late morning; the offices open then (Stockholm time, today)
# are the network of the run, kept open around the clock so that it can run at any hour
BUSIEST_HOUR = dt.time(11, 0)
DISPLAYS_PER_OFFICE = 2  # assumption (the issue counts about 150 displays in the network)
WAITING_PER_DESK = 2
LOCUST = [sys.executable, str(ROOT / "benchmarks" / "peak_locust.py")]
CLIENT_NICE = 0  # --client-nice: the load generator's niceness (negative: ahead of the server)
WARMUP_SECONDS = 20  # screens take their first (full) answer before recording starts


# --- the busiest hour ------------------------------------------------------------------------

VISITS_PER_YEAR = 2_800_000  # GUIDE.md: about 2.8–3 million visits a year
WORKING_DAYS = 250  # 365 − 104 weekend days − ~11 weekday public holidays
OPEN_HOURS = 7.0  # assumption: a typical office is open about 7 hours (e.g. 9–16)
PEAK_FACTOR = 2.0  # assumption: busiest hour = 2 × the average open hour (day × hour peaks)
BOOKED_SHARE = 0.4  # assumption: 40 % of visits were booked ahead
SEARCHES_PER_BOOKING = 3  # assumption: one search in three ends in a booking


def peak_rates() -> dict[str, float]:
    """Arrivals per second in the whole network in the busiest hour (the real peak, 1×).

    visits/h = 2,800,000 / 250 days / 7 h × 2 = 3,200 visits/h = 0.89/s; bookings are made
    at the rate booked visits arrive (steady state), 40 % of visits; searches 3 per booking.
    """
    visits = VISITS_PER_YEAR / WORKING_DAYS / OPEN_HOURS * PEAK_FACTOR / 3600
    bookings = visits * BOOKED_SHARE
    return {"visits": visits, "bookings": bookings, "searches": bookings * SEARCHES_PER_BOOKING}


# --- database and world ----------------------------------------------------------------------


def admin_dsn() -> str:
    return urllib.parse.urlparse(DATABASE_URL)._replace(path="/postgres").geturl()


def db_name() -> str:
    return urllib.parse.urlparse(DATABASE_URL).path.lstrip("/")


def recreate_database() -> None:
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name()}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name()}"')


def session_cookie(user: Any, csrf: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "servicekontor.accounts.backends.UserBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return (
        f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    )


def build_world(port: int) -> dict[str, Any]:
    """The operating network with its staff signed in (see the module docstring)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    from servicekontor.catalog.models import Agency
    from servicekontor.core import clock
    from servicekontor.network import queries as network_queries
    from servicekontor.network.models import Offering
    from servicekontor.queueing import push, queries, services
    from tests.factories import make_user, open_around_the_clock

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    # The bench's staff never sign in with a password (their sessions are made here): a fast
    # hasher spares a minute of PBKDF2 at setup, and changes nothing the server does.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()
    csrf = secrets.token_hex(16)
    today = clock.local_today()
    busiest = dt.datetime.combine(today, BUSIEST_HOUR, tzinfo=clock.STOCKHOLM)
    offices = []
    for office in network_queries.offices_operating_on(day=today).order_by("code"):
        walk_in = list(queries.walk_in_services(office=office, day=today).select_related("agency"))
        points = list(office.service_points.filter(is_active=True).order_by("number"))
        if not walk_in or not points or not network_queries.is_open(office=office, at=busiest):
            continue
        # The offices of the busiest hour, open whenever the run happens (a ticket is issued
        # only inside an open interval; this database is the run's own).
        open_around_the_clock(office)
        agencies = list(Agency.objects.filter(services__in=walk_in).distinct())
        cookies = []
        desk_paths = []  # each desk's own stream: its officer's list as HTML (decision 0062)
        for point in points:
            officer = make_user(offices=[office], agencies=agencies)
            services.sign_in_at_desk(officer=officer, service_point=point)
            cookies.append(session_cookie(officer, csrf))
            desk_paths.append(push.desk_stream_url(office.pk, officer.pk, "sv"))
        manager = make_user(role="office_manager", offices=[office])
        token = push.stream_token(office.pk)
        offices.append(
            {
                "id": office.pk,
                "code": office.code,
                "desks": len(points),
                "displays": DISPLAYS_PER_OFFICE,
                "cookies": cookies,
                "manager_cookie": session_cookie(manager, csrf),
                "walk_in": [(s.agency.code, s.pk) for s in walk_in],
                "position": (office.latitude, office.longitude),
                "push_path": f"/push/office/{office.pk}/?t={token}",
                "desk_push_paths": [_path_of(url) for url in desk_paths],
                "board_push_path": _path_of(push.board_stream_url(office.pk, "sv")),
            }
        )
    fast.disable()
    if not offices:
        raise SystemExit(f"No office is open at {BUSIEST_HOUR:%H:%M} today (a weekend?).")
    codes = {o["code"] for o in offices}
    bookable = [
        (o.service_id, o.office.code, f"lat={o.office.latitude}&lon={o.office.longitude}")
        for o in Offering.objects.valid_on(today)
        .exclude(service__mode="walk_in")
        .select_related("office")
        if o.office.code in codes
    ]
    return {
        "base_url": f"http://127.0.0.1:{port}",
        "screens_url": f"http://127.0.0.1:{SCREENS_PORT or port}",
        "public_url": f"http://127.0.0.1:{PUBLIC_PORT or port}",
        "push_port": PUSH_PORT,
        "csrf": csrf,
        "anonymous_cookie": f"{settings.CSRF_COOKIE_NAME}={csrf}",
        "offices": offices,
        "desk_count": sum(o["desks"] for o in offices),
        "rates": peak_rates(),
        "searches_per_booking": SEARCHES_PER_BOOKING,
        "bookable": bookable,
    }


def top_up_queues(world: dict[str, Any]) -> None:
    """Before each run (not measured): the visits an earlier run left at a desk (called or
    being served when its clients stopped) are finished, so every desk starts free — a
    desk with an open visit is refused call-next and would sit out the run — and a few
    waiting visits per desk at every office, as in a busy hour."""
    from servicekontor.catalog.models import Service
    from servicekontor.network.models import Office
    from servicekontor.queueing import queries, services
    from servicekontor.queueing.models import Visit, VisitState

    office_ids = [o["id"] for o in world["offices"]]
    left = Visit.objects.filter(
        office_id__in=office_ids, state__in=[VisitState.CALLED, VisitState.SERVING]
    ).select_related("officer")
    for visit in left:
        assert visit.officer is not None
        if visit.state == VisitState.CALLED:
            services.start_service(officer=visit.officer, visit_id=visit.pk)
        services.finish_visit(officer=visit.officer, visit_id=visit.pk, outcome="resolved")
    for o in world["offices"]:
        office = Office.objects.get(pk=o["id"])
        missing = WAITING_PER_DESK * o["desks"] - queries.waiting_visits(office=office).count()
        for i in range(max(0, missing)):
            _agency, service_id = o["walk_in"][i % len(o["walk_in"])]
            services.issue_ticket(office=office, service=Service.objects.get(pk=service_id))


@dataclass
class Counts:
    visits: int
    calls: int
    bookings: int
    called_twice: int  # visits with more than one call event (recalls are another action)


def counts() -> Counts:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM queueing_visit),"
            " (SELECT count(*) FROM queueing_visitevent WHERE action = 'call'),"
            " (SELECT count(*) FROM appointments_booking),"
            " (SELECT count(*) FROM (SELECT visit_id FROM queueing_visitevent"
            "   WHERE action = 'call' GROUP BY visit_id HAVING count(*) > 1) twice)"
        )
        row = cursor.fetchone()
    assert row is not None
    return Counts(*(int(v) for v in row))


# --- server ----------------------------------------------------------------------------------


LANE_GROUPS = False  # --lane-groups: each lane's niceness is its scheduler group's (below)


def launch(
    command: list[str],
    *,
    nice: int = 0,
    group: bool | None = None,
    prefix: tuple[str, ...] = (),
    **kwargs: Any,
) -> subprocess.Popen[bytes]:
    """`command` at niceness `nice`. Without LANE_GROUPS the process's own (`nice -n`): it
    orders the process only against the others of its scheduler task group, here this
    benchmark's session with every lane and the client in it (man 7 sched, "The nice value
    and group scheduling"). With LANE_GROUPS (--lane-groups) the process gets a session of
    its own, so a task group of its own (the kernel's autogroup), and `nice` is that group's
    against the other groups (PostgreSQL's, the client's, the other lanes'): what a systemd
    service gets from CPUWeight= (its own cgroup; deploy/systemd, decision 0081), where
    Nice= would only order the processes inside the service. `group` None: LANE_GROUPS;
    `prefix` goes before the command (e.g. chrt)."""
    group = LANE_GROUPS if group is None else group
    process = subprocess.Popen(
        [*prefix, *(["nice", "-n", str(nice)] if nice and not group else []), *command],
        start_new_session=group,
        **kwargs,
    )
    if group:
        Path(f"/proc/{process.pid}/autogroup").write_text(str(nice))
    return process


@contextlib.contextmanager
def postgres_nice(nice: int | None) -> Iterator[None]:
    """For the block: the PostgreSQL server's scheduler group (its postmaster's autogroup,
    every backend in it) at niceness `nice` against the other groups, as CPUWeight= on
    postgresql.service would set it; put back as it was after. None: left as it is. Needs
    the server on this machine and CAP_SYS_NICE (root) for a negative niceness."""
    if nice is None:
        yield
        return
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    # the backend's parent is the postmaster, which outlives the connection
    postmaster = int(Path(f"/proc/{row[0]}/stat").read_text().rsplit(")", 1)[1].split()[1])
    path = Path(f"/proc/{postmaster}/autogroup")
    before = path.read_text().split()[-1]  # "/autogroup-5 nice 0"
    path.write_text(str(nice))
    try:
        yield
    finally:
        path.write_text(before)


def server_command(*, workers: int, port: int, root: Path = ROOT) -> list[str]:
    """The app server's command line: gunicorn with `workers` sync workers on
    127.0.0.1:`port`, in `root` (another worktree's code: peak_lanes' `tree:`), the app loaded
    before forking, with the per-route CPU hook when ROUTE_CPU_DIR is set (its environment:
    `server_env`)."""
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--preload",
        "--log-level",
        "warning",
        "--chdir",
        str(root),
        *(["-c", "python:peak_route_cpu"] if ROUTE_CPU_DIR else []),
    ]


def server_env() -> dict[str, str]:
    """The app server's environment: this process's, SERVER_ENV as it is now, and where the
    per-route CPU hook writes (with ROUTE_CPU_DIR)."""
    hook = (
        {
            "PEAK_ROUTE_CPU_DIR": ROUTE_CPU_DIR,
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(ROOT)]),
        }
        if ROUTE_CPU_DIR
        else {}
    )
    return dict(os.environ) | SERVER_ENV | hook


def start_server(*, workers: int, port: int, nice: int = 0) -> subprocess.Popen[bytes]:
    """`server_command` at niceness `nice` (`launch`), once it listens."""
    process = launch(server_command(workers=workers, port=port), nice=nice, env=server_env())
    wait_for_port(process, port, "gunicorn", seconds=60)
    return process


def _path_of(url: str) -> str:
    """The path and query of a stream's URL (the load generator connects to the port)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}"


def start_push_server(*, port: int, nice: int = 0) -> subprocess.Popen[bytes]:
    """`push_server_command` at niceness `nice` (`launch`), once it listens."""
    process = launch(
        push_server_command(port=port, graceful_seconds=2),
        nice=nice,
        env=os.environ | SERVER_ENV,
        cwd=ROOT,
    )
    wait_for_port(process, port, "the push server", seconds=30)
    return process


class TaskWorker:
    """`manage.py db_worker --no-reload` for the queue "default", one process at niceness
    SCREEN_NICE (decision 0044: below the actions' pool, like the screens' lane of decision
    0031), started again within a second when it exits (systemd's Restart=always).
    `restarts` counts those; `cpu_pids` are the processes whose CPU counts."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _spawn(self) -> None:
        self.process = launch(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--verbosity", "0"],
            nice=TASKS_NICE,
            cwd=ROOT,
            env=os.environ | SERVER_ENV,
        )

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            if self.process is not None and self.process.poll() is not None:
                self.restarts += 1
                self._spawn()

    def start(self) -> TaskWorker:
        self._spawn()
        self.thread.start()
        return self

    def cpu_pids(self) -> list[int]:
        return [self.process.pid] if self.process is not None else []

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def last_booking_id() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM appointments_booking")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@dataclass
class MailFigures:
    """The run's bookings (warm-up included) and their confirmations."""

    bookings: int
    sent_ms: list[float]  # booking's created_at → the confirmation's sent_at, sorted
    unsent: int  # bookings without a sent confirmation DRAIN_SECONDS after the load
    queue_wait_ms: list[float]  # after_booking_changed: enqueued → started (worker), sorted
    drain_s: float  # from the load's end until the last booking's mail was sent (or gave up)


def booking_mails(after_id: int, *, drain: bool) -> MailFigures:
    """Waits (if `drain`) until every booking with id > `after_id` has its confirmation sent,
    at most DRAIN_SECONDS, then reads the delays from the database (same machine's clock)."""
    from django.db import connection

    from servicekontor.appointments.mail import TOPIC_CONFIRMATION

    unsent_sql = (
        "SELECT count(*) FROM appointments_booking b WHERE b.id > %s AND NOT EXISTS ("
        " SELECT 1 FROM messaging_message m WHERE m.object_id = b.id AND m.topic = %s"
        " AND m.sent_at IS NOT NULL)"
    )
    started = time.monotonic()
    with connection.cursor() as cursor:
        while True:
            cursor.execute(unsent_sql, (after_id, TOPIC_CONFIRMATION))
            row = cursor.fetchone()
            assert row is not None
            unsent = int(row[0])
            if not drain or not unsent or time.monotonic() - started > DRAIN_SECONDS:
                break
            time.sleep(0.2)
        drain_s = time.monotonic() - started
        cursor.execute(
            "SELECT extract(epoch FROM m.sent_at - b.created_at) * 1000"
            " FROM appointments_booking b JOIN messaging_message m"
            " ON m.object_id = b.id AND m.topic = %s AND m.sent_at IS NOT NULL WHERE b.id > %s",
            (TOPIC_CONFIRMATION, after_id),
        )
        sent_ms = sorted(float(r[0]) for r in cursor.fetchall())
        cursor.execute("SELECT count(*) FROM appointments_booking WHERE id > %s", (after_id,))
        row = cursor.fetchone()
        assert row is not None
        bookings = int(row[0])
        queue_wait_ms: list[float] = []
        if SERVER_ENV["TASKS_BACKEND"] == TASKS_BACKENDS["worker"]:
            cursor.execute(
                "SELECT extract(epoch FROM t.started_at - t.enqueued_at) * 1000"
                " FROM django_tasks_database_dbtaskresult t"
                " WHERE t.task_path = 'servicekontor.appointments.tasks.after_booking_changed'"
                " AND t.started_at IS NOT NULL"
                " AND (t.args_kwargs -> 'kwargs' ->> 'booking_id')::int > %s",
                (after_id,),
            )
            queue_wait_ms = sorted(float(r[0]) for r in cursor.fetchall())
    return MailFigures(bookings, sent_ms, unsent, queue_wait_ms, drain_s)


def percentile(data: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of sorted `data`; NaN if empty."""
    if not data:
        return float("nan")
    return data[min(len(data) - 1, max(0, round(q / 100 * len(data)) - 1))]


def app_workers(server: subprocess.Popen[bytes]) -> list[int]:
    """The gunicorn workers of every lane (the app's `server`, the screens' and the citizens',
    if any)."""
    return [pid for process in [server, *LANE_SERVERS] for pid in children_of(process.pid)]


def app_backends() -> list[int]:
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (db_name(),),
        ).fetchall()
    return [int(r[0]) for r in rows]


def kill_connections() -> int:
    """pg_terminate_backend on every connection to the app's database (the workers')."""
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (db_name(),),
        ).fetchall()
    return sum(1 for r in rows if r[0])


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Run:
    multiple: float
    seconds: float
    result: dict[str, Any]
    before: Counts
    after: Counts
    kills: list[tuple[float, int]]  # (time, connections killed)
    django_ms: float
    postgres_ms: float
    client_ms: float
    load: tuple[float, float]
    push_ms: float = 0.0
    mode: str = "push"
    mails: MailFigures | None = None
    task_worker_ms: float = 0.0  # the task worker's CPU per request (drain included)
    task_worker_restarts: int = 0
    # --route-cpu: route -> (requests, the workers' CPU seconds) over the client's run
    route_cpu: dict[str, tuple[int, float, list[float], float]] = field(default_factory=dict)

    def samples(self, action: str) -> list[float]:
        return sorted(self.result["samples"].get(action, []))

    def p(self, action: str, q: float) -> float:
        data = self.samples(action)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, max(0, round(q / 100 * len(data)) - 1))]

    def status(self, action: str, code: int) -> int:
        """Responses with this status over the whole run, warm-up included."""
        return int(self.result["statuses"].get(action, {}).get(str(code), 0))

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.result["samples"].values())

    @property
    def errors(self) -> int:
        return len(self.result["failures"])


def run_once(
    world_file: str,
    server: subprocess.Popen[bytes],
    *,
    multiple: float,
    seconds: float,
    kill: bool,
    pusher: subprocess.Popen[bytes] | None = None,
    mode: str = "push",
    handovers: float = 0.0,
    task_worker: TaskWorker | None = None,
) -> Run:
    from django.db import connections

    top_up_queues(json.loads(Path(world_file).read_text()))
    before = counts()
    first_booking = last_booking_id()
    connections.close_all()
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    workers = cpu_seconds(app_workers(server))
    backends = cpu_seconds(app_backends())
    push_pids = [pusher.pid] if pusher is not None else []
    push_cpu = cpu_seconds(push_pids)
    task_pids = task_worker.cpu_pids() if task_worker is not None else []
    task_cpu = cpu_seconds(task_pids)
    restarts = task_worker.restarts if task_worker is not None else 0
    load_before = os.getloadavg()[0]
    window_start = time.time()  # noqa: TID251 (matched with the workers' wall-clock lines)
    client = subprocess.Popen(
        [
            *(["nice", "-n", str(CLIENT_NICE)] if CLIENT_NICE else []),
            *LOCUST,
            world_file,
            str(multiple),
            str(WARMUP_SECONDS),
            str(seconds),
            out,
            mode,
            str(handovers),
        ],
        cwd=ROOT,
    )
    kills: list[tuple[float, int]] = []
    if kill:

        def killer() -> None:
            for at in (seconds / 3, 2 * seconds / 3):
                time.sleep(max(0.0, started + at - time.monotonic()))
                kills.append((time.time(), kill_connections()))  # noqa: TID251 (vs. the client)

        started = time.monotonic() + WARMUP_SECONDS
        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
    client_cpu_before = cpu_seconds([client.pid])
    client_cpu = client_cpu_before
    while client.poll() is None:  # sample the client's CPU until it ends
        client_cpu = cpu_seconds([client.pid]) or client_cpu
        time.sleep(0.5)
    load_after = os.getloadavg()[0]
    window_end = time.time()  # noqa: TID251
    django_s = cpu_used(workers, cpu_seconds(app_workers(server)))
    postgres_s = cpu_used(backends, cpu_seconds(app_backends()))
    push_s = cpu_used(push_cpu, cpu_seconds(push_pids))
    if client.returncode:
        raise RuntimeError(f"the locust client failed ({client.returncode})")
    mails = booking_mails(first_booking, drain=True)
    if task_worker is not None:
        task_pids = sorted({*task_pids, *task_worker.cpu_pids()})
    task_s = cpu_used(task_cpu, cpu_seconds(task_pids))
    result = json.loads(Path(out).read_text())
    os.unlink(out)
    after = counts()
    connections.close_all()
    # CPU was measured over the whole client run (warm-up included): so are the requests.
    n = max(1, sum(sum(by_status.values()) for by_status in result["statuses"].values()))
    return Run(
        multiple=multiple,
        seconds=seconds,
        result=result,
        before=before,
        after=after,
        kills=kills,
        django_ms=1000 * django_s / n,
        postgres_ms=1000 * postgres_s / n,
        client_ms=1000 * cpu_used(client_cpu_before, client_cpu) / n,
        load=(load_before, load_after),
        push_ms=1000 * push_s / n,
        mode=mode,
        mails=mails,
        task_worker_ms=1000 * task_s / n,
        task_worker_restarts=(task_worker.restarts if task_worker is not None else 0) - restarts,
        route_cpu=route_cpu(window_start, window_end),
    )


def route_cpu(start: float, end: float) -> dict[str, tuple[int, float, list[float], float]]:
    """--route-cpu: the workers' lines (peak_route_cpu.py) that ended within [start, end],
    by route: route -> (requests, CPU seconds, each request's wall seconds in the worker,
    seconds waiting for a core summed)."""
    if not ROUTE_CPU_DIR:
        return {}
    sums: dict[str, tuple[list[float], list[float], list[float]]] = defaultdict(
        lambda: ([], [], [])
    )
    for path in Path(ROUTE_CPU_DIR).glob("*.tsv"):
        for line in path.read_text().splitlines():
            at, route, _status, cpu, wall, queue = line.split("\t")
            if start <= float(at) <= end:
                sums[route][0].append(float(cpu))
                sums[route][1].append(float(wall))
                sums[route][2].append(float(queue))
    return {
        route: (len(cpus), sum(cpus), walls, sum(queues))
        for route, (cpus, walls, queues) in sums.items()
    }


def route_cpu_table(run: Run) -> list[str]:
    """The workers' CPU and wall time by route over the run, costliest first (--route-cpu).

    Wall time in the worker runs from its accepting the request to its response written:
    CPU, waiting for a core, for PostgreSQL and for Redis; not the listen queue before."""
    total = sum(cpu for _n, cpu, _w, _q in run.route_cpu.values()) or 1.0
    lines = [
        f"Django CPU by route, {run.multiple:g}× ({run.seconds:g} s and the warm-up; the "
        "workers' `time.process_time()` per request and its wall time in the worker, "
        "benchmarks/peak_route_cpu.py):",
        "",
        "| route | requests | CPU ms per request | wall in worker p50 / p99 ms "
        "| of the wall, mean ms: CPU / waiting for a core / blocked | CPU ms per second | share |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    span = run.seconds + WARMUP_SECONDS
    for route, (n, cpu, walls, queue) in sorted(run.route_cpu.items(), key=lambda kv: -kv[1][1]):
        ms = sorted(1000 * w for w in walls)
        blocked = 1000 * (sum(walls) - cpu - queue) / n
        lines.append(
            f"| `{route}` | {n:,} | {1000 * cpu / n:.2f} | "
            f"{percentile(ms, 50):.1f} / {percentile(ms, 99):.1f} | "
            f"{1000 * cpu / n:.1f} / {1000 * queue / n:.1f} / {blocked:.1f} | "
            f"{1000 * cpu / span:.0f} | {100 * cpu / total:.1f} % |"
        )
    return lines


# --- report ----------------------------------------------------------------------------------

ACTIONS = [
    "desk: call next",
    "desk: start",
    "desk: finish",
    "desk: desk page after an action",
    "desk: waiting list poll",
    "desk: own visit poll",
    "live view poll",
    "lobby display poll",
    "kiosk: issue ticket",
    "kiosk: ticket page",
    "citizen: search offices near a place",
    "citizen: free times of an office",
    "citizen: contact form",
    "citizen: book",
    "citizen: booking confirmation",
    "push: stream opened",
]


def table(run: Run, actions: list[str] = ACTIONS) -> list[str]:
    lines = [
        "| action | requests | per s | p50 ms | p99 ms | not modified (304) | errors (whole run) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    failures = failures_by_action(run)
    # every action that failed has its row, also one with no sample after the warm-up (the
    # screens' streams open in it) or not in `actions`: no error goes unnamed
    for action in [*actions, *sorted(set(failures) - set(actions))]:
        n = len(run.samples(action))
        if not n and action not in failures:
            continue
        not_modified = int(run.result["measured"].get(action, {}).get("304", 0))
        p50, p99 = (f"{run.p(action, 50):.1f}", f"{run.p(action, 99):.1f}") if n else ("", "")
        lines.append(
            f"| {action} | {n:,} | {n / run.seconds:.1f} | {p50} | {p99} | {not_modified:,} | "
            f"{failures.get(action, '0')} |"
        )
    return lines


def failures_by_action(run: Run) -> dict[str, str]:
    """Each failed action's count and its statuses (0: no answer, the connection failed or
    timed out), e.g. "3 (503 × 2, 0 × 1)"."""
    counts: dict[str, dict[int, int]] = {}
    for _at, action, status in run.result["failures"]:
        by_status = counts.setdefault(action, {})
        by_status[status] = by_status.get(status, 0) + 1
    return {
        action: f"{sum(by_status.values())} ("
        + ", ".join(
            f"{status} × {n}" for status, n in sorted(by_status.items(), key=lambda kv: -kv[1])
        )
        + ")"
        for action, by_status in counts.items()
    }


def named_errors(run: Run) -> str:
    """The run's errors by action and status, for the one-line summary."""
    failures = failures_by_action(run)
    return (
        " (" + "; ".join(f"{a}: {failures[a]}" for a in sorted(failures)) + ")" if failures else ""
    )


def failure_windows(run: Run) -> list[float]:
    """Per kill: seconds from the kill to the last failed request within 10 s after it."""
    windows = []
    for at, _n in run.kills:
        late = [t for t, _a, _s in run.result["failures"] if at - 1 <= t <= at + 10]
        windows.append(max(late) - at if late else 0.0)
    return windows


def kill_failures(run: Run) -> int:
    """Failed requests answered within 2 s after a kill (in flight when it struck)."""
    return sum(
        1
        for t, _a, _s in run.result["failures"]
        if any(at - 1 <= t <= at + 2 for at, _n in run.kills)
    )


def integrity(run: Run) -> list[str]:
    """What the clients were told against what the database holds (queues topped up before)."""
    issued = run.status("kiosk: issue ticket", 303)
    # a plain form is answered 303; desk.js's request (push mode) 200 with the parts
    called = run.status("desk: call next", 303) + run.status("desk: call next", 200)
    booked = run.status("citizen: book", 302)
    unknown = {
        a: sum(1 for _t, act, _s in run.result["failures"] if act == a)
        for a in ("kiosk: issue ticket", "desk: call next", "citizen: book")
    }
    new_visits = run.after.visits - run.before.visits
    new_calls = run.after.calls - run.before.calls
    new_bookings = run.after.bookings - run.before.bookings
    return [
        "| | told the client | in the database | requests that failed (outcome unknown) |",
        "|---|---:|---:|---:|",
        f"| tickets issued | {issued:,} | {new_visits:,} | {unknown['kiosk: issue ticket']} |",
        f"| visits called | {called:,} | {new_calls:,} | {unknown['desk: call next']} |",
        f"| bookings made | {booked:,} | {new_bookings:,} | {unknown['citizen: book']} |",
        f"| visits called twice | | {run.after.called_twice} | |",
    ]


def summary(run: Run) -> str:
    return (
        f"{run.multiple:g}× the peak ({run.mode}): {run.requests:,} requests in {run.seconds:g} s "
        f"({run.requests / run.seconds:.0f}/s), call-next p99 {run.p('desk: call next', 99):.1f} "
        f"ms, errors {run.errors}{named_errors(run)}; CPU per request: Django {run.django_ms:.2f} ms, PostgreSQL "
        f"{run.postgres_ms:.2f} ms, push server {run.push_ms:.2f} ms, client "
        f"{run.client_ms:.2f} ms; push events received "
        f"{sum(run.result.get('push_events', {}).values()):,}; {lag_summary(run)}; load average "
        f"{run.load[0]:.1f} → {run.load[1]:.1f}; {mail_summary(run)}"
    )


def lag_summary(run: Run) -> str:
    """How late the load generator's event loop woke (peak_locust.loop_lag): a floor under
    every latency it reports, its own and not the server's."""
    lag = sorted(run.result.get("loop_lag_ms", []))
    if not lag:
        return "client loop lag not measured"
    return (
        f"client loop lag p50 / p99 / max {percentile(lag, 50):.1f} / {percentile(lag, 99):.1f} "
        f"/ {lag[-1]:.1f} ms"
    )


def mail_summary(run: Run) -> str:
    """The booking confirmations of the run: delay, queue wait, worker CPU, left unsent."""
    m = run.mails
    if m is None:
        return "booking mails not measured"
    return (
        f"booking → confirmation sent p50 / p99 {percentile(m.sent_ms, 50):.0f} / "
        f"{percentile(m.sent_ms, 99):.0f} ms ({len(m.sent_ms)} of {m.bookings} sent, "
        f"{m.unsent} unsent after {m.drain_s:.1f} s of drain)"
        + (
            f", queue wait p50 / p99 {percentile(m.queue_wait_ms, 50):.0f} / "
            f"{percentile(m.queue_wait_ms, 99):.0f} ms, task worker CPU "
            f"{run.task_worker_ms:.2f} ms per request ({run.task_worker_restarts} restarts)"
            if m.queue_wait_ms
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--multiple", type=float, default=3.0, help="the measured run")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--kill", action="store_true", help="kill DB connections twice")
    parser.add_argument("--search", default="", help="multiples for the headroom, e.g. 1,3,10")
    parser.add_argument("--search-seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=8, help="gunicorn sync workers")
    parser.add_argument(
        "--screen-workers",
        type=int,
        default=0,
        help="a second, lower-priority gunicorn with this many workers for the screens "
        "(decision 0031); 0: one pool",
    )
    parser.add_argument(
        "--public-workers",
        type=int,
        default=0,
        help="a third gunicorn at a lower priority with this many workers for the citizens' "
        "booking site (decision 0045); 0: they share the actions' pool",
    )
    parser.add_argument(
        "--actions-nice",
        type=int,
        default=None,
        help="the actions' gunicorn (desks, kiosks, and citizens without --public-workers) at "
        "this niceness; negative (needs CAP_SYS_NICE, e.g. systemd's Nice=) puts the officers' "
        "and kiosks' requests ahead of the database, the client and the other lanes",
    )
    parser.add_argument(
        "--lane-groups",
        action="store_true",
        help="the lanes as deployed (deploy/systemd, decision 0081): each (the three gunicorns, "
        "the push server, the task worker) in a scheduler group of its own at its niceness of "
        "config.lanes.NICE against the other groups, as systemd services with CPUWeight=, and "
        "PostgreSQL's group at NICE['postgres'] (unless --actions-nice, --postgres-nice say "
        "otherwise); without it the lanes' niceness orders them only inside this benchmark's "
        "one group, the actions at 0 and PostgreSQL's group left as it is",
    )
    parser.add_argument(
        "--postgres-nice",
        type=int,
        default=None,
        help="the PostgreSQL server's scheduler group at this niceness for the run (CPUWeight= "
        "on postgresql.service, decision 0081), put back after; needs the server on this "
        "machine and root",
    )
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--client-nice",
        type=int,
        default=0,
        help="the load generator's niceness; negative puts it ahead of the server, as if it ran "
        "on machines of its own (its CPU still counts; see the client loop lag in the report)",
    )
    parser.add_argument(
        "--route-cpu",
        action="store_true",
        help="print each run's Django CPU by route (gunicorn hooks, benchmarks/peak_route_cpu.py)",
    )
    parser.add_argument(
        "--baseline", default="", help="multiples to run with the screens polling (no push)"
    )
    parser.add_argument(
        "--handovers",
        type=float,
        default=0.0,
        help="after the measured run, the same run with this share (0-1) of finishes handed over",
    )
    parser.add_argument(
        "--tasks",
        choices=sorted(TASKS_BACKENDS),
        default="worker",
        help="background tasks in one db_worker at the screens' niceness (production, "
        "decision 0044) or inside the requests (immediate)",
    )
    args = parser.parse_args()
    if not 0 <= args.handovers <= 1:
        raise SystemExit("--handovers is a share of the finishes: 0 to 1.")
    if not DATABASE_URL.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database this may drop and recreate.")

    global PUSH_PORT, SCREENS_PORT, PUBLIC_PORT, ROUTE_CPU_DIR, CLIENT_NICE, LANE_GROUPS
    CLIENT_NICE = args.client_nice
    LANE_GROUPS = args.lane_groups
    if args.actions_nice is None:
        args.actions_nice = lanes.NICE[lanes.ACTIONS] if args.lane_groups else 0
    if args.postgres_nice is None and args.lane_groups:
        args.postgres_nice = lanes.NICE[lanes.POSTGRES]
    if args.route_cpu:
        ROUTE_CPU_DIR = tempfile.mkdtemp(prefix="peak-route-cpu-")
    recreate_database()
    port = free_port()
    PUSH_PORT = free_port()
    SCREENS_PORT = free_port() if args.screen_workers else 0
    PUBLIC_PORT = free_port() if args.public_workers else 0
    SERVER_ENV["PUSH_URL"] = f"http://127.0.0.1:{PUSH_PORT}/push/"
    # the push server asks the app for the fragments it sends (decision 0062), on the
    # screens' lane when there is one
    SERVER_ENV["PUSH_APP_URL"] = f"http://127.0.0.1:{SCREENS_PORT or port}"
    SERVER_ENV["TASKS_BACKEND"] = TASKS_BACKENDS[args.tasks]
    os.environ.update(SERVER_ENV)
    django.setup()
    from django.core.cache import cache

    cache.clear()  # the shared fragments (decision 0027) of an earlier run's database
    world = build_world(port)
    receivers = partner_receivers(world) if args.handovers else []
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(world, f)
        world_file = f.name
    rates = world["rates"]
    print(
        f"{len(world['offices'])} offices open, {world['desk_count']} desks; real peak: "
        f"{rates['visits'] * 3600:.0f} visits/h, {rates['bookings'] * 3600:.0f} bookings/h, "
        f"{rates['searches'] * 3600:.0f} searches/h",
        flush=True,
    )
    from django.db import connections

    connections.close_all()
    database_priority = contextlib.ExitStack()
    database_priority.enter_context(postgres_nice(args.postgres_nice))
    server = start_server(workers=args.workers, port=port, nice=args.actions_nice)
    if args.screen_workers:
        LANE_SERVERS.append(
            start_server(workers=args.screen_workers, port=SCREENS_PORT, nice=SCREEN_NICE)
        )
    if args.public_workers:
        LANE_SERVERS.append(
            start_server(workers=args.public_workers, port=PUBLIC_PORT, nice=PUBLIC_NICE)
        )
    pusher = start_push_server(port=PUSH_PORT, nice=PUSH_NICE)
    task_worker = TaskWorker().start() if args.tasks == "worker" else None
    searched: list[Run] = []
    baseline: list[Run] = []
    handed: HandoverRun | None = None
    try:
        main_run = run_once(
            world_file,
            server,
            multiple=args.multiple,
            seconds=args.seconds,
            kill=args.kill,
            pusher=pusher,
            task_worker=task_worker,
        )
        print(summary(main_run), flush=True)
        if main_run.route_cpu:
            print("\n".join(route_cpu_table(main_run)), flush=True)
        if args.handovers:
            handed = handover_run(
                world_file,
                server,
                receivers,
                multiple=args.multiple,
                seconds=args.seconds,
                share=args.handovers,
                pusher=pusher,
                task_worker=task_worker,
            )
            print(summary(handed.run), flush=True)
        for multiple in [float(m) for m in args.search.split(",") if m]:
            run = run_once(
                world_file,
                server,
                multiple=multiple,
                seconds=args.search_seconds,
                kill=False,
                pusher=pusher,
                task_worker=task_worker,
            )
            print(summary(run), flush=True)
            if run.route_cpu:
                print("\n".join(route_cpu_table(run)), flush=True)
            searched.append(run)
        for multiple in [float(m) for m in args.baseline.split(",") if m]:
            run = run_once(
                world_file,
                server,
                multiple=multiple,
                seconds=args.search_seconds,
                kill=False,
                pusher=pusher,
                mode="poll",
                task_worker=task_worker,
            )
            print(summary(run), flush=True)
            baseline.append(run)
    finally:
        if task_worker is not None:
            task_worker.stop()
        for process, grace in ((server, 30), *((s, 30) for s in LANE_SERVERS), (pusher, 10)):
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:  # an overloaded server may not stop in time
                process.kill()
                process.wait(timeout=10)
        database_priority.close()
        os.unlink(world_file)
    lines = report(args, world, main_run, searched, baseline)
    print("\n".join(lines))
    if handed is not None:
        handover_lines = handover_report(args, world, main_run, handed)
        print("\n".join(handover_lines))
        if not args.no_write:  # the peak_load block stays as its own command left it
            write_docs_section(
                DOCS, "\n".join(handover_lines), MARK_HANDOVERS_START, MARK_HANDOVERS_END
            )
    elif not args.no_write:
        write_docs_section(DOCS, "\n".join(lines), MARK_START, MARK_END)


def _runs_table(runs: list[Run]) -> list[str]:
    lines = [
        "| multiple | screens | requests/s | calls | call-next p50 ms | p99 ms | errors | Django / "
        "PostgreSQL / push server / task worker CPU per request ms | booking → mail sent "
        "p50 / p99 ms (unsent) | client loop lag p99 ms | load average |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        m = r.mails
        mail = (
            f"{percentile(m.sent_ms, 50):.0f} / {percentile(m.sent_ms, 99):.0f} ({m.unsent})"
            if m is not None
            else "–"
        )
        lines.append(
            f"| {r.multiple:g}× | {r.mode} | {r.requests / r.seconds:.0f} | "
            f"{len(r.samples('desk: call next'))} | {r.p('desk: call next', 50):.1f} | {r.p('desk: call next', 99):.1f} | "
            f"{r.errors} | {r.django_ms:.2f} / {r.postgres_ms:.2f} / {r.push_ms:.2f} / "
            f"{r.task_worker_ms:.2f} | {mail} | "
            f"{percentile(sorted(r.result.get('loop_lag_ms', [])), 99):.1f} | "
            f"{r.load[0]:.1f} → {r.load[1]:.1f} |"
        )
    return lines


def headroom(runs: list[Run]) -> float:
    """The largest multiple with call-next p99 < 50 ms and no errors, below the first that
    failed (0 if the smallest failed)."""
    ok = [r.multiple for r in runs if r.p("desk: call next", 99) < 50 and r.errors == 0]
    below = [m for m in sorted(r.multiple for r in runs) if m not in ok]
    first_bad = min(below) if below else None
    return max((m for m in ok if first_bad is None or m < first_bad), default=0)


def report(
    args: argparse.Namespace,
    world: dict[str, Any],
    run: Run,
    searched: list[Run],
    baseline: list[Run],
) -> list[str]:
    rates = world["rates"]
    deployed_actions = lanes.NICE[lanes.ACTIONS] if args.lane_groups else 0
    deployed_db = lanes.NICE[lanes.POSTGRES] if args.lane_groups else None
    command = (
        f"`DATABASE_URL=postgres://postgres@127.0.0.1:5432/{db_name()} "
        f".venv/bin/python benchmarks/peak_load.py --multiple {args.multiple:g} "
        f"--seconds {args.seconds:g}{' --kill' if args.kill else ''}"
        f"{f' --search {args.search} --search-seconds {args.search_seconds:g}' if args.search else ''}"
        f"{f' --baseline {args.baseline}' if args.baseline else ''}"
        f"{f' --handovers {args.handovers:g}' if args.handovers else ''}"
        f" --workers {args.workers}"
        f"{f' --screen-workers {args.screen_workers}' if args.screen_workers else ''}"
        f"{f' --public-workers {args.public_workers}' if args.public_workers else ''}"
        f"{' --lane-groups' if args.lane_groups else ''}"
        f"{f' --actions-nice {args.actions_nice}' if args.actions_nice != deployed_actions else ''}"
        f"{f' --postgres-nice {args.postgres_nice}' if args.postgres_nice != deployed_db else ''}"
        f"{f' --client-nice {args.client_nice}' if args.client_nice else ''}"
        f"{' --tasks immediate' if args.tasks == 'immediate' else ''}`"
    )
    screens = sum(o["displays"] + 1 for o in world["offices"])
    lines = [
        "## The national peak (`benchmarks/peak_load.py`)",
        "",
        f"Command: {command}",
        "",
        f"The {machine_summary()}: compare figures only with runs on a machine of the same "
        "yardstick.",
        "",
        f"The network as loaded by `load_reference_data`: {len(world['offices'])} offices open "
        f"at {BUSIEST_HOUR:%H:%M} on the day of the run (kept open around the clock for the run),"
        f" {world['desk_count']} desks, every desk staffed, "
        f"{screens - len(world['offices'])} lobby displays and {len(world['offices'])} "
        "managers' live views. Screens with push (decision 0026, the measured run and the "
        "headroom search): each holds a server-sent-events stream and asks for its fragment "
        "(If-None-Match) when a change names its part, and once a minute; desk actions are "
        "answered with the changed parts (no second request); the board and the desk lists "
        "are rendered once per version and read from the shared cache by the office's other "
        "screens (decision 0027). Screens polling (decision 0017, "
        "the baseline rows): desk list and own visit every 3 s, displays every 1 s, live views "
        "every 5 s, each desk action followed by the desk page. The real peak (1×): "
        f"{rates['visits'] * 3600:,.0f} visits/h ({rates['visits']:.2f}/s) through the kiosks "
        f"and desks, {rates['bookings'] * 3600:,.0f} bookings/h and "
        f"{rates['searches'] * 3600:,.0f} searches/h. A multiple scales every arrival "
        "(tickets, visits, searches, bookings); the screens stay as many as the network has.",
        "",
        (
            f"Lanes (decision 0031): desk actions, kiosks"
            f"{'' if args.public_workers else ' and citizens'} on gunicorn with "
            f"{args.workers} sync workers"
            f"{f' at niceness {args.actions_nice}' if args.actions_nice else ''}; "
            "the screens' fragment requests on a second gunicorn "
            f"with {args.screen_workers} sync workers at niceness {SCREEN_NICE}; "
            if args.screen_workers
            else f"gunicorn {args.workers} sync workers, "
        )
        + (
            f"the citizens' booking site on a third gunicorn with {args.public_workers} sync "
            f"workers at niceness {PUBLIC_NICE} (decision 0045); "
            if args.public_workers
            else ""
        )
        + (
            f"background tasks (the booking's mail among them) in one `db_worker` at niceness "
            f"{SCREEN_NICE} (decision 0044); "
            if args.tasks == "worker"
            else "background tasks inside the requests (immediate backend); "
        )
        + "the push server (uvicorn, 1 process), Redis, "
        f"PostgreSQL and the locust client"
        f"{f' (at niceness {args.client_nice})' if args.client_nice else ''} on the same "
        f"{os.cpu_count()}-core machine, shared with other work. The client loop lag is how "
        "late the load generator's one event loop woke a 5 ms sleep: it is in every latency "
        "the client reports. "
        + (
            "Each lane (the three gunicorns, the push server at niceness "
            f"{PUSH_NICE}, the task worker) in a scheduler group of its own at its niceness "
            "against the other groups, PostgreSQL's "
            + (
                f"at niceness {args.postgres_nice}"
                if args.postgres_nice is not None
                else "as it is"
            )
            + " and the load generator's at 0: as the systemd services of deploy/systemd with "
            "CPUWeight= (decision 0081)."
            if args.lane_groups
            else "Each niceness orders a process only inside one scheduler group (man 7 sched): "
            "every lane and the load generator in this benchmark's, PostgreSQL in its own."
        ),
        "",
        f"### {run.multiple:g}× the peak, {run.seconds:g} s, screens with push"
        + (", database connections killed twice" if run.kills else ""),
        "",
        *table(run),
        "",
        summary(run) + ".",
        "",
    ]
    if run.kills:
        windows = failure_windows(run)
        lines += [
            "Connections killed: "
            + ", ".join(f"{n} at +{at - run.result['started']:.0f} s" for at, n in run.kills)
            + "; failed requests after each kill ended within "
            + ", ".join(f"{w:.2f} s" for w in windows)
            + " (target ≤ 2 s); "
            + f"{kill_failures(run)} failed requests within 2 s after a kill, "
            + f"{run.errors - kill_failures(run)} at other times (timeouts, statuses "
            + f"{sorted({s for _t, _a, s in run.result['failures']})}).",
            "",
        ]
    lines += [*integrity(run), ""]
    if searched or baseline:
        lines += [
            "### Headroom: short runs at multiples of the peak",
            "",
            *_runs_table(searched + baseline),
            "",
        ]
    if searched:
        h = headroom(searched)
        lines.append(
            f"Headroom with push (largest multiple with call-next p99 < 50 ms and no errors, "
            f"below the first that failed): **{h:g}×** (target ≥ 10×: "
            f"{'met' if h >= 10 else 'NOT met'})."
        )
    if baseline:
        lines.append(
            f"Headroom with the screens polling, same session: **{headroom(baseline):g}×**."
        )
    return lines


# --- handovers during the peak (issue 19, --handovers) ---------------------------------------

MARK_HANDOVERS_START = "<!-- peak_load_handovers:start -->"
MARK_HANDOVERS_END = "<!-- peak_load_handovers:end -->"
CRON_SECONDS = 60.0  # deploy/crontab: `manage.py deliver_handovers` every minute
HANDOVER_ACTIONS = [
    "desk: call next",
    "desk: finish",
    "desk: finish → handover form",
    "desk: hand over and finish",
    "desk: handover reference slip",
    "desk: desk page after an action",
]


def partner_receivers(world: dict[str, Any]) -> list[Any]:
    """Every agency with walk-in services in the run becomes a partner whose webhook endpoint
    is a receiver of its own in this process on 127.0.0.1 (handover_delivery.Receiver, one
    signing secret each). Returns the receivers (serving until the process ends)."""
    from handover_delivery import Receiver

    from servicekontor.catalog.models import Agency
    from servicekontor.handovers import services as handover_services
    from servicekontor.handovers.models import Partner

    codes = {agency for o in world["offices"] for agency, _service in o["walk_in"]}
    receivers = []
    for agency in Agency.objects.filter(code__in=codes).order_by("code"):
        partner, _created = Partner.objects.get_or_create(agency=agency)
        receiver = Receiver(handover_services.add_signing_secret(partner=partner))
        _server, url = receiver.serve()
        Partner.objects.filter(pk=partner.pk).update(webhook_url=url)
        receivers.append(receiver)
    return receivers


class CronSweeps:
    """`manage.py deliver_handovers` in a process of its own with the server's settings,
    CRON_SECONDS after the previous sweep ended (deploy/crontab: every minute; the retries,
    the first attempt is the request's). `delivered` sums what the sweeps report."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.delivered = 0
        self.sweeps = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.wait(CRON_SECONDS):
            done = subprocess.run(
                [sys.executable, "manage.py", "deliver_handovers"],
                cwd=ROOT,
                env=os.environ | SERVER_ENV,
                capture_output=True,
                text=True,
                timeout=300,
            )
            self.sweeps += 1
            found = re.search(r"Delivered (\d+)", done.stdout)
            self.delivered += int(found.group(1)) if found else 0

    def __enter__(self) -> CronSweeps:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()


@dataclass
class HandoverRun:
    run: Run
    share: float
    figures: Any  # handover_load.DeliveryFigures
    retried: int  # outbox rows attempted more than once
    undelivered: int  # outbox rows still undelivered 10 s after the run
    cron: CronSweeps
    rejected: int  # requests the receivers refused (signature)


def handover_run(
    world_file: str,
    server: subprocess.Popen[bytes],
    receivers: list[Any],
    *,
    multiple: float,
    seconds: float,
    share: float,
    pusher: subprocess.Popen[bytes] | None,
    task_worker: TaskWorker | None = None,
) -> HandoverRun:
    """The measured run again with `share` of the finishes handed over, the cron sweeps
    running beside it; the deliveries of the run's handovers (see handover_load)."""
    from django.db import connections
    from django.db.models import Max
    from handover_load import delivery_figures

    from servicekontor.handovers.models import Delivery, Handover

    last = Handover.objects.aggregate(m=Max("pk"))["m"] or 0
    posts = sum(r.posts for r in receivers)
    rejected = sum(r.rejected for r in receivers)
    with CronSweeps() as cron:
        run = run_once(
            world_file,
            server,
            multiple=multiple,
            seconds=seconds,
            kill=False,
            pusher=pusher,
            handovers=share,
            task_worker=task_worker,
        )
        ours = Delivery.objects.filter(handover_id__gt=last)
        wait_until = time.monotonic() + 10  # normally none is left: the request delivers
        while ours.filter(delivered_at=None).exists() and time.monotonic() < wait_until:
            time.sleep(0.2)
    arrived: dict[str, Any] = {}
    for r in receivers:
        with r.lock:
            arrived.update(r.arrived)
    created = dict(ours.values_list("message_id", "handover__created_at"))
    figures = delivery_figures(
        created, arrived, verified_posts=sum(r.posts for r in receivers) - posts
    )
    result = HandoverRun(
        run=run,
        share=share,
        figures=figures,
        retried=ours.filter(attempts__gt=1).count(),
        undelivered=ours.filter(delivered_at=None).count(),
        cron=cron,
        rejected=sum(r.rejected for r in receivers) - rejected,
    )
    connections.close_all()
    return result


def _p50_p99(run: Run, action: str) -> str:
    if not run.samples(action):
        return "–"
    return f"{run.p(action, 50):.1f} / {run.p(action, 99):.1f}"


def handover_report(
    args: argparse.Namespace, world: dict[str, Any], plain: Run, handed: HandoverRun
) -> list[str]:
    run, f = handed.run, handed.figures
    command = (
        f"`DATABASE_URL=postgres://postgres@127.0.0.1:5432/{db_name()} "
        f"PEAK_REDIS_URL={REDIS_URL} .venv/bin/python benchmarks/peak_load.py "
        f"--multiple {args.multiple:g} --seconds {args.seconds:g} --handovers {handed.share:g}"
        f" --workers {args.workers}"
        f"{f' --screen-workers {args.screen_workers}' if args.screen_workers else ''}"
        f"{f' --public-workers {args.public_workers}' if args.public_workers else ''}"
        f"{f' --client-nice {args.client_nice}' if args.client_nice else ''}"
        f"{' --tasks immediate' if args.tasks == 'immediate' else ''}`"
    )
    told = run.status("desk: hand over and finish", 303)
    span = WARMUP_SECONDS + run.seconds
    offered = handed.share * run.multiple * world["rates"]["visits"]
    agencies = len({a for o in world["offices"] for a, _s in o["walk_in"]})

    def row(label: str, value: Any) -> str:
        return f"| {label} | {value(plain)} | {value(run)} |"

    return [
        f"Command: {command}",
        "",
        f"Two runs in one session against the same gunicorn ({args.workers} sync workers), "
        f"push server, Redis and PostgreSQL, each {WARMUP_SECONDS} s warm-up + "
        f"{run.seconds:g} s measured at {run.multiple:g}× the national peak "
        f"({len(world['offices'])} offices, {world['desk_count']} desks, screens with push): "
        f"first without handovers, then with {handed.share:.0%} of the desks' finishes "
        "ending with a handover (documents forwarded, referred or meeting booked, at random) "
        "through the desk's form as an officer fills it (peak_locust.HandoverDesk: the "
        "finish opens the form, the form is submitted with errand, need, documents, contact "
        f"and consent, the reference slip is shown, the officer returns to the desk). The "
        f"{agencies} agencies with walk-in services are partners whose endpoints are "
        "receivers on 127.0.0.1 in the benchmark's process (handover_delivery.Receiver: "
        "each request verified with `standardwebhooks`, the first receipt per webhook-id "
        "kept). "
        + (
            "The first attempt in the task worker (`db_worker`, decision 0044); "
            if args.tasks == "worker"
            else "The first attempt after the commit inside the gunicorn request that "
            "finished the visit (immediate backend); "
        )
        + "`manage.py deliver_handovers` as a "
        f"process of its own {CRON_SECONDS:g} s after the previous sweep ended (deploy/crontab "
        f"runs it every minute; the retries: {handed.cron.sweeps} sweeps delivered "
        f"{handed.cron.delivered}).",
        "",
        "| handovers (whole run, warm-up included) | |",
        "|---|---:|",
        f"| finished with a handover (the desk was answered 303) | {told:,} |",
        f"| written (handover and outbox row in the database) | {f.finished:,} |",
        f"| delivered (verified by the receiver) | {f.delivered:,} |",
        f"| duplicates (a webhook-id received again; the receiver keeps the first) | "
        f"{f.duplicates:,} |",
        f"| attempted more than once / undelivered 10 s after the run | "
        f"{handed.retried:,} / {handed.undelivered:,} |",
        f"| refused by the receiver (signature) | {handed.rejected:,} |",
        f"| delivered per s over the {span:g} s (offered: {offered:.2f}/s) | "
        f"{f.delivered / span:.2f} |",
        "| finish → delivery p50 / p99 / max ms | "
        + (
            f"{f.delay.p50:.0f} / {f.delay.p99:.0f} / {max(f.delay.values):.0f} |"
            if f.delay.values
            else "– (none delivered) |"
        ),
        "",
        "The delay runs from the handover's `created_at` (inside the finish's transaction, "
        "in the gunicorn worker) to the receiver having verified the request (the clock of "
        "the same machine).",
        "",
        "| same session | without handovers | with handovers |",
        "|---|---:|---:|",
        row("requests/s", lambda r: f"{r.requests / r.seconds:.0f}"),
        row("desk: call next p50 / p99 ms", lambda r: _p50_p99(r, "desk: call next")),
        row("desk: finish (plain) p50 / p99 ms", lambda r: _p50_p99(r, "desk: finish")),
        row(
            "desk: hand over and finish p50 / p99 ms",
            lambda r: _p50_p99(r, "desk: hand over and finish"),
        ),
        row(
            "finishes answered, plain / with a handover (whole run)",
            lambda r: (
                f"{r.status('desk: finish', 303) + r.status('desk: finish', 200):,} / "
                f"{r.status('desk: hand over and finish', 303):,}"
            ),
        ),
        row("errors", lambda r: f"{r.errors}"),
        row(
            "Django / PostgreSQL CPU per request ms",
            lambda r: f"{r.django_ms:.2f} / {r.postgres_ms:.2f}",
        ),
        row("1-minute load average", lambda r: f"{r.load[0]:.1f} → {r.load[1]:.1f}"),
        "",
        "The run with handovers, desk actions:",
        "",
        *table(run, HANDOVER_ACTIONS),
    ]


if __name__ == "__main__":
    main()
