"""Change plans: evaluating a plan of 20 dated steps on the whole network (issue 17).

Run (a database with the reference data loaded, ideally some simulated statistics and cost
pools — see docs/benchmarks.md)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_i17 DEMO=1 DEBUG=1 \\
        .venv/bin/python benchmarks/changeplan_bench.py [--repeat 3] [--write]

The plan (made by the benchmark, named "benchmark: 20 steps", replaced on every run), one
change per date, a month apart from 2027-01-01, several following others:

- an agency added at 30 offices that do not offer it (the agency offered at the fewest);
- 8 offices closed, one a month (the others still open);
- 5 openings from a planning result (`plan propose --k 5 --quick` on the network of the
  first date, turned into openings in one step), then spread one a month, each following the
  previous by 31 days;
- new weekly hours at 3 offices; the added agency removed again at 2 offices;
- the three founding agencies' services added at the first new office (same date as opening).

Timed: `queries.evaluate_plan` — reading the registry, statistics, pools and bookings, then
the access measures, visits moved, staff (Erlang C per office-hour) and cost (allocation to
the öre) at every step. Baseline in the same run: the same evaluation with
``incremental=False`` (the distance matrix and every office's staffing recomputed at every
step); both must give identical figures (checked). Target: under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from servicekontor.catalog.models import Agency  # noqa: E402
from servicekontor.changeplans import queries, services  # noqa: E402
from servicekontor.changeplans.models import ChangeKind, ChangePlan  # noqa: E402
from servicekontor.core import clock  # noqa: E402
from servicekontor.network.models import Offering, Office  # noqa: E402
from servicekontor.planning.models import Scenario  # noqa: E402
from servicekontor.planning.plans import PlanRequest, Question, result_to_dict  # noqa: E402
from servicekontor.planning.queries import plan_on  # noqa: E402

NAME = "benchmark: 20 steps"
FIRST = dt.date(2027, 1, 1)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- changeplan_bench:start -->", "<!-- changeplan_bench:end -->"


def month(i: int) -> dt.date:
    y, m = divmod(FIRST.month - 1 + i, 12)
    return dt.date(FIRST.year + y, m + 1, 1)


def build_plan() -> ChangePlan:
    ChangePlan.objects.filter(name=NAME).delete()
    Scenario.objects.filter(name=NAME).delete()
    plan = services.create_plan(user=None, name=NAME)
    operating = list(Office.objects.operating_on(month(19)).order_by("code"))
    if len(operating) < 45:
        raise SystemExit(f"only {len(operating)} offices operate through 2028: load the network")
    offering = {
        a.pk: set(
            Offering.objects.valid_on(FIRST)
            .filter(service__agency=a)
            .values_list("office__code", flat=True)
        )
        for a in Agency.objects.all()
    }
    agency = min(Agency.objects.all(), key=lambda a: (len(offering[a.pk]), a.pk))
    targets = [o.code for o in operating if o.code not in offering[agency.pk]][:30]
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        on_date=month(0),
        office_codes=targets,
        agency=agency,
    )
    spare = [o.code for o in operating if o.code not in targets]
    for i, code in enumerate(spare[:8]):
        services.add_change(
            plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=month(1 + i), office_codes=[code]
        )
    result = plan_on(day=FIRST, request=PlanRequest(action=Question.PROPOSE, k=5, exact=False))
    scenario = Scenario.objects.create(
        name=NAME,
        on_date=FIRST,
        action="propose",
        radius_km=25,
        summary=result_to_dict(result),
    )
    opened = services.add_openings_from_scenario(plan=plan, scenario=scenario, on_date=month(9))
    for prev, change in itertools.pairwise(opened):
        services.set_change_date(change=change, after_change=prev, offset_days=31)
    founders = [a for a in Agency.objects.order_by("pk") if a.pk != agency.pk][:3]
    for a in founders:
        services.add_change(
            plan=plan,
            kind=ChangeKind.ADD_SERVICES,
            after_change=opened[0],
            office_codes=opened[0].office_codes,
            agency=a,
        )
    kept = spare[8:]
    for i, code in enumerate(kept[:3]):
        services.add_change(
            plan=plan,
            kind=ChangeKind.CHANGE_HOURS,
            on_date=month(14 + i),
            office_codes=[code],
            hours=[[d, "09:00", "17:00"] for d in range(5)] + [[5, "10:00", "14:00"]],
        )
    for i, code in enumerate(targets[:2]):
        services.add_change(
            plan=plan,
            kind=ChangeKind.REMOVE_SERVICES,
            on_date=month(17 + i),
            office_codes=[code],
            agency=agency,
        )
    return plan


def ensure_costs() -> str:
    """Cost pools and an hourly cost to evaluate against: the database's own, or (when it has
    none) generated for the month before today as `settlement_bench.py` generates them —
    per office premises (mix 50 % fixed, 50 % minutes) and IT (visits), network overhead
    (minutes) and central IT (fixed office shares); 450 kr an hour for service officers
    (an ASSUMPTION of the benchmark, not a figure from a source)."""
    import random

    from servicekontor.costs.models import (
        Category,
        CostPool,
        DriverChoice,
        HourlyRate,
        OfficeDriver,
        PoolOfficeShare,
        PoolShare,
    )

    note = []
    if not HourlyRate.objects.exists():
        HourlyRate.objects.create(
            role="service_officer", valid_from=dt.date(2020, 1, 1), ore_per_hour=45_000
        )
        note.append("hourly cost generated")
    if CostPool.objects.exists():
        return ", ".join(note) or "the database's own"
    today = clock.local_today()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rng = random.Random(17)
    offices = list(Office.objects.operating_on(first).order_by("pk"))
    agencies = list(Agency.objects.order_by("pk"))
    pools = []
    for o in offices:
        pools += [
            CostPool(
                month=first,
                office=o,
                category=Category.PREMISES,
                name="Hyra",
                amount_ore=int(rng.uniform(40_000, 90_000) * 100),
                driver=DriverChoice.MIX,
                fixed_weight=50,
                minutes_weight=50,
            ),
            CostPool(
                month=first,
                office=o,
                category=Category.IT,
                name="IT",
                amount_ore=int(rng.uniform(8_000, 15_000) * 100),
                driver=DriverChoice.VISITS,
            ),
        ]
    overhead = CostPool(
        month=first,
        category=Category.OVERHEAD,
        name="Huvudkontor",
        amount_ore=rng.randint(6_000_000, 8_000_000) * 100,
    )
    central = CostPool(
        month=first,
        category=Category.IT,
        name="Central IT",
        amount_ore=rng.randint(2_000_000, 3_000_000) * 100,
        office_driver=OfficeDriver.FIXED,
    )
    CostPool.objects.bulk_create([*pools, overhead, central])
    PoolShare.objects.bulk_create(
        PoolShare(pool=p, agency=a, weight=1)
        for p in pools
        if p.driver == DriverChoice.MIX
        for a in agencies
    )
    PoolOfficeShare.objects.bulk_create(
        PoolOfficeShare(pool=central, office=o, weight=1) for o in offices
    )
    note.append(f"cost pools of {first:%Y-%m} generated ({len(pools) + 2} pools)")
    return ", ".join(note)


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    costs_note = ensure_costs()
    plan = build_plan()
    queries.demand()  # the localities file, read once per process (as on a server)
    fast, ev = best(lambda: queries.evaluate_plan(plan), args.repeat)
    slow, ev_naive = best(lambda: queries.evaluate_plan(plan, incremental=False), args.repeat)
    assert isinstance(ev, queries.Evaluation) and isinstance(ev_naive, queries.Evaluation)
    same = [s.effect for s in ev.steps] == [s.effect for s in ev_naive.steps]
    changes = len(ev.changes)
    steps = len(ev.steps) - 1
    offices = len(Office.objects.operating_on(ev.steps[0].day))
    universe = len({c for s in ev.steps for c in s.effect.offices})
    first, last = ev.steps[0].effect, ev.steps[-1].effect
    load = os.getloadavg()[0]
    lines = [
        START,
        "## Change plans: evaluating 20 dated steps (`benchmarks/changeplan_bench.py`)",
        "",
        f"Plan: {changes} changes on {steps} dates ({ev.steps[1].day} – {ev.steps[-1].day}); "
        f"network {offices} offices before the plan, {universe} in some step; "
        f"{len(ev.conflicts)} conflicts. Database: {connection.vendor}; statistics "
        f"{ev.statistics_period[0]} – {ev.statistics_period[1]} "
        f"({ev.statistics_visits:,.0f} visits a year after scaling); cost pools of "
        f"{ev.reference_month or 'none'}; hourly cost {ev.staff_rate or 'none'} ({costs_note}).",
        "",
        f"| what | seconds (best of {args.repeat}) |",
        "|---|---:|",
        f"| `evaluate_plan`, incremental (distances once, staff per distinct office state) "
        f"| {fast:.2f} |",
        f"| baseline: the same, everything recomputed at every step (`incremental=False`) "
        f"| {slow:.2f} |",
        f"| ratio | {slow / fast:.1f}× |",
        "",
        f"Identical figures from both: {'yes' if same else 'NO'}. Target < 10 s: "
        f"{'met' if fast < 10 else 'NOT met'}. Before → after the plan: within 25 km "
        f"{first.access.share_within[1]:.4f} → {last.access.share_within[1]:.4f}; staff "
        f"{first.fte_total:.1f} → {last.fte_total:.1f} FTE; cost a month "
        f"{first.costs.total_ore / 100:,.0f} → {last.costs.total_ore / 100:,.0f} kr.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other work "
        f"(load average {load:.1f} at the end).",
        "",
        "Reproduce: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_i17 DEMO=1 DEBUG=1 "
        ".venv/bin/python benchmarks/changeplan_bench.py --write`",
        END,
    ]
    text = "\n".join(lines)
    print(text)
    if not same:
        raise SystemExit("incremental and naive evaluations differ")
    if args.write:
        doc = DOCS.read_text(encoding="utf-8")
        if START in doc:
            head, rest = doc.split(START, 1)
            doc = head + text + rest.split(END, 1)[1]
        else:
            doc = doc.rstrip("\n") + "\n\n" + text + "\n"
        DOCS.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
