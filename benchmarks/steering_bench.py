"""The steering pages' CPU per request: statistics, staffing, change plans and costs, each
page and export through Django's test client, this process's CPU (`time.process_time`)
around each request.

Run against a database with the demo data `make run` builds (migrate, load_reference_data,
load_demo, simulate --weeks 8), e.g. one built for the benchmark::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_pagespeed \\
        .venv/bin/python benchmarks/steering_bench.py [--runs 5] [--only staffing]
        [--dump DIR] [--queries] [--profile LABEL]

    # base against branch, alternated A B A B in the same window (each run a new process):
    ... benchmarks/steering_bench.py --abab /work/wt/base,/work/wt/branch --rounds 2

Each page is requested once cold (the first request of the process for that page: what the
first manager of a worker process pays; module caches such as the localities are filled
by whichever page needs them first) and then ``--runs`` times; the table gives the first
request's CPU and the median of the others. ``--tree DIR`` imports the project from another
checkout (the base commit), so one script measures both. ``--dump DIR`` writes each page's
body (CSRF tokens blanked) to compare the figures of two trees (``diff -r``). ``--queries``
counts the SQL statements of one warm request. The benchmark's change plans ("bench:
steering" v1 and v2) are made on first use and kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent


def _setup(tree: Path) -> None:
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEMO", "1")
    # DEBUG off: no query log kept per request (that is what production runs)
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


PLAN = "bench: steering"


def _plans() -> tuple[int, int]:
    """The benchmark's change plan (version 1: services added at 10 offices, 3 closed, new
    hours at 2) and version 2 (one more closing), made once."""
    import datetime as dt

    from servicekontor.catalog.models import Agency
    from servicekontor.changeplans import services
    from servicekontor.changeplans.models import ChangeKind, ChangePlan
    from servicekontor.core import clock
    from servicekontor.network.models import Offering, Office

    found = {p.version: p.pk for p in ChangePlan.objects.filter(name=PLAN)}
    if 1 in found and 2 in found:
        return found[1], found[2]
    ChangePlan.objects.filter(name=PLAN).delete()
    today = clock.local_today()
    first = (today.replace(day=1) + dt.timedelta(days=62)).replace(day=1)
    plan = services.create_plan(user=None, name=PLAN)
    operating = [o.code for o in Office.objects.operating_on(first).order_by("code")]
    agency = Agency.objects.order_by("code").first()
    assert agency is not None
    offered = set(
        Offering.objects.valid_on(first)
        .filter(service__agency=agency)
        .values_list("office__code", flat=True)
    )
    targets = [c for c in operating if c not in offered][:10]
    rest = [c for c in operating if c not in targets and c != "kista"]
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        on_date=first,
        office_codes=targets,
        agency=agency,
    )
    for i, code in enumerate(rest[:3]):
        services.add_change(
            plan=plan,
            kind=ChangeKind.CLOSE_OFFICE,
            on_date=first + dt.timedelta(days=30 * (i + 1)),
            office_codes=[code],
        )
    for i, code in enumerate(rest[3:5]):
        services.add_change(
            plan=plan,
            kind=ChangeKind.CHANGE_HOURS,
            on_date=first + dt.timedelta(days=30 * (i + 4)),
            office_codes=[code],
            hours=[[d, "09:00", "17:00"] for d in range(5)],
        )
    v2 = services.new_version(plan=plan, user=None)
    services.add_change(
        plan=v2,
        kind=ChangeKind.CLOSE_OFFICE,
        on_date=first + dt.timedelta(days=200),
        office_codes=[rest[5]],
    )
    return plan.pk, v2.pk


def pages() -> list[tuple[str, str, str]]:
    """(label, user, url) of every steering page and export."""
    import datetime as dt

    from django.urls import reverse

    from servicekontor.core import clock

    today = clock.local_today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    year = str(today.year)
    ag = "skatteverket"
    v1, v2 = _plans()
    r = reverse
    out = [
        ("stats: home (manager)", "manager", r("reports:home")),
        ("stats: network", "admin", r("reports:network")),
        ("stats: office kista", "manager", r("reports:office", args=["kista"])),
        ("stats: agency", "analyst", r("reports:agency", args=[ag])),
        ("stats: agency month report", "analyst", r("reports:report", args=[ag, last_month])),
        ("stats: agency month csv", "analyst", r("reports:csv", args=[ag, last_month])),
        ("stats: agency month xlsx", "analyst", r("reports:xlsx", args=[ag, last_month])),
        ("stats: agency year report", "analyst", r("reports:year", args=[ag, year])),
        ("stats: agency year csv", "analyst", r("reports:year_csv", args=[ag, year])),
        ("stats: agency year xlsx", "analyst", r("reports:year_xlsx", args=[ag, year])),
        ("staffing: office kista", "manager", r("staffing:office", args=["kista"])),
        ("staffing: office csv", "manager", r("staffing:office_csv", args=["kista"])),
        ("staffing: office xlsx", "manager", r("staffing:office_xlsx", args=["kista"])),
        ("staffing: network", "admin", r("staffing:network")),
        ("staffing: network csv", "admin", r("staffing:network_csv")),
        ("changeplans: index", "admin", r("changeplans:index")),
        ("changeplans: plan", "admin", r("changeplans:plan", args=[v1])),
        ("changeplans: print", "admin", r("changeplans:print", args=[v1])),
        ("changeplans: export csv", "admin", r("changeplans:export", args=[v1])),
        ("changeplans: export xlsx", "admin", r("changeplans:export", args=[v1]) + "?format=xlsx"),
        ("changeplans: compare", "admin", r("changeplans:compare") + f"?a={v1}&b={v2}"),
        ("costs: index", "admin", r("costs:index")),
        ("costs: report", "admin", r("costs:report")),
        (
            "costs: compare",
            "admin",
            r("costs:compare") + f"?month={last_month}&a=configured&b=visits",
        ),
    ]
    return out


CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# the charts' element ids count the charts the process has drawn
CHART_ID = re.compile(rb"((?:chart|tl)-[a-z])[0-9]+")


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    listed = [p for p in pages() if not args.only or args.only in p[0]]
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in={p[1] for p in listed})
    }
    clients: dict[str, Client] = {}
    for name, account in users.items():
        clients[name] = Client()
        clients[name].force_login(account)
    results: dict[str, Any] = {}
    dump = Path(args.dump) if args.dump else None
    if dump:
        dump.mkdir(parents=True, exist_ok=True)
    for label, user, url in listed:
        client = clients[user]
        cpu, wall = [], []
        first_body = b""
        for i in range(args.runs + 1):
            w0, t0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu.append(time.process_time() - t0)
            wall.append(time.perf_counter() - w0)
            body = (
                b"".join(getattr(response, "streaming_content", ()))
                if response.streaming
                else response.content
            )
            if response.status_code != 200:
                raise SystemExit(f"{label}: {url} answered {response.status_code}")
            if dump and i in (0, args.runs):
                # the first answer, and the last one if it differs (a cache hit must give the
                # same page as the computation)
                name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
                ext = {"text/csv": "csv"}.get(response["Content-Type"].split(";")[0], "html")
                if "spreadsheetml" in response["Content-Type"]:
                    ext = "xlsx"
                    body = _xlsx_text(body)
                body = CHART_ID.sub(rb"\1N", CSRF.sub(rb"\1-\2", body))
                if i == 0:
                    first_body = body
                    (dump / f"{name}.{ext}").write_bytes(body)
                elif body != first_body:
                    (dump / f"{name}.last.{ext}").write_bytes(body)
        row: dict[str, Any] = {
            "url": url,
            "first_ms": cpu[0] * 1000,
            "runs_ms": [c * 1000 for c in cpu[1:]],
            "wall_ms": [w * 1000 for w in wall],
        }
        if args.queries:
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            row["queries"] = len(ctx.captured_queries)
        if args.profile and args.profile in label:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            client.get(url)
            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(int(os.environ.get("BENCH_LINES", "45")))
        results[label] = row
        print(
            f"{label:34} first {row['first_ms']:8.0f} ms  median "
            f"{statistics.median(row['runs_ms']) if row['runs_ms'] else float('nan'):8.0f} ms"
            + f"  wall first {row['wall_ms'][0]:7.0f} median {statistics.median(row['wall_ms'][1:] or [0]):7.0f}"
            + (f"  {row['queries']} queries" if "queries" in row else ""),
            file=sys.stderr,
        )
    return results


def _xlsx_text(body: bytes) -> bytes:
    """An xlsx's cells as text (the zip's timestamps differ from run to run)."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body))
    lines = []
    for sheet in book.worksheets:
        lines.append(f"# {sheet.title}")
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else repr(v) for v in row))
    return ("\n".join(lines) + "\n").encode()


