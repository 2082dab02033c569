"""manage.py changeplan show NAME | changeplan evaluate NAME [--csv FILE] | changeplan adopt NAME

NAME is the plan's name; its latest version unless ``--version N``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.changeplans import exports, queries, services
from servicekontor.core import spreadsheets
from servicekontor.core.errors import DomainError


class Command(BaseCommand):
    help = "Change plans: show a plan's changes, evaluate each step's effect, adopt it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("show", "the plan's changes with their resolved dates"),
            ("evaluate", "the effect of each step: access, visits moved, staff, cost, bookings"),
            ("adopt", "write the plan into the registry (all of it, or nothing)"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("name", help="the plan's name")
            p.add_argument("--version", type=int, help="a version (default: the latest)")
            if name == "evaluate":
                p.add_argument("--csv", help="write the steps table to this CSV file")
                p.add_argument(
                    "--naive",
                    action="store_true",
                    help="recompute everything at every step (the benchmark's baseline)",
                )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            plan = queries.plan_by_name(opts["name"], opts.get("version"))
            if opts["action"] == "show":
                self._show(plan)
            elif opts["action"] == "evaluate":
                self._evaluate(plan, opts)
            else:
                result = services.adopt_plan(plan=plan, user=None)
                self.stdout.write(
                    f"Adopted {plan}: {result.rows} registry rows written (source: {plan.label})."
                )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _show(self, plan: Any) -> None:
        rows = queries.plan_changes(plan)
        dates = queries.resolved_dates(rows)
        registry = queries.registry_state()
        names = queries.plan_office_names(rows, registry)
        self.stdout.write(f"{plan} ({plan.get_status_display()}), {len(rows)} changes")
        for c in rows:
            follows = queries.follows_text(c, rows)
            self.stdout.write(
                f"{c.position:>3}  {dates[c.pk]}  {queries.change_label(c, names)}"
                + (f"  ({follows})" if follows else "")
            )

    def _evaluate(self, plan: Any, opts: dict[str, Any]) -> None:
        started = time.perf_counter()
        ev = queries.evaluate_plan(plan, incremental=not opts["naive"])
        seconds = time.perf_counter() - started
        header, rows = exports.steps_table(ev)
        self.stdout.write(
            f"{'date':<10}  {'places':>6}  {'<=25km':>7}  {'mean km':>7}  {'moved/yr':>9}  "
            f"{'FTE':>7}  {'cost kr/mo':>12}  {'bookings':>8}"
        )
        for s in ev.steps:
            e = s.effect
            self.stdout.write(
                f"{s.day.isoformat():<10}  {e.access.offices:>6}  "
                f"{e.access.share_within[1]:>7.4f}  {e.access.mean_km:>7.2f}  "
                f"{e.visits_moved:>9.0f}  {e.fte_total:>7.1f}  "
                f"{e.costs.total_ore / 100:>12.0f}  {s.bookings_total:>8}"
            )
        for message in ev.conflicts:
            self.stdout.write(f"conflict: {message}")
        self.stdout.write(f"{len(ev.steps) - 1} steps evaluated in {seconds:.2f} s")
        if opts.get("csv"):
            Path(opts["csv"]).write_bytes(spreadsheets.csv_bytes(header, rows))
            self.stdout.write(f"steps written to {opts['csv']}")
