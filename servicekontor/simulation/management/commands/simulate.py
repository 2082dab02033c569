"""``manage.py simulate``: realistic visit history, written like real visits, removable.

Examples::

    manage.py simulate --from 2025-01-01 --to 2025-12-31 [--offices kista,umea] [--seed 7]
    manage.py simulate --weeks 8            # the eight weeks before today (make run)
    manage.py simulate --remove             # every simulated visit, event and officer

Refuses on a production installation (DEBUG and DEMO off) unless ``--allow-in-production``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.core import clock
from servicekontor.simulation import loader


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Simulate office days and write them as visits and visit events (marked simulated)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=_date, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last", type=_date, help="last day (YYYY-MM-DD)")
        parser.add_argument(
            "--weeks", type=int, help="instead of --from/--to: this many weeks up to yesterday"
        )
        parser.add_argument("--offices", default="", help="office codes, comma-separated")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--processes", type=int, default=None)
        parser.add_argument(
            "--remove", action="store_true", help="remove simulated visits (of the span, or all)"
        )
        parser.add_argument("--allow-in-production", action="store_true")
        parser.add_argument(
            "--skip-fk-checks",
            action="store_const",
            const=True,
            default=None,
            help="PostgreSQL superuser only: check the generated keys set-based, not row by row"
            " (the default for a superuser)",
        )
        parser.add_argument(
            "--fk-checks-per-row",
            dest="skip_fk_checks",
            action="store_const",
            const=False,
            help="let PostgreSQL check every row's keys (at commit), even as a superuser",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            not (settings.DEBUG or getattr(settings, "DEMO", False))
            and not options["allow_in_production"]
        ):
            raise CommandError(
                "This looks like production (DEBUG and DEMO are off): simulated visits would mix "
                "with real ones. Pass --allow-in-production if that is really wanted."
            )
        first, last = options["first"], options["last"]
        if options["weeks"] is not None:
            if options["weeks"] < 1:
                raise CommandError("--weeks must be at least 1")
            last = clock.local_today() - dt.timedelta(days=1)
            first = last - dt.timedelta(weeks=options["weeks"]) + dt.timedelta(days=1)
        codes = [c.strip() for c in options["offices"].split(",") if c.strip()]
        if options["remove"]:
            office_ids: list[int] = []
            if codes:
                from servicekontor.network.models import Office

                office_ids = list(
                    Office.objects.filter(code__in=codes).values_list("pk", flat=True)
                )
                if len(office_ids) != len(set(codes)):
                    raise CommandError("unknown office code among: " + ", ".join(codes))
            removed = loader.remove_simulated(first=first, last=last, office_ids=office_ids)
            self.stdout.write(f"Removed {removed} simulated visits.")
            return
        if first is None or last is None:
            raise CommandError("give --from and --to, or --weeks")
        try:
            report = loader.load(
                first=first,
                last=last,
                office_codes=codes or None,
                seed=options["seed"],
                processes=options["processes"],
                log=lambda m: self.stdout.write(m),
                skip_fk_checks=options["skip_fk_checks"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.visits} simulated visits and {report.events} events for "
                f"{report.offices} offices, {first}..{last} (replaced {report.removed}; "
                f"{report.skipped_days} office-days with real visits left alone): simulated in "
                f"{report.simulate_seconds:.1f} s, written in {report.write_seconds:.1f} s."
            )
        )
