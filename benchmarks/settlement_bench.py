"""Settle every month of a year for the whole network on PostgreSQL, with the öre check.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_costs .venv/bin/python benchmarks/settlement_bench.py [--write]

Creates (drops first) its own database `<name>_settlement_bench` on that server, migrates,
loads the reference network (`load_reference_data`: every office and agency), and writes for
each month of 2025:

- per office: staff (by handled minutes), premises (50 % fixed shares, 50 % handled minutes),
  local IT (by visits);
- network-wide: head office (to offices by minutes), central IT (to offices by fixed equal
  shares), shared overhead (to offices by visits);
- usage per office × agency (and split over each agency's services, frozen with the settlement
  for the per-service view): **generated here**, not simulated — the simulated year of the
  `sim` branch was not available. About 2.8 million visits a year in all (the public figure for
  2024), offices drawn between 30 and 300 visits a day, every agency at the bigger offices and
  three of five at the smaller, 8–16 handled minutes a visit. The shape of the figures does not
  change the work a settlement does: it is pools × offices × agencies lines.

With `--reuse` the database of DATABASE_URL is used as it is (e.g. a year simulated with the
`sim` branch's `manage.py simulate` and its statistics rolled up): pools are made for the offices
with handled time each month, and each settlement reads the statistics itself.

Timed: `costs.services.settle_month` for each of the 12 months (each its own transaction, the
usage handed in — the statistics function is not part of the timing), against the bare-SQL
floor in the same run: one `INSERT … SELECT` that copies a month's lines inside the database,
with the foreign-key checks a commit would run (no Python, no allocation, no usage rows). Target: the year under 2 s, every pool allocated to the öre.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
YEAR = 2025
TARGET_S = 2.0


def _prepare_database(reuse: bool) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("settlement_bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ.setdefault("DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if reuse:
        return base.rsplit("/", 1)[1]
    server, name = base.rsplit("/", 1)
    bench_db = f"{name}_settlement_bench"
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{bench_db}"')
    os.environ["DATABASE_URL"] = f"{server}/{bench_db}"
    os.environ.setdefault("DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return bench_db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use DATABASE_URL's database as it is: a year of statistics loaded there (e.g. "
        "`manage.py simulate` of the sim branch); its cost rows of --year are replaced and "
        "each month is settled from the statistics (their queries are then part of the time)",
    )
    parser.add_argument("--year", type=int, default=YEAR)
    args = parser.parse_args()
    _prepare_database(args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from servicekontor.catalog.models import Agency, Service
    from servicekontor.costs import allocation, services
    from servicekontor.costs.models import (
        Category,
        CostPool,
        DriverChoice,
        OfficeDriver,
        PoolOfficeShare,
        PoolShare,
        Settlement,
        SettlementLine,
    )
    from servicekontor.costs.periods import months
    from servicekontor.costs.queries import pools_for_allocation
    from servicekontor.costs.usage import ServiceUsage, month_usage
    from servicekontor.network.models import Office

    call_command("migrate", verbosity=0)
    if not args.reuse:
        call_command("load_reference_data", verbosity=0)
    first, last = dt.date(args.year, 1, 1), dt.date(args.year, 12, 1)
    offices = list(
        Office.objects.filter(opened_on__lte=first)
        .exclude(closed_on__lte=dt.date(args.year, 12, 31))
        .order_by("pk")
    )
    agencies = list(Agency.objects.order_by("pk"))
    rng = random.Random(16)
    per_day = {o.pk: rng.uniform(30, 300) for o in offices}
    scale = 2_800_000 / (sum(per_day.values()) * 250)  # ≈ 250 open days a year
    present = {o.pk: agencies if per_day[o.pk] > 120 else rng.sample(agencies, 3) for o in offices}
    agency_weight = {a.pk: rng.uniform(0.5, 2.0) for a in agencies}
    year = months(first, last)
    services_of = {
        a.pk: list(Service.objects.filter(agency=a).values_list("pk", flat=True)) for a in agencies
    }
    usage: dict[dt.date, list[allocation.Usage]] = {}
    service_usage: dict[dt.date, list[ServiceUsage]] = {}
    for month in year:
        season = 1.25 if month.month in (3, 4, 5) else (0.7 if month.month in (7,) else 1.0)
        rows = []
        per_service: list[ServiceUsage] = []
        for o in offices:
            here = present[o.pk]
            total_w = sum(agency_weight[a.pk] for a in here)
            visits_month = per_day[o.pk] * scale * 21 * season
            for a in here:
                v = max(
                    1, int(visits_month * agency_weight[a.pk] / total_w * rng.uniform(0.8, 1.2))
                )
                seconds = int(v * rng.uniform(8, 16) * 60)
                rows.append(allocation.Usage(o.pk, a.pk, v, seconds))
                weights = [rng.random() for _ in services_of[a.pk]]
                for service, w in zip(services_of[a.pk], weights, strict=True):
                    share = w / sum(weights)
                    per_service.append(
                        ServiceUsage(o.pk, a.pk, service, int(v * share), int(seconds * share))
                    )
        usage[month] = rows
        service_usage[month] = per_service
    if args.reuse:
        # The statistics' figures decide where pools can be shared; the timed settlement reads
        # them again itself.
        SettlementLine.objects.filter(month__gte=first, month__lte=last).delete()
        Settlement.objects.filter(month__gte=first, month__lte=last).delete()
        CostPool.objects.filter(month__gte=first, month__lte=last).delete()
        usage = {m: month_usage(month=m) for m in year}
        active = {m: {u.office for u in usage[m] if u.handled_seconds > 0} for m in year}
        offices = [o for o in offices if any(o.pk in active[m] for m in year)]
    else:
        active = {m: {o.pk for o in offices} for m in year}
    present_in = {
        (m, o): sorted({u.agency for u in usage[m] if u.office == o})
        for m in year
        for o in active[m]
    }
    visits_year = sum(u.visits for rows in usage.values() for u in rows)

    with transaction.atomic():
        for month in year:
            pools = []
            for o in offices:
                if o.pk not in active[month]:
                    continue
                k = per_day[o.pk] / 100
                pools += [
                    CostPool(
                        month=month,
                        office=o,
                        category=Category.STAFF,
                        amount_ore=int(rng.uniform(350_000, 450_000) * 100 * k),
                    ),
                    CostPool(
                        month=month,
                        office=o,
                        category=Category.PREMISES,
                        amount_ore=int(rng.uniform(40_000, 90_000) * 100),
                        driver=DriverChoice.MIX,
                        fixed_weight=50,
                        minutes_weight=50,
                    ),
                    CostPool(
                        month=month,
                        office=o,
                        category=Category.IT,
                        amount_ore=int(rng.uniform(8_000, 15_000) * 100),
                        driver=DriverChoice.VISITS,
                    ),
                ]
            pools += [
                CostPool(
                    month=month,
                    category=Category.OVERHEAD,
                    name="Huvudkontor",
                    amount_ore=rng.randint(6_000_000, 8_000_000) * 100,
                ),
                CostPool(
                    month=month,
                    category=Category.IT,
                    name="Central IT",
                    amount_ore=rng.randint(2_000_000, 3_000_000) * 100,
                    office_driver=OfficeDriver.FIXED,
                ),
                CostPool(
                    month=month,
                    category=Category.OTHER,
                    name="Gemensamt",
                    amount_ore=rng.randint(500_000, 900_000) * 100,
                    driver=DriverChoice.VISITS,
                    office_driver=OfficeDriver.VISITS,
                ),
            ]
            CostPool.objects.bulk_create(pools)
            shares = []
            office_shares = []
            for p in pools:
                if p.driver == DriverChoice.MIX and p.office_id is not None:
                    shares += [
                        PoolShare(pool=p, agency_id=a, weight=1)
                        for a in present_in[(month, p.office_id)]
                    ]
                if p.office_driver == OfficeDriver.FIXED and p.office_id is None:
                    office_shares += [
                        PoolOfficeShare(pool=p, office_id=o, weight=1)
                        for o in sorted(active[month])
                    ]
            PoolShare.objects.bulk_create(shares)
            PoolOfficeShare.objects.bulk_create(office_shares)
    pools_per_month = CostPool.objects.filter(month=year[0]).count()

    # The pure allocation alone, for the split of the time.
    t = time.perf_counter()
    for month in year:
        allocation.allocate(pools_for_allocation(month=month), usage[month])
    pure_s = time.perf_counter() - t

    gc.collect()  # the setup's garbage (reference data, pools) is not the settlement's cost
    per_month: list[float] = []
    for month in year:
        t = time.perf_counter()
        if args.reuse:
            services.settle_month(month=month, by=None)  # usage from the statistics
        else:
            services.settle_month(
                month=month, by=None, usage=usage[month], service_usage=service_usage[month]
            )
        per_month.append(time.perf_counter() - t)
    total_s = sum(per_month)
    lines = SettlementLine.objects.count()

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT count(*) FROM (
              SELECT p.id FROM costs_costpool p
              LEFT JOIN costs_settlementline l ON l.pool_id = p.id AND l.kind = 'allocation'
              GROUP BY p.id, p.amount_ore HAVING coalesce(sum(l.amount_ore), 0) <> p.amount_ore
            ) bad
            """
        )
        bad_pools = cur.fetchone()[0]
        cur.execute(
            """
            SELECT count(*) FROM costs_settlement s
            WHERE s.pools_ore <> (SELECT coalesce(sum(amount_ore), 0) FROM costs_costpool
                                  WHERE month = s.month)
               OR s.pools_ore <> (SELECT coalesce(sum(amount_ore), 0) FROM costs_settlementline
                                  WHERE settlement_id = s.id AND kind = 'allocation')
            """
        )
        bad_months = cur.fetchone()[0]
        # The floor: copy one month's lines inside the database, then throw them away.
        cols = [str(f.column) for f in SettlementLine._meta.concrete_fields if f.column != "id"]
        col_list = ", ".join(cols)
        floor: list[float] = []
        for month in year:
            with transaction.atomic():
                t = time.perf_counter()
                cur.execute(
                    f"INSERT INTO costs_settlementline ({col_list}) "
                    f"SELECT {col_list} FROM costs_settlementline WHERE month = %s",
                    [month],
                )
                # Fire the deferred foreign-key checks a commit would run, then roll back.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                floor.append(time.perf_counter() - t)
                transaction.set_rollback(True)
    floor_s = sum(floor)
    ok = bad_pools == 0 and bad_months == 0

    report = "\n".join(
        [
            f"Network: {len(offices)} offices, {len(agencies)} agencies, {pools_per_month} pools a "
            f"month ({pools_per_month - 3} office pools + 3 network pools), "
            f"{visits_year:,} visits in {args.year} "
            + (
                "(usage from the statistics of the database as loaded; each settlement reads "
                "it itself, inside the timing)."
                if args.reuse
                else "(usage generated by the benchmark and handed in; the simulated year of the "
                "`sim` branch was not available)."
            ),
            "",
            "| what | seconds |",
            "|---|---:|",
            f"| settle all 12 months (`settle_month`, each its own transaction) | {total_s:.2f} |",
            f"| slowest month | {max(per_month):.3f} |",
            f"| reading the pools + the pure allocation alone (`allocation.allocate`, 12 months, measured apart) | {pure_s:.2f} |",
            f"| bare-SQL floor: copy the same {lines:,} lines inside PostgreSQL, foreign keys checked "
            f"| {floor_s:.2f} |",
            "",
            f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
            "(other work shares them). A settlement's time is mostly PostgreSQL's: the COPY of "
            "its lines and, at commit, the deferred foreign-key checks of every line.",
            "",
            f"Lines written: {lines:,}. Öre check: pools not allocated exactly: {bad_pools}; "
            f"months whose lines or pools differ from the settlement total: {bad_months} — "
            f"**{'passed' if ok else 'FAILED'}**.",
            f"Target: the year under {TARGET_S:.0f} s — **{'met' if total_s < TARGET_S else 'missed'}** "
            f"({total_s / floor_s:.1f}× the floor).",
            "",
            "Reproduce: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_costs "
            ".venv/bin/python benchmarks/settlement_bench.py --write` (on a database holding a "
            "simulated year: `DATABASE_URL=…/<that database> … settlement_bench.py --reuse "
            "--year <year>`).",
        ]
    )
    print(report)
    if args.write:
        _write_docs(report)
    if not ok:
        raise SystemExit(1)


def _write_docs(report: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    start, end = "<!-- settlement_bench:start -->", "<!-- settlement_bench:end -->"
    section = f"{start}\n## Settling a year of costs (`benchmarks/settlement_bench.py`)\n\n{report}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
