"""``manage.py settle_costs --month 2025-03 [--accept-partial]``: settle a month (as the page's
button does, `services.settle_month_accepting`).

Prints each agency's total. Exits with an error (nothing written) when the month is settled
already or a pool cannot be shared, and when the month's usage is partial or still running
(`services.usage_gaps`: the gaps are printed) unless ``--accept-partial`` is given — the
page's tick (decision 0096): the whole pools are then shared by that usage.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Sum

from servicekontor.catalog.models import Agency
from servicekontor.core.errors import DomainError
from servicekontor.costs import services
from servicekontor.costs.errors import PartialUsageNotAccepted
from servicekontor.costs.models import SettlementLine

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(text: str) -> dt.date:
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise CommandError(f"--month {text!r}: write YYYY-MM, e.g. 2025-03.")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


class Command(BaseCommand):
    help = "Settle a month of costs: share every pool among the agencies and freeze the lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--accept-partial",
            action="store_true",
            help=(
                "settle even when the month's usage is partial or still running: the whole "
                "pools are shared by the usage recorded (the page's tick)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        month = _month(options["month"])
        try:
            settlement = services.settle_month_accepting(
                month=month, by=None, accept_partial=options["accept_partial"]
            )
        except PartialUsageNotAccepted as exc:
            for gap in exc.gaps:
                self.stderr.write(f"- {gap}")
            raise CommandError(
                f"{month:%Y-%m}: {exc.message} Nothing was settled. Run again with "
                "--accept-partial to settle by this usage."
            ) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        totals = dict(
            SettlementLine.objects.filter(settlement=settlement)
            .values_list("agency_id")
            .annotate(s=Sum("amount_ore"))
            .values_list("agency_id", "s")
        )
        names = Agency.objects.in_bulk(totals)
        for agency_id, ore in sorted(totals.items(), key=lambda kv: names[kv[0]].name_sv):
            self.stdout.write(f"{names[agency_id].code}\t{ore / 100:.2f} kr")
        total = sum(totals.values())
        self.stdout.write(
            f"{month:%Y-%m} settled: {total / 100:.2f} kr "
            f"(pools {settlement.pools_ore / 100:.2f} kr, adjustments "
            f"{settlement.adjustments_ore / 100:.2f} kr)"
        )
