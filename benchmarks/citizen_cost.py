"""CPU, SQL statements and Redis commands per kiosk and citizen request, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_citizen \\
      PEAK_REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python benchmarks/citizen_cost.py

The requests of the national peak that share the normal-priority pool with call-next
(benchmarks/peak_locust.py: `kiosk` and `citizen`): a kiosk's "issue ticket" and "ticket page",
a citizen's "search offices near a place", "free times of an office", "contact form", "book"
and "booking confirmation", each made as the load generator makes it, through Django's test
client (no HTTP, no gunicorn).

Drops and recreates the database of DATABASE_URL, loads the real registry
(`load_reference_data`) and takes the network of peak_load.py (the offices open at its busiest
hour with walk-in services, made open around the clock; every bookable offering of those
offices). Production settings as in peak_load.py (DEBUG off, DEMO off, the shared Redis cache
and sessions, rate limits raised because every request comes from one address). Then
CITIZEN_COST_N rounds (default 200), each: one ticket at a random office of the network and its
page, one search near a random bookable office and that office's free times; every
`searches_per_booking`-th round also the contact form of a listed time, the booking and its
confirmation (the load generator's mix). Random choices are seeded: two runs make the same
requests. Before them (CITIZEN_COST_WARM_ALL=1, the default) every bookable offering is
searched once and every kiosk's start page shown once, so that the shared caches are as a
running peak has them; then the first CITIZEN_COST_WARM rounds (default 20) are not counted
either.

Reported per request: this process's CPU time (Django + driver; PostgreSQL's and Redis's own
CPU is not in it; median and mean), SQL statements (every `execute`, BEGIN/COMMIT included)
and Redis commands (a pipeline counts once), median and max. CITIZEN_COST_APP=<tree> runs
another checkout's code (e.g. /work/main) under this same harness, for a before/after in one
session. CITIZEN_COST_TASKS=worker (the default, production's database queue, decision 0044)
or immediate (every task inside the request that enqueues it, the setting before): with
`worker`, each booking's task is then run as `manage.py db_worker` runs it (its Worker, in
this process) and its CPU is reported on a line of its own ("worker: the booking's task"),
so the mail's cost is moved, not hidden. CITIZEN_COST_PROFILE=<prefix> writes one cProfile file per request kind
(`<prefix><kind>.prof`, CPU clock), to read with pstats.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# CITIZEN_COST_APP: the checkout whose code is measured (default: this one).
ROOT = Path(os.environ.get("CITIZEN_COST_APP") or Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
import peak_load  # noqa: E402  (its SERVER_ENV: production settings, limits raised)
from poll_cost import Counts  # noqa: E402

sys.path.insert(0, str(ROOT))  # before peak_load's own checkout: the code measured

TASKS = os.environ.get("CITIZEN_COST_TASKS", "worker")
os.environ["TASKS_BACKEND"] = peak_load.TASKS_BACKENDS[TASKS]
N = int(os.environ.get("CITIZEN_COST_N", "200"))
WARM = int(os.environ.get("CITIZEN_COST_WARM", "20"))
PROFILE = os.environ.get("CITIZEN_COST_PROFILE", "")
WARM_ALL = os.environ.get("CITIZEN_COST_WARM_ALL", "1") == "1"
CONTACT_LINK = re.compile(r'href="(/book/service/\d+/[\w-]+/\d+/)"')
KINDS = (
    "kiosk: issue ticket",
    "kiosk: ticket page",
    "citizen: search offices near a place",
    "citizen: free times of an office",
    "citizen: contact form",
    "citizen: book",
    "citizen: booking confirmation",
    "worker: the booking's task",
)


def identity_number(n: int) -> str:
    """A valid personal identity number (Luhn), a different one for each n: the booking rules
    limit bookings per person and day, and one person is recognised by number or e-mail."""
    born = f"19{70 + n // 900 % 30:02d}0101"
    serial = f"{n % 900 + 1:03d}"
    digits = born[2:] + serial
    total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(digits))
    return f"{born}-{serial}{(10 - total % 10) % 10}"


class Meter:
    """CPU ms, SQL statements and Redis commands of each request, by kind."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.cpu: dict[str, list[float]] = {k: [] for k in KINDS}
        self.statements: dict[str, list[int]] = {k: [] for k in KINDS}
        self.redis: dict[str, list[int]] = {k: [] for k in KINDS}
        self.recording = False
        self.profilers: dict[str, Any] = {}

    def __call__(self, kind: str, expect: int, call: Callable[..., Any], *args: Any) -> Any:
        from django.db import connection

        sent = [0]

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            sent[0] += 1
            return execute(*args)

        profiler = None
        if PROFILE and self.recording:
            import cProfile

            profiler = self.profilers.setdefault(kind, cProfile.Profile(time.process_time))
        redis_before = self.counts.redis_commands
        with connection.execute_wrapper(count):
            if profiler is not None:
                profiler.enable()
            cpu = time.process_time()
            response = call(*args)
            spent = time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
        assert response.status_code == expect, (
            kind,
            response.status_code,
            response.content[-3000:],
        )
        if self.recording:
            self.cpu[kind].append(1000 * spent)
            self.statements[kind].append(sent[0])
            self.redis[kind].append(self.counts.redis_commands - redis_before)
        return response