def abab(args: argparse.Namespace) -> None:
    trees = args.abab.split(",")
    runs: dict[str, dict[str, list[float]]] = {t: {} for t in trees}
    firsts: dict[str, dict[str, list[float]]] = {t: {} for t in trees}
    loads = []
    for _round in range(args.rounds):
        for tree in trees:
            loads.append(os.getloadavg()[0])
            cmd = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--tree",
                tree,
                "--runs",
                str(args.runs),
                "--json",
                "-",
            ] + (["--only", args.only] if args.only else [])
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            for label, row in json.loads(out).items():
                runs[tree].setdefault(label, []).extend(row["runs_ms"])
                firsts[tree].setdefault(label, []).append(row["first_ms"])
    loads.append(os.getloadavg()[0])
    a, b = trees
    print("| page | base first ms | branch first ms | base median ms | branch median ms | × |")
    print("|---|---:|---:|---:|---:|---:|")
    for label in runs[a]:
        ma, mb = statistics.median(runs[a][label]), statistics.median(runs[b][label])
        fa, fb = statistics.median(firsts[a][label]), statistics.median(firsts[b][label])
        print(f"| {label} | {fa:.0f} | {fb:.0f} | {ma:.0f} | {mb:.0f} | {ma / mb:.1f} |")
    print(
        f"\n1-minute load average at each run's start and the end: {', '.join(f'{x:.1f}' for x in loads)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", default=str(HERE))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="")
    parser.add_argument("--dump", default="")
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--profile", default="")
    parser.add_argument("--json", default="")
    parser.add_argument("--abab", default="", help="base_tree,branch_tree")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.abab:
        abab(args)
        return
    _setup(Path(args.tree).resolve())
    results = measure(args)
    if args.json == "-":
        print(json.dumps(results))
    elif args.json:
        Path(args.json).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
