"""``manage.py plan``: accessibility of the network and optimal openings/closings.

Examples::

    manage.py plan measure --on 2019-06-01
    manage.py plan propose --k 10 --radius-km 25 --on 2026-01-01 [--objective distance]
    manage.py plan cover --radius-km 25
    manage.py plan close --n 35 --keep code1,code2 --csv closings.csv
    manage.py plan close --n 35 --quick      # heuristic + bound, no MILP (under a few seconds)
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.core import clock, spreadsheets
from servicekontor.network.network_check import coverage_warning
from servicekontor.planning import exports
from servicekontor.planning.measures import REFERENCE_SHARE_WITHIN_50_KM
from servicekontor.planning.plans import (
    Objective,
    PlanInputError,
    PlanRequest,
    PlanResult,
    Question,
    read_matrix_csv,
    read_sites_csv,
    result_to_dict,
)
from servicekontor.planning.queries import SAME_PLACE_JOIN, plan_on


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Measure the office network's accessibility and find optimal openings or closings."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for action in Question:
            p = sub.add_parser(action.value)
            p.add_argument("--on", type=_date, default=None, help="network as of (default today)")
            p.add_argument("--radius-km", type=float, default=25.0)
            p.add_argument("--csv", type=Path, default=None, help="write the network to CSV")
            p.add_argument(
                "--matrix-csv",
                type=Path,
                default=None,
                help="distance/travel-time matrix: demand_id,site_code,value",
            )
            p.add_argument("--time-limit", type=float, default=120.0, help="solver seconds")
            if action != Question.MEASURE:
                p.add_argument(
                    "--quick",
                    action="store_true",
                    help="instant answer: the heuristic with its gap to a bound, no MILP",
                )
            if action == Question.PROPOSE:
                p.add_argument("--k", type=int, default=0, help="offices to open")
                p.add_argument(
                    "--stops", type=int, default=0, help="outreach stops to propose (coverage)"
                )
                p.add_argument(
                    "--stop-days",
                    type=float,
                    default=1.0,
                    help="visit days per week of each proposed stop (default 1)",
                )
            if action in (Question.PROPOSE, Question.CLOSE):
                p.add_argument(
                    "--objective",
                    choices=[o.value for o in Objective],
                    default=Objective.COVERAGE.value,
                )
            if action in (Question.PROPOSE, Question.COVER):
                p.add_argument(
                    "--sites-csv",
                    type=Path,
                    default=None,
                    help="candidate sites: code,name,latitude,longitude[,county]",
                )
            if action == Question.CLOSE:
                p.add_argument("--n", type=int, required=True)
                p.add_argument(
                    "--keep", default="", help="office codes that must stay, comma-separated"
                )

    def handle(self, *args: Any, **options: Any) -> None:
        action = Question(options["action"])
        day = options["on"] or clock.local_today()
        request = PlanRequest.from_fields(
            action=action,
            objective=options.get("objective"),
            k=options.get("k"),
            n=options.get("n"),
            radius_km=options["radius_km"],
            keep=options.get("keep"),
            time_limit=options["time_limit"],
            quick=bool(options.get("quick")),
            stops=options.get("stops"),
            stop_days=options.get("stop_days"),
        )
        try:
            candidates = (
                read_sites_csv(options["sites_csv"].read_text(encoding="utf-8"))
                if options.get("sites_csv")
                else None
            )
            matrix = (
                read_matrix_csv(options["matrix_csv"].read_text(encoding="utf-8"))
                if options.get("matrix_csv")
                else None
            )
            result = plan_on(day=day, request=request, candidates=candidates, matrix=matrix)
        except (PlanInputError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if not result.existing and action != Question.COVER:
            self.stderr.write(f"No office is operating on {day}; load the registry first.")
        self._print(result, day)
        if options["csv"]:
            header, rows = exports.summary_table(result_to_dict(result))
            options["csv"].write_bytes(spreadsheets.csv_bytes(header, rows))
            self.stdout.write(f"Wrote {options['csv']}")

    def _print(self, result: PlanResult, day: dt.date) -> None:
        out = self.stdout.write
        r = result.request
        out(
            f"Network on {day}: {_office_count(result.existing)} offices"
            + (
                f" at {len(result.existing)} places (offices on the same point are one place)"
                if _office_count(result.existing) != len(result.existing)
                else ""
            )
            + f"; question: {r.action}"
            + (f" ({r.objective}, R = {r.radius_km:g} km)" if r.action != Question.MEASURE else "")
        )
        changed = result.solution is not None or bool(result.opened_stops)
        if result.stops:
            out(
                f"Outreach stops: {len(result.stops)}, counted by how often they are served "
                "(docs/planning.md)"
            )
        rows: list[tuple[str, ...]] = [("", "before", "after")] if changed else [("", "now")]
        for label, get in _MEASURE_ROWS:
            values = [get(result.before)] + ([get(result.after)] if changed else [])
            rows.append((label, *values))
        rows.append(
            (f"population within {r.radius_km:g} km", f"{result.covered_before:,}")
            + ((f"{result.covered_after:,}",) if changed else ())
        )
        _table(out, rows)
        coverage = coverage_warning(day=day)
        if coverage is not None:
            out(
                f"Warning: known {coverage.registry} of published {coverage.published.count} "
                f"offices ({coverage.published.day}); every figure above is biased by the "
                "offices the registry lacks."
            )
        out(f"(Reference: Service Canada reports {REFERENCE_SHARE_WITHIN_50_KM:.0%} within 50 km.)")
        s = result.solution
        if s is not None:
            out(
                ("Solver: HiGHS" if s.method == "highs" else "Quick answer (heuristic)")
                + f", objective {s.objective:,.1f}, bound {s.bound:,.1f}, gap {s.gap:.4%}, "
                f"{s.seconds:.1f} s, {s.status}"
                + (
                    f"; heuristic {s.heuristic_objective:,.1f} (gap {s.heuristic_gap:.4%})"
                    if s.heuristic_objective is not None and s.heuristic_gap is not None
                    else ""
                )
            )
        if result.opened:
            out(f"\nOpen ({len(result.opened)}):")
            _table(
                out,
                [("code", "name", "county")] + [(x.code, x.name, x.county) for x in result.opened],
            )
        if result.opened_stops:
            out(f"\nNew outreach stops ({len(result.opened_stops)}, {r.stop_days:g} days a week):")
            _table(
                out,
                [("code", "name", "county")]
                + [(x.code, x.name, x.county) for x in result.opened_stops],
            )
        if result.closed:
            out(f"\nClose ({len(result.closed)}):")
            _table(
                out,
                [("code", "name", "county")] + [(x.code, x.name, x.county) for x in result.closed],
            )
        after = result.after
        out("\nPer county" + (" (after):" if result.solution else ":"))
        _table(
            out,
            [("county", "population", "mean km", "max km", "≤ 25 km", "≤ 50 km")]
            + [
                (
                    c.county,
                    f"{c.population:,}",
                    _km(c.mean_km, 1),
                    f"{c.max_km:.1f}" if math.isfinite(c.max_km) else "–",
                    f"{c.share_within[1]:.1%}",
                    f"{c.share_within[2]:.1%}",
                )
                for c in after.counties
            ],
        )
        if result.uncoverable:
            out(
                f"\nNo site reaches these within {r.radius_km:g} km "
                f"({len(result.uncoverable)} localities, "
                f"{sum(p for _n, _c, p in result.uncoverable):,} people); no plan covers them:"
            )
            _table(
                out,
                [("locality", "county", "population")]
                + [(n, c, f"{p:,}") for n, c, p in result.uncoverable],
            )
        if result.before.offices == 0:
            out(f"\nNo office operates on {day}: there is no distance to measure.")
        names = result.demand_names
        out(
            "\nWorst-served localities"
            + (" (after): " if result.solution else ": ")
            + ", ".join(names[i] for i in after.worst[:10])
        )


def _km(value: float, digits: int = 2) -> str:
    """A distance, or "–" where there is none (no office operating: infinite or undefined)."""
    return f"{value:.{digits}f}" if math.isfinite(value) else "–"


def _office_count(sites: Sequence[Any]) -> int:
    return sum(len(s.code.split(SAME_PLACE_JOIN)) for s in sites)


_MEASURE_ROWS = [
    ("places with an office", lambda a: f"{a.offices}"),
    ("mean km", lambda a: _km(a.mean_km)),
    ("median km", lambda a: _km(a.median_km)),
    ("p90 km", lambda a: _km(a.p90_km)),
    ("p99 km", lambda a: _km(a.p99_km)),
    ("max km", lambda a: _km(a.max_km)),
    ("within 10 km", lambda a: f"{a.share_within[0]:.1%}"),
    ("within 25 km", lambda a: f"{a.share_within[1]:.1%}"),
    ("within 50 km", lambda a: f"{a.share_within[2]:.1%}"),
]


def _table(out: Any, rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out(
            "  ".join(
                str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