def build_network() -> tuple[list[tuple[str, str, int]], list[tuple[int, str, str]]]:
    """(kiosks: office code, agency code, service id) and (bookable: service id, office code,
    query near the office), as peak_load.build_world takes them."""
    import datetime as dt

    from django.core.management import call_command

    from servicekontor.core import clock
    from servicekontor.network import queries as network_queries
    from servicekontor.network.models import Offering
    from servicekontor.queueing import queries
    from tests.factories import open_around_the_clock

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    today = clock.local_today()
    busiest = dt.datetime.combine(today, peak_load.BUSIEST_HOUR, tzinfo=clock.STOCKHOLM)
    kiosks = []
    codes = set()
    for office in network_queries.offices_operating_on(day=today).order_by("code"):
        walk_in = list(queries.walk_in_services(office=office, day=today).select_related("agency"))
        active = office.service_points.filter(is_active=True).exists()
        if not walk_in or not active or not network_queries.is_open(office=office, at=busiest):
            continue
        open_around_the_clock(office)
        codes.add(office.code)
        kiosks += [(office.code, s.agency.code, s.pk) for s in walk_in]
    if not codes:
        raise SystemExit(f"No office is open at {peak_load.BUSIEST_HOUR:%H:%M} today (a weekend?).")
    bookable = [
        (o.service_id, o.office.code, f"lat={o.office.latitude}&lon={o.office.longitude}")
        for o in Offering.objects.valid_on(today)
        .exclude(service__mode="walk_in")
        .select_related("office")
        .order_by("pk")
        if o.office.code in codes
    ]
    return kiosks, bookable


class _Done:
    status_code = 200


def run_worker() -> _Done:
    """`manage.py db_worker --batch` in this process: every ready task, then return."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="citizen-cost",
        excluded_queue_names=[],
    ).run()
    return _Done()


def main() -> None:
    peak_load.recreate_database()
    django.setup()
    counts = Counts()
    counts.install()
    from django.core import mail
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    cache.clear()  # an earlier run's registry inputs and sessions
    setup_test_environment()  # mails to mail.outbox (the dummy backend in peak_load)
    kiosks, bookable = build_network()
    import servicekontor

    print(f"measuring the code at {Path(servicekontor.__file__).parent.parent}")
    print(f"tasks: {TASKS} ({os.environ['TASKS_BACKEND']})")
    print(
        f"network: {len({k[0] for k in kiosks})} offices with walk-in services, "
        f"{len(bookable)} bookable offerings"
    )
    meter = Meter(counts)
    if WARM_ALL:
        # The shared caches as a running peak has them: every bookable offering searched
        # once and every kiosk shown once (not measured).
        warm = Client()
        for service_id, _office, near in bookable:
            warm.get(f"/book/service/{service_id}/?{near}")
        for office_code in sorted({k[0] for k in kiosks}):
            warm.get(f"/queue/{office_code}/")
        print(f"warmed: {len(bookable)} searches, {len({k[0] for k in kiosks})} kiosk pages")
    rng = random.Random(13)
    booked = 0
    for round_ in range(WARM + N):
        meter.recording = round_ >= WARM
        kiosk = Client()
        office, agency, service = rng.choice(kiosks)
        issued = meter(
            "kiosk: issue ticket",
            303,
            kiosk.post,
            f"/queue/{office}/{agency}/",
            {"service": service},
        )
        meter("kiosk: ticket page", 200, kiosk.get, issued["Location"])
        citizen = Client()
        service_id, office_code, near = rng.choice(bookable)
        meter(
            "citizen: search offices near a place",
            200,
            citizen.get,
            f"/book/service/{service_id}/?{near}",
        )
        times = meter(
            "citizen: free times of an office",
            200,
            citizen.get,
            f"/book/service/{service_id}/{office_code}/",
        )
        if round_ % peak_load.SEARCHES_PER_BOOKING:
            continue
        links = CONTACT_LINK.findall(times.content.decode())
        if not links:
            continue
        path = rng.choice(links)
        meter("citizen: contact form", 200, citizen.get, path)
        booked += 1
        contact = {
            "name": "Peak Load",
            "email": f"peak{booked}@example.org",
            "personal_identity_number": identity_number(booked),
        }
        made = meter("citizen: book", 302, citizen.post, path, contact)
        if TASKS == "worker":
            assert not mail.outbox, "the booking's request sent its mail"
            meter("worker: the booking's task", 200, run_worker)
            assert len(mail.outbox) == 1, "the worker did not send the booking's mail"
        meter("citizen: booking confirmation", 200, citizen.get, made["Location"])
        mail.outbox.clear()

    print()
    print(
        "| request | requests | CPU ms median | CPU ms mean | SQL statements median (max)"
        " | Redis commands median (max) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for kind in KINDS:
        cpu = meter.cpu[kind]
        if not cpu:
            print(f"| {kind} | 0 | | | | |")
            continue
        sql, rds = meter.statements[kind], meter.redis[kind]
        print(
            f"| {kind} | {len(cpu)} | {statistics.median(cpu):.2f} | {statistics.mean(cpu):.2f}"
            f" | {statistics.median(sql):g} ({max(sql)}) | {statistics.median(rds):g} ({max(rds)}) |"
        )
    for kind, profiler in meter.profilers.items():
        slug = re.sub(r"[^a-z]+", "-", kind).strip("-")
        profiler.dump_stats(f"{PROFILE}{slug}.prof")


if __name__ == "__main__":
    main()
