"""Statistics on a year (or several) of visits on PostgreSQL: reports from the rollups beside
hand-written SQL over the raw visit log, same numbers, timed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_stats \\
        .venv/bin/python benchmarks/reports_bench.py [--years 1] [--visits-per-year 3000000]
        [--runs 30] [--raw-runs 3] [--reuse] [--no-docs]

What it does:
1. Data. Unless `--reuse`, it empties the visit tables of that database (it must not be a
   database you care about; it refuses one without "bench" or "stats" in its name) and
   writes `--years` years of visits ending 2025-12-31 with a bulk GENERATOR in this file,
   because the network simulator of issue 14 part 1 (`manage.py simulate`) had not landed
   when this was written: 110 offices of very different sizes (the largest ~15 times the
   smallest), 5 agencies, 30 services, Monday–Friday 10–16, about 3 million visits a year
   with walk-ins and bookings (early, late, no-shows), recalls, holds, transfers to another
   agency, people who left, leftovers at closing and multi-errand visits. Rows go in with
   COPY and are the same rows the queue writes (Visit, VisitEvent, Errand); the rollups are
   computed from them with the same `measures.visit_contributions` the live path uses.
   With `--reuse` it measures whatever is in the database (e.g. a year from `simulate`,
   which rebuilds the rollups of what it loads); without the bench offices the dashboard
   is that of the office with the most visits in the last year.
2. Reports, each timed `--runs` times (p50, p99), beside a hand-written SQL query over the
   raw log (Visit, VisitEvent, Errand) that computes the same figures, `--raw-runs` times:
   - national monthly report: every office × agency, December of the last year;
   - an agency's yearly report: the largest agency, its 12 months (each beside the same
     month a year earlier), every office, and the total;
   - an office dashboard: the busiest office, today (2025-12-31 in a frozen clock) and the
     last 12 weeks (the whole dashboard function; the raw SQL computes its weekly figures).
   The numbers are compared field by field and any difference fails the run.
3. Figures to stdout and to docs/benchmarks.md between the reports_bench markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEMO", "1")
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from servicekontor.catalog.models import Agency, Service  # noqa: E402
from servicekontor.core import clock  # noqa: E402
from servicekontor.network.models import Office  # noqa: E402
from servicekontor.queueing.models import Visit  # noqa: E402
from servicekontor.reports import measures, rollups  # noqa: E402
from servicekontor.reports.agency_report import agency_year_report  # noqa: E402
from servicekontor.reports.dashboards import office_dashboard  # noqa: E402
from servicekontor.reports.queries import Figures, figures  # noqa: E402
from servicekontor.reports.scope import EVERYTHING  # noqa: E402

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LAST_DAY = dt.date(2025, 12, 31)
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "## Statistics reports (`benchmarks/reports_bench.py`)"
OFFICES = 110
AGENCIES = (  # code, letter, share of visits, services
    ("bench-skatteverket", "S", 0.40, 8),
    ("bench-forsakringskassan", "F", 0.30, 8),
    ("bench-pensionsmyndigheten", "P", 0.15, 5),
    ("bench-arbetsformedlingen", "A", 0.10, 5),
    ("bench-migrationsverket", "M", 0.05, 4),
)
OUTCOMES = ("resolved", "e_service", "documents_forwarded", "referred", "meeting_booked")
LANGUAGES = ("ar", "so", "ti", "fa", "uk", "pl")


# --- 1. data --------------------------------------------------------------------------------


def _registry(rng: random.Random) -> tuple[list[int], list[tuple[int, int, float]]]:
    """Bench offices and services (created once); returns office ids and (service, agency,
    weight) rows."""
    if not Office.objects.filter(code="bench-000").exists():
        Office.objects.bulk_create(
            Office(
                code=f"bench-{i:03d}",
                name=f"Benchkontor {i:03d}",
                municipality=f"Kommun {i % 60}",
                county=f"Län {i % 21:02d}",
                street_address="Storgatan 1",
                postal_code="111 11",
                postal_town="Stad",
                latitude=59 + (i % 10) / 10,
                longitude=15 + (i % 7) / 10,
                opened_on=dt.date(2019, 6, 1),
            )
            for i in range(OFFICES)
        )
        for code, letter, _share, n in AGENCIES:
            agency = Agency.objects.filter(ticket_letter=letter).first() or Agency.objects.create(
                code=code, name_sv=code, name_en=code, ticket_letter=letter
            )
            Service.objects.bulk_create(
                Service(
                    agency=agency,
                    code=f"bench-{j}",
                    name_sv=f"{code} {j}",
                    name_en=f"{code} {j}",
                    handling_minutes=8 + 3 * j,
                )
                for j in range(n)
                if not Service.objects.filter(agency=agency, code=f"bench-{j}").exists()
            )
    offices = list(
        Office.objects.filter(code__startswith="bench-")
        .order_by("code")
        .values_list("pk", flat=True)
    )
    rows = []
    for _code, letter, share, _n in AGENCIES:
        agency = Agency.objects.get(ticket_letter=letter)
        services = list(
            Service.objects.filter(agency=agency, code__startswith="bench-").order_by("code")
        )
        weights = [1 / (j + 1) for j in range(len(services))]
        for s, w in zip(services, weights, strict=True):
            rows.append((s.pk, agency.pk, share * w / sum(weights)))
    return offices, rows


def _open_days(years: int, last_year: int = LAST_DAY.year) -> list[dt.date]:
    first, last = dt.date(last_year - years + 1, 1, 1), dt.date(last_year, 12, 31)
    return [
        first + dt.timedelta(days=i)
        for i in range((last - first).days + 1)
        if (first + dt.timedelta(days=i)).weekday() < 5
    ]


def _local(day: dt.date, seconds: float) -> dt.datetime:
    return (
        dt.datetime.combine(day, dt.time(), STOCKHOLM) + dt.timedelta(seconds=seconds)
    ).astimezone(dt.UTC)


def generate(years: int, per_year: int, seed: int = 14, add: bool = False) -> dict[str, int]:
    """Write the visits with COPY and their rollups; returns row counts. With `add`, the
    years go before the earliest year already there, and nothing is emptied."""
    rng = random.Random(seed + (7 if add else 0))
    last_year = LAST_DAY.year
    with connection.cursor() as c:
        if add:
            c.execute("SELECT min(local_day) FROM queueing_visit")
            earliest = c.fetchone()[0]
            last_year = (earliest.year if earliest else LAST_DAY.year + 1) - 1
        else:
            c.execute(
                "TRUNCATE queueing_visitevent, queueing_errand, queueing_visit,"
                " queueing_ticketcounter, reports_dayfigures, reports_hourfigures,"
                " reports_waitfigures, reports_errandfigures, reports_monthfigures,"
                " reports_monthwaitfigures, reports_occupancyfigures RESTART IDENTITY CASCADE"
            )
        ids = []
        for table in ("queueing_visit", "queueing_visitevent", "queueing_errand"):
            c.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            ids.append(c.fetchone()[0])
    offices, services = _registry(rng)
    service_ids = [s for s, _a, _w in services]
    service_w = [w for _s, _a, w in services]
    agency_of = {s: a for s, a, _w in services}
    size = [1 / (i + 4) ** 0.8 for i in range(len(offices))]  # Kista-like first, tiny last
    days = _open_days(years, last_year)
    per_day = per_year / len(_open_days(1))
    office_mean = [per_day * w / sum(size) for w in size]
    counts = {"visits": 0, "events": 0, "errands": 0, "rollup_rows": 0}
    connection.ensure_connection()
    raw = connection.connection  # Django's psycopg connection, autocommit
    vid, eid, rid = ids
    spent = {"generate": 0.0, "copy": 0.0}
    started = time.perf_counter()
    with raw.cursor() as cur:
        # A commit per COPY waits for the disk every time; this load is reproducible, so it
        # may lose its last seconds in a crash. One transaction per month.
        cur.execute("SET synchronous_commit TO off")
        # Foreign-key triggers checked every copied row (~4 lookups per event); the generator
        # writes only ids it created. Needs a superuser, as the benchmark database has.
        cur.execute("SET session_replication_role TO replica")
        cur.execute("BEGIN")
        for day in days:  # one batch per day: memory stays flat
            season = 1.25 if day.month in (3, 4, 5) else 0.8 if day.month in (7, 8) else 1.0
            t_gen = time.perf_counter()
            visit_rows: list[tuple[Any, ...]] = []
            event_rows: list[tuple[Any, ...]] = []
            errand_rows: list[tuple[Any, ...]] = []
            totals: measures.Contributions = {}
            for o_index, office in enumerate(offices):
                n = max(1, round(rng.gauss(office_mean[o_index] * season, 3)))
                arrivals = sorted(rng.uniform(0, 6 * 3600) for _ in range(n))
                for ticket, t_rel in enumerate(arrivals, start=1):
                    vid += 1
                    row, evs, errs = _visit(
                        rng,
                        vid,
                        office,
                        day,
                        ticket,
                        10 * 3600 + t_rel,
                        service_ids,
                        service_w,
                        agency_of,
                    )
                    visit_rows.append(row)
                    event_rows.extend(evs)
                    errand_rows.extend(errs)
                    booked = row[7] == "appointment"
                    measures.add_into(
                        totals,
                        measures.visit_contributions(
                            measures.VisitRow(vid, office, day, booked, row[9], row[11]),
                            [measures.EventRow(e[4], e[5], e[6], e[7], e[3]) for e in evs],
                            [measures.ErrandRow(e[3], e[4], e[5], e[6], e[7], e[8]) for e in errs],
                            agency_of,
                        ),
                    )
            spent["generate"] += time.perf_counter() - t_gen
            t_copy = time.perf_counter()
            with cur.copy(
                "COPY queueing_visit (id, office_id, service_id, local_day, ticket_letter,"
                " ticket_number, state, source, priority, arrived_at, queued_at, booked_start,"
                " booking_reference, called_at, call_count, outcome, note, notify_contact)"
                " FROM STDIN"
            ) as copy:
                for row in visit_rows:
                    copy.write_row(row)
            with cur.copy(
                "COPY queueing_visitevent (id, visit_id, office_id, service_id, at, action,"
                " from_state, to_state, service_point_id, officer_id, outcome) FROM STDIN"
            ) as copy:
                for e in event_rows:
                    eid += 1
                    copy.write_row(
                        (eid, e[0], e[1], e[3], e[4], e[5], e[6], e[7], None, None, e[8])
                    )
            with cur.copy(
                "COPY queueing_errand (id, visit_id, position, service_id, outcome,"
                " interpreter_used, interpreter_language, service_seconds, first_for_agency,"
                " recorded_at, officer_id) FROM STDIN"
            ) as copy:
                for e in errand_rows:
                    rid += 1
                    copy.write_row(
                        (rid, e[0], e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9], None)
                    )
            _copy_rollups(cur, totals, agency_of)
            counts["rollup_rows"] += len(totals)
            spent["copy"] += time.perf_counter() - t_copy
            if (day + dt.timedelta(days=3)).month != day.month:  # last open day of a month
                cur.execute("COMMIT")
                cur.execute("BEGIN")
            if day.day <= 3 and day.month % 3 == 1:
                print(f"  {day}: {vid:,} visits, {time.perf_counter() - started:.0f} s", flush=True)
        cur.execute("COMMIT")
        cur.execute("SET session_replication_role TO DEFAULT")
    counts.update(visits=vid - ids[0], events=eid - ids[1], errands=rid - ids[2])
    with transaction.atomic():
        rollups.rebuild_months(start=days[0], end=days[-1])
    with connection.cursor() as c:
        for table in ("queueing_visit", "queueing_visitevent", "queueing_errand"):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        c.execute("ANALYZE")
    print(
        f"  loaded and analysed in {time.perf_counter() - started:.0f} s (generating"
        f" {spent['generate']:.0f} s, COPY {spent['copy']:.0f} s)"
    )
    return counts


def _visit(
    rng: random.Random,
    vid: int,
    office: int,
    day: dt.date,
    ticket: int,
    t: float,
    service_ids: list[int],
    service_w: list[float],
    agency_of: dict[int, int],
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One visit's row, events and errands, in the shapes the queue writes them."""
    service = rng.choices(service_ids, service_w)[0]
    arrived = _local(day, t)
    booked = rng.random() < 0.15
    booked_start = None
    evs: list[tuple[Any, ...]] = []
    errs: list[tuple[Any, ...]] = []

    def ev(at: float, action: str, frm: str, to: str, svc: int, outcome: str = "") -> None:
        evs.append((vid, office, None, svc, _local(day, at), action, frm, to, outcome))

    outcome, calls = "", 0
    if booked:
        slot = 10 * 3600 + 1200 * int((t - 10 * 3600) // 1200)
        booked_start = _local(day, slot)
        if rng.random() < 0.08:  # a booking nobody came to
            arrived = booked_start
            ev(slot + 600, "no_show", "", "no_show", service, "no_show")
            return (
                _row(
                    vid,
                    office,
                    service,
                    day,
                    None,
                    "no_show",
                    True,
                    arrived,
                    booked_start,
                    "no_show",
                    0,
                ),
                evs,
                errs,
            )
        t = slot + rng.gauss(-300, 420)  # early or late
        arrived = _local(day, t)
        ev(t, "check_in", "", "waiting", service)
        wait_from = max(t, slot)
    else:
        ev(t, "issue", "", "waiting", service)
        wait_from = t
    now = wait_from + rng.expovariate(1 / 720)
    if now > 16 * 3600 + 600 or rng.random() < 0.01:  # still waiting at closing
        ev(max(now, 16 * 3600), "close", "waiting", "not_served", service, "not_served_at_closing")
        return (
            _row(
                vid,
                office,
                service,
                day,
                ticket,
                "not_served",
                booked,
                arrived,
                booked_start,
                "not_served_at_closing",
                0,
            ),
            evs,
            errs,
        )
    ev(now, "call", "waiting", "called", service)
    calls = 1
    if rng.random() < 0.05:
        now += 40
        ev(now, "recall", "called", "called", service)
        calls = 2
    if rng.random() < 0.03:  # had left: not there when called
        now += 60
        ev(now, "no_show", "called", "no_show", service, "no_show")
        return (
            _row(
                vid,
                office,
                service,
                day,
                ticket,
                "no_show",
                booked,
                arrived,
                booked_start,
                "no_show",
                calls,
            ),
            evs,
            errs,
        )
    now += 30
    ev(now, "start", "called", "serving", service)
    served_since = now
    position = 0
    seen: set[int] = set()

    def errand(svc: int, outc: str, seconds: int) -> None:
        nonlocal position
        position += 1
        interpreter = rng.random() < 0.04
        errs.append(
            (
                vid,
                office,
                position,
                svc,
                outc,
                interpreter,
                rng.choice(LANGUAGES) if interpreter and rng.random() < 0.9 else "",
                seconds,
                agency_of[svc] not in seen,
                _local(day, now),
            )
        )
        seen.add(agency_of[svc])

    if rng.random() < 0.03:  # hold while the citizen fetches a document
        now += rng.uniform(60, 300)
        ev(now, "hold", "serving", "on_hold", service)
        served = int(now - served_since)
        now += rng.uniform(300, 1200)
        ev(now, "call", "on_hold", "called", service)
        now += 20
        ev(now, "start", "called", "serving", service)
        served_since = now - served
    if rng.random() < 0.04:  # wrong queue: part served, transferred to another agency
        now += rng.uniform(60, 240)
        errand(service, "transferred", int(now - served_since))
        other = rng.choices(service_ids, service_w)[0]
        while agency_of[other] == agency_of[service]:
            other = rng.choices(service_ids, service_w)[0]
        ev(now, "transfer", "serving", "waiting", other)
        service = other
        now += rng.expovariate(1 / 600)
        ev(now, "call", "waiting", "called", service)
        now += 30
        ev(now, "start", "called", "serving", service)
        served_since = now
    seconds = int(rng.lognormvariate(math.log(540), 0.5))
    if rng.random() < 0.10:  # two errands
        first = int(seconds * rng.uniform(0.3, 0.7))
        now += first
        errand(service, rng.choice(OUTCOMES), int(now - served_since))
        served_since = now
        second = rng.choices(service_ids, service_w)[0]
        now += seconds - first
        ev(now, "finish", "serving", "finished", service, outcome := rng.choice(OUTCOMES))
        errand(second, outcome, int(now - served_since))
    else:
        now += seconds
        outcome = rng.choice(OUTCOMES)
        ev(now, "finish", "serving", "finished", service, outcome)
        errand(service, outcome, int(now - served_since))
    return (
        _row(
            vid,
            office,
            service,
            day,
            ticket,
            "finished",
            booked,
            arrived,
            booked_start,
            outcome,
            calls,
        ),
        evs,
        errs,
    )


def _row(vid, office, service, day, ticket, state, booked, arrived, booked_start, outcome, calls):
    return (
        vid,
        office,
        service,
        day,
        "X",
        ticket,
        state,
        "appointment" if booked else "kiosk",
        0,
        arrived,
        arrived,
        booked_start,
        f"BENCH-{vid}" if booked else "",
        None,
        calls,
        outcome,
        "",
        "",
    )


def _copy_rollups(cur: Any, totals: measures.Contributions, agency_of: dict[int, int]) -> None:
    tables = {
        "day": ("reports_dayfigures", (), measures.DAY_FIELDS),
        "hour": ("reports_hourfigures", ("hour",), ("arrivals",)),
        "wait": ("reports_waitfigures", ("minute",), ("visits",)),
        "errand": ("reports_errandfigures", ("outcome", "language"), ("errands",)),
    }
    for kind, (table, extra, values) in tables.items():
        columns = ("office_id", "service_id", "agency_id", "local_day", *extra, *values)
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for key, fields in totals.items():
                if key[0] != kind:
                    continue
                _k, office, service, day, *rest = key
                copy.write_row(
                    (
                        office,
                        service,
                        agency_of[int(str(service))],
                        day,
                        *rest,
                        *[fields.get(v, 0) for v in values],
                    )
                )


# --- 2. the raw SQL -------------------------------------------------------------------------

RAW_VISIT_FIGURES = """
WITH v AS (
    SELECT id, office_id, local_day, source, arrived_at, booked_start
    FROM queueing_visit
    WHERE local_day BETWEEN %(start)s AND %(end)s {visit_filter}
), e AS (
    SELECT ev.visit_id, ev.action, ev.from_state, ev.at,
           CASE WHEN ev.action = 'transfer'
                THEN lag(ev.service_id) OVER w ELSE ev.service_id END AS svc,
           count(*) FILTER (WHERE ev.action = 'call') OVER w AS calls_so_far
    FROM queueing_visitevent ev JOIN v ON v.id = ev.visit_id
    WINDOW w AS (PARTITION BY ev.visit_id ORDER BY ev.at, ev.id)
), x AS (
    SELECT {group_select}a.id AS agency_id, e.action, e.from_state, v.source,
           (e.action = 'call' AND e.calls_so_far = 1) AS first_call,
           greatest(0, floor(extract(epoch FROM e.at - CASE
               WHEN v.source = 'appointment' AND v.booked_start IS NOT NULL
               THEN greatest(v.arrived_at, v.booked_start) ELSE v.arrived_at END)))::bigint AS waited,
           a.service_level_minutes AS target
    FROM e JOIN v ON v.id = e.visit_id
    JOIN catalog_service s ON s.id = e.svc JOIN catalog_agency a ON a.id = s.agency_id
    {agency_filter}
)
SELECT {group_cols},
    count(*) FILTER (WHERE from_state = '' AND source <> 'appointment') AS visits_walk_in,
    count(*) FILTER (WHERE from_state = '' AND source = 'appointment') AS visits_booked,
    count(*) FILTER (WHERE action = 'finish') AS served,
    count(*) FILTER (WHERE action = 'no_show' AND from_state = '') AS no_show,
    count(*) FILTER (WHERE action = 'no_show' AND from_state = 'called') AS left_queue,
    count(*) FILTER (WHERE action = 'close') AS not_served,
    count(*) FILTER (WHERE action = 'transfer') AS transfers,
    count(*) FILTER (WHERE first_call) AS called,
    coalesce(sum(waited) FILTER (WHERE first_call), 0) AS wait_seconds,
    count(*) FILTER (WHERE first_call AND waited < target * 60) AS within_target,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY waited / 60) FILTER (WHERE first_call),
    percentile_disc(0.9) WITHIN GROUP (ORDER BY waited / 60) FILTER (WHERE first_call)
FROM x GROUP BY {group_cols}
"""

RAW_ERRAND_FIGURES = """
SELECT {group_select}s.agency_id,
    count(*) AS errands,
    count(*) FILTER (WHERE r.first_for_agency) AS errand_visits,
    sum(r.service_seconds) AS handled_seconds,
    count(*) FILTER (WHERE r.interpreter_used) AS interpreter_errands
FROM queueing_errand r JOIN queueing_visit v ON v.id = r.visit_id
JOIN catalog_service s ON s.id = r.service_id
WHERE v.local_day BETWEEN %(start)s AND %(end)s {visit_filter} {agency_filter}
GROUP BY {group_select}s.agency_id
"""

# visits that reached each agency (decision 0055): a service of it in an event, or a served
# errand of it; once per visit and agency
RAW_REACHED = """
SELECT {group_select}x.agency_id, count(*) FROM (
    SELECT ev.visit_id, s.agency_id FROM queueing_visitevent ev
    JOIN catalog_service s ON s.id = ev.service_id
    UNION SELECT r.visit_id, s.agency_id FROM queueing_errand r
    JOIN catalog_service s ON s.id = r.service_id WHERE r.outcome <> 'transferred'
) x JOIN queueing_visit v ON v.id = x.visit_id
WHERE v.local_day BETWEEN %(start)s AND %(end)s {visit_filter} {agency_filter}
GROUP BY {group_select}x.agency_id
"""

GROUPS = {
    "office": "v.office_id",
    "month": "date_trunc('month', v.local_day)::date",
    "week": "date_trunc('week', v.local_day)::date",
}


def raw_figures(
    *,
    start: dt.date,
    end: dt.date,
    by: tuple[str, ...],
    agency_id: int | None = None,
    office_id: int | None = None,
) -> dict[tuple[Any, ...], Figures]:
    """The same figures as `queries.figures`, from the raw log only (grouping by office,
    month or week, optionally with agency)."""
    plain = [b for b in by if b != "agency"]
    visit_filter = f" AND office_id = {int(office_id)}" if office_id else ""
    agency_filter = f" AND a.id = {int(agency_id)}" if agency_id else ""
    params = {"start": start, "end": end}
    out: dict[tuple[Any, ...], dict[str, Any]] = {}

    def key_of(row: tuple[Any, ...], agency: int) -> tuple[Any, ...]:
        values = dict(zip(plain, row, strict=False))
        values["agency"] = agency
        return tuple(values[b] for b in by)

    with connection.cursor() as c:
        sql = RAW_VISIT_FIGURES.format(
            visit_filter=visit_filter,
            agency_filter=("WHERE" + agency_filter[4:]) if agency_filter else "",
            group_select="".join(f"{GROUPS[b]} AS g_{b}, " for b in plain),
            group_cols=", ".join([*(f"g_{b}" for b in plain), "agency_id"]),
        )
        c.execute(sql, params)
        names = [d.name for d in c.description]
        for row in c.fetchall():
            data = dict(zip(names, row, strict=True))
            key = key_of(row[: len(plain)], data["agency_id"])
            cell = out.setdefault(key, {})
            for field in (*measures.DAY_FIELDS, "within_target"):
                if field in data:
                    cell[field] = cell.get(field, 0) + int(data[field])
            cell.setdefault("hist", []).append((row[-2], row[-1]))
        c.execute(
            RAW_ERRAND_FIGURES.format(
                group_select="".join(f"{GROUPS[b]}, " for b in plain),
                visit_filter=visit_filter.replace("office_id", "v.office_id"),
                agency_filter=agency_filter.replace("a.id", "s.agency_id"),
            ),
            params,
        )
        for row in c.fetchall():
            key = key_of(row[: len(plain)], row[len(plain)])
            cell = out.setdefault(key, {})
            for field, value in zip(
                ("errands", "errand_visits", "handled_seconds", "interpreter_errands"),
                row[len(plain) + 1 :],
                strict=True,
            ):
                cell[field] = cell.get(field, 0) + int(value)
        c.execute(
            RAW_REACHED.format(
                group_select="".join(f"{GROUPS[b]}, " for b in plain),
                visit_filter=visit_filter.replace("office_id", "v.office_id"),
                agency_filter=agency_filter.replace("a.id", "x.agency_id"),
            ),
            params,
        )
        for row in c.fetchall():
            cell = out.setdefault(key_of(row[: len(plain)], row[len(plain)]), {})
            cell["reached"] = cell.get("reached", 0) + int(row[-1])
    if "agency" not in by and any(len(cell.get("hist", [])) > 1 for cell in out.values()):
        raise SystemExit("raw_figures: percentiles across agencies need the agency grouping")
    result = {}
    for key, cell in out.items():
        median, p90 = (cell.get("hist") or [(None, None)])[0]
        result[key] = Figures(
            **{f: cell.get(f, 0) for f in measures.DAY_FIELDS},
            within_target=cell.get("within_target", 0),
            wait_median_minutes=None if median is None else int(median),
            wait_p90_minutes=None if p90 is None else int(p90),
        )
    return result


# --- 3. what keeping the rollups costs a desk ---------------------------------------------


def write_cost(cycles: int) -> tuple[float, float]:
    """Milliseconds per visit (ticket, call, start, finish through the services, each its own
    transaction) with the rollup receivers connected and disconnected, alternating blocks."""
    from servicekontor.queueing import services
    from servicekontor.queueing.signals import errands_recorded, visit_event_appended
    from tests.factories import (
        make_offering,
        make_office,
        make_service,
        make_user,
    )

    with time_machine.travel(dt.datetime(2026, 11, 25, 11, 0, tzinfo=STOCKHOLM), tick=True):
        tag = f"{random.randrange(16**8):08x}"  # codes of a rerun must not collide
        office = make_office(counters=1, code=f"write-{tag}")
        agency = Agency.objects.get(ticket_letter="S")
        service = make_service(agency=agency, code=f"write-{tag}")
        make_offering(office=office, service=service)
        officer = make_user(offices=[office], agencies=[agency], username=f"write-{tag}")
        services.sign_in_at_desk(officer=officer, service_point=office.service_points.get())

        def run(n: int) -> float:
            t = time.perf_counter()
            for _ in range(n):
                visit = services.issue_ticket(office=office, service=service)
                services.call_next(officer=officer)
                services.start_service(officer=officer, visit_id=visit.pk)
                services.finish_visit(officer=officer, visit_id=visit.pk, outcome="resolved")
            return (time.perf_counter() - t) * 1000 / n

        with_rollups, without = [], []
        run(10)
        for _ in range(4):
            with_rollups.append(run(cycles // 4))
            visit_event_appended.disconnect(dispatch_uid="reports.rollups.event")
            errands_recorded.disconnect(dispatch_uid="reports.rollups.errands")
            try:
                without.append(run(cycles // 4))
            finally:
                visit_event_appended.connect(
                    rollups._on_event, dispatch_uid="reports.rollups.event"
                )
                errands_recorded.connect(
                    rollups._on_errands, dispatch_uid="reports.rollups.errands"
                )
    return statistics.median(with_rollups), statistics.median(without)


# --- 4. timing ------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    if runs == 0:  # --raw-runs 0: time the reports only
        return [], None
    fn()  # warm: connection, plans, caches
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return times, result


def p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]


def same(a: dict[Any, Figures], b: dict[Any, Figures] | None, what: str) -> int:
    if b is None:  # not compared (--raw-runs 0)
        return len(a)
    if a.keys() != b.keys():
        raise SystemExit(f"{what}: groups differ ({len(a)} vs {len(b)})")
    for key in a:
        if a[key] != b[key]:
            raise SystemExit(f"{what}: {key} differs:\n  rollups {a[key]}\n  raw     {b[key]}")
    return len(a)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--visits-per-year", type=int, default=3_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--raw-runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--add-years", type=int, default=0, help="Generate this many years before the data there."
    )
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--write-cycles", type=int, default=200)
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not ("bench" in name or "stats" in name):
        raise SystemExit("Needs DATABASE_URL=postgres://…/sk_stats (a database it may empty).")
    call_command("migrate", verbosity=0)
    counts: dict[str, int] = {}
    if args.add_years:
        print(f"Adding {args.add_years} earlier year(s), ~{args.visits_per_year:,} visits a year …")
        generate(args.add_years, args.visits_per_year, add=True)
    elif not args.reuse:
        print(f"Generating {args.years} year(s), ~{args.visits_per_year:,} visits a year …")
        t = time.perf_counter()
        counts = generate(args.years, args.visits_per_year)
        counts["load_seconds"] = round(time.perf_counter() - t)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM queueing_visit")
        counts["visits"] = c.fetchone()[0]
        c.execute("SELECT count(*) FROM queueing_visitevent")
        counts["events"] = c.fetchone()[0]
        c.execute("SELECT count(*) FROM reports_dayfigures")
        counts["day_rows"] = c.fetchone()[0]
    biggest_agency = Agency.objects.get(ticket_letter="S")
    busiest = Office.objects.filter(code="bench-000").first()
    if busiest is None:  # --reuse of other data (a simulated year): the office of most visits
        top = (
            Visit.objects.filter(local_day__year=LAST_DAY.year)
            .values("office_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if top is None:
            raise SystemExit(f"No visits in {LAST_DAY.year}.")
        busiest = Office.objects.get(pk=top["office_id"])
    month = (dt.date(LAST_DAY.year, 12, 1), LAST_DAY)
    year = (dt.date(LAST_DAY.year, 1, 1), LAST_DAY)
    results = []

    # national monthly report
    rep_t, rep = timed(
        lambda: figures(scope=EVERYTHING, start=month[0], end=month[1], by=("office", "agency")),
        args.runs,
    )
    raw_t, raw = timed(
        lambda: raw_figures(start=month[0], end=month[1], by=("office", "agency")), args.raw_runs
    )
    results.append(
        (
            "National monthly report (office × agency, Dec)",
            rep_t,
            raw_t,
            same(rep, raw, "national month"),
        )
    )
    # an agency's yearly report: per month (with the year before), per office, total
    rep_t, rep = timed(
        lambda: agency_year_report(scope=EVERYTHING, agency=biggest_agency, year=LAST_DAY.year),
        args.runs,
    )

    def raw_year() -> dict[str, Any]:
        a = biggest_agency.pk
        before = (year[0].replace(year=year[0].year - 1), year[1].replace(year=year[1].year - 1))
        return {
            "months": raw_figures(start=year[0], end=year[1], by=("month",), agency_id=a),
            "before": raw_figures(start=before[0], end=before[1], by=("month",), agency_id=a),
            "offices": raw_figures(start=year[0], end=year[1], by=("office",), agency_id=a),
            "total": raw_figures(start=year[0], end=year[1], by=(), agency_id=a),
        }

    raw_t, raw = timed(raw_year, args.raw_runs)
    only = [biggest_agency.pk]
    groups = 0
    for by, part in ((("month",), "months"), (("office",), "offices"), ((), "total")):
        mine = figures(scope=EVERYTHING, start=year[0], end=year[1], by=by, agency_ids=only)
        groups += same(mine, raw[part] if raw else None, f"agency year by {by}")
    if raw and [r.values["served_visits"] for r in rep.months] != [
        raw["months"][k].errand_visits for k in sorted(raw["months"])
    ]:
        raise SystemExit("agency year: the report's rows differ from the raw figures")
    results.append(
        (
            "Agency yearly report (Skatteverket: 12 months with the year before, offices, total)",
            rep_t,
            raw_t,
            groups,
        )
    )
    # office dashboard: today + 12 weeks
    with time_machine.travel(dt.datetime(2025, 12, 31, 12, 0, tzinfo=STOCKHOLM), tick=False):
        rep_t, board = timed(lambda: office_dashboard(scope=EVERYTHING, office=busiest), args.runs)
        start = board.weeks.start
        weekly = figures(
            scope=EVERYTHING,
            start=start,
            end=LAST_DAY,
            by=("week", "agency"),
            office_ids=[busiest.pk],
        )
        raw_t, raw = timed(
            lambda: raw_figures(
                start=start, end=LAST_DAY, by=("week", "agency"), office_id=busiest.pk
            ),
            args.raw_runs,
        )
        results.append(
            (
                "Office dashboard (busiest office, today + 12 weeks)",
                rep_t,
                raw_t,
                same(weekly, raw, "office weeks"),
            )
        )

    with connection.cursor() as c:
        c.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN"
            " ('queueing_visit', 'queueing_visitevent', 'queueing_errand', 'reports_dayfigures',"
            " 'reports_waitfigures', 'reports_hourfigures', 'reports_errandfigures',"
            " 'reports_monthfigures', 'reports_monthwaitfigures') ORDER BY relname"
        )
        sizes = c.fetchall()
    raw_mb = sum(b for n, b in sizes if n.startswith("queueing")) / 2**20
    rollup_mb = sum(b for n, b in sizes if n.startswith("reports")) / 2**20
    lines = [
        f"Data: {counts['visits']:,} visits, {counts['events']:,} events, "
        f"{counts['day_rows']:,} day-rollup rows"
        + (
            f"; generated and loaded in {counts['load_seconds']} s"
            if "load_seconds" in counts
            else ""
        )
        + f". Machine: {platform.machine()}, {os.cpu_count()} cores (shared).",
        f"On disk (tables and indexes): raw log {raw_mb:,.0f} MB (visits, events, errands),"
        f" rollups {rollup_mb:,.0f} MB ("
        + ", ".join(f"{n.split('_', 1)[1]} {b / 2**20:,.0f}" for n, b in sizes)
        + " MB).",
        "",
        "| report | groups | rollups p50 | p99 | raw SQL p50 | raw / rollups | same numbers |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, rep_t, raw_t, groups in results:
        raw_p50 = f"{statistics.median(raw_t):.0f} ms" if raw_t else "–"
        ratio = f"{statistics.median(raw_t) / statistics.median(rep_t):.0f}×" if raw_t else "–"
        lines.append(
            f"| {label} | {groups} | {statistics.median(rep_t):.0f} ms | {p99(rep_t):.0f} ms | "
            f"{raw_p50} | {ratio} | {'yes' if raw_t else 'not compared'} |"
        )
    if args.write_cycles:
        with_ms, without_ms = write_cost(args.write_cycles)
        lines += [
            "",
            f"Keeping the rollups in the transaction: a visit's four desk transactions (ticket,"
            f" call, start, finish through the services, PostgreSQL) took {with_ms:.1f} ms with"
            f" the rollup receivers and {without_ms:.1f} ms without"
            f" (+{with_ms - without_ms:.1f} ms, median of 4 alternating blocks of"
            f" {args.write_cycles // 4} visits).",
        ]
    text = "\n".join(lines)
    print(text)
    if not args.no_docs:
        with connection.cursor() as c:
            c.execute(  # the generated offices only (not the write-cost office)
                "SELECT min(local_day), max(local_day) FROM queueing_visit v"
                " JOIN network_office o ON o.id = v.office_id WHERE o.code LIKE 'bench-%%'"
            )
            first, last = c.fetchone()
        years = last.year - first.year + 1
        start_mark = f"<!-- reports_bench:{years}y:start -->"
        end_mark = f"<!-- reports_bench:{years}y:end -->"
        invocation = " ".join(a for a in sys.argv[1:])
        block = (
            f"{start_mark}\n### {years} year(s) of visits ({first} to {last})\n\n"
            f"`DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_stats .venv/bin/python "
            f"benchmarks/reports_bench.py {invocation}`"
            f" ({args.runs} timed runs of each report, {args.raw_runs} of each raw query; "
            f"{clock.local_today():%Y-%m-%d}).\n\n{text}\n{end_mark}"
        )
        doc = DOCS.read_text()
        if start_mark in doc:
            doc = doc[: doc.index(start_mark)] + block + doc[doc.index(end_mark) + len(end_mark) :]
        elif HEADING in doc:
            doc = doc.rstrip() + "\n\n" + block + "\n"
        else:
            doc = doc.rstrip() + "\n\n" + HEADING + "\n\n" + block + "\n"
        DOCS.write_text(doc)


if __name__ == "__main__":
    main()
