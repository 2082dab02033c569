"""manage.py staffing plan --office kista --week 2026-W10 | staffing network --year 2026"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.core import spreadsheets
from servicekontor.core.errors import DomainError
from servicekontor.network.models import Office
from servicekontor.staffing import dimensioning, exports, queries, services


class Command(BaseCommand):
    help = "Staffing plans: one office's week, or the network's FTE per month of a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="one office's week")
        plan.add_argument("--office", required=True, help="office code, e.g. kista")
        plan.add_argument("--week", required=True, help="ISO week, e.g. 2026-W10")
        plan.add_argument("--replications", type=int, default=20)
        plan.add_argument("--no-simulation", action="store_true")
        net = sub.add_parser("network", help="FTE needed and available per office and month")
        net.add_argument("--year", type=int, required=True)
        roster = sub.add_parser("import-roster", help="shifts from a CSV file (all or nothing)")
        roster.add_argument("file")
        roster.add_argument("--replace", action="store_true", help="replace those officer-days")
        for p in (plan, net):
            p.add_argument("--volume", type=float, default=0.0, help="what-if: volume +x %%")
            p.add_argument("--service-level", type=float, help="what-if: share, e.g. 0.9")
            p.add_argument("--target-minutes", type=int, default=15)
            p.add_argument("--occupancy", type=float, default=0.85)
            p.add_argument("--shrinkage", type=float, default=0.15)
            p.add_argument("--csv", help="write the table to this CSV file")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "import-roster":
            self._import(opts)
            return
        try:
            policy = dimensioning.Policy(
                max_occupancy=opts["occupancy"], shrinkage=opts["shrinkage"]
            )
            what_if = queries.WhatIf(
                volume_factor=1 + opts["volume"] / 100,
                service_level=(
                    (opts["service_level"], opts["target_minutes"])
                    if opts["service_level"] is not None
                    else None
                ),
            )
            if opts["action"] == "plan":
                self._plan(opts, policy, what_if)
            else:
                self._network(opts, policy, what_if)
        except (DomainError, ValueError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc

    def _import(self, opts: dict[str, Any]) -> None:
        try:
            with open(opts["file"], encoding="utf-8-sig") as fh:
                text = fh.read()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            n = services.import_roster(text=text, replace=opts["replace"])
        except services.RosterRejected as exc:
            for err in exc.errors:
                self.stderr.write(f"line {err.line}: {err.message}")
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{n} shifts imported")

    def _plan(
        self, opts: dict[str, Any], policy: dimensioning.Policy, what_if: queries.WhatIf
    ) -> None:
        office = Office.objects.filter(code=opts["office"]).first()
        if office is None:
            raise CommandError(f"no office with code {opts['office']!r}")
        monday = queries.parse_week(opts["week"])
        t0 = time.perf_counter()
        plan = queries.week_plan(
            office=office,
            monday=monday,
            policy=policy,
            what_if=what_if,
            replications=opts["replications"],
            simulate=not opts["no_simulation"],
        )
        seconds = time.perf_counter() - t0
        header = exports.week_header()
        rows = list(exports.week_rows(plan))
        self.stdout.write("\t".join(header))
        for row in rows:
            self.stdout.write("\t".join("" if v is None else str(v) for v in row))
        self.stdout.write("")
        self.stdout.write("\t".join(exports.shift_header()))
        for row in exports.shift_rows(plan):
            self.stdout.write("\t".join(str(v) for v in row))
        for day in plan.days:
            state = (
                day.plan.status
                if day.plan.optimal
                else f"{day.plan.status}, gap {day.plan.gap:.2%}"
            )
            self.stdout.write(
                f"{day.day}: {day.plan.paid_slots / 2:.1f} paid hours ({state}) {day.note}"
            )
        if plan.backtest is not None:
            bt = plan.backtest
            self.stdout.write(
                f"forecast WAPE {bt.wape_model:.3f}, seasonal naive {bt.wape_naive:.3f} "
                f"(last 4 weeks held out)"
            )
        promised, simulated = plan.week_service_levels()
        sim_text = "not simulated" if simulated is None else f"simulated {simulated:.3f}"
        self.stdout.write(f"week service level: promised {promised:.3f}, {sim_text}")
        self.stdout.write(f"planned in {seconds:.2f} s")
        if opts["csv"]:
            with open(opts["csv"], "wb") as fh:
                fh.write(spreadsheets.csv_bytes(header, rows))

    def _network(
        self, opts: dict[str, Any], policy: dimensioning.Policy, what_if: queries.WhatIf
    ) -> None:
        t0 = time.perf_counter()
        plan = queries.network_plan(year=opts["year"], policy=policy, what_if=what_if)
        header = exports.network_header()
        rows = list(exports.network_rows(plan))
        self.stdout.write("\t".join(header))
        for row in exports.network_rows(plan, not_recorded="not recorded"):
            self.stdout.write("\t".join(str(v) for v in row))
        self.stdout.write(
            f"{len({r.office.pk for r in plan.rows})} offices planned "
            f"({len(plan.offices_without_staff)} with no staff recorded), "
            f"{len(plan.skipped)} without history, in {time.perf_counter() - t0:.2f} s"
        )
        if opts["csv"]:
            with open(opts["csv"], "wb") as fh:
                fh.write(spreadsheets.csv_bytes(header, rows))
