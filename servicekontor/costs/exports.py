"""The agency report as tables; written as CSV and Excel by `core.spreadsheets` (BOM, CRLF,
the page's separator, formula-safe text).

One function builds each table (`summary_table`, `lines_table`); the page, the CSV and the
Excel file all show those rows, so they cannot disagree. Money columns are whole öre (exact)
and kronor; the total row sums the öre, so it matches the pools to the öre.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicekontor.core.rounding import MINUTE, MINUTE_PLACES, exported, rounded
from servicekontor.costs.models import SettlementLine, pool_label
from servicekontor.costs.queries import AgencyReport, ReportRow, WhatIfResult

Cell = str | int | float | Decimal | None


def _kr(ore: int | Fraction | None) -> float | None:
    """Öre as kronor, rounded half up to the öre (`core.rounding`, as the page shows it)."""
    return exported(ore, 2, scale=Fraction(1, 100))


def _minutes(seconds: int) -> Decimal:
    """Handled minutes rounded as the statistics round them (`core.rounding.MINUTE_PLACES`:
    one decimal), as a Decimal that keeps its places: the page shows "3 568,6", the files
    carry 3568.6."""
    return rounded(seconds, MINUTE_PLACES, scale=MINUTE)


def _cost_header(rows_by: str) -> list[str]:
    """The header of a table of `ReportRow`s: Agency, `rows_by` (the column that tells the
    rows of an agency apart: Office, Month), then the columns of `_cost_cells`."""
    return [
        _("Agency"),
        rows_by,
        _("Allocated (öre)"),
        _("Adjustments (öre)"),
        _("Total (öre)"),
        _("Total (kr)"),
        _("Served visits per agency"),
        _("Handled minutes"),
        _("Cost per served visit (kr)"),
        _("Cost per handled minute (kr)"),
    ]


def _cost_cells(r: ReportRow) -> list[Cell]:
    """A `ReportRow`'s eight money and usage cells: allocated, adjustments and total in whole
    öre (int), the total in kronor (float), served visits (int), handled minutes (Decimal, one
    place), kronor per served visit and per handled minute (None without visits / minutes)."""
    return [
        r.allocated_ore,
        r.adjustments_ore,
        r.total_ore,
        _kr(r.total_ore),
        r.visits,
        _minutes(r.handled_seconds),
        _kr(r.ore_per_visit),
        _kr(r.ore_per_minute),
    ]


def _cost_total(rows: Sequence[ReportRow]) -> list[Cell]:
    """The Total row of `rows`, in `_cost_header`'s columns: every summable column summed (the
    öre exactly, so the total matches the pools to the öre), no cost per visit or minute."""
    total = sum(r.total_ore for r in rows)
    return [
        _("Total"),
        "",
        sum(r.allocated_ore for r in rows),
        sum(r.adjustments_ore for r in rows),
        total,
        _kr(total),
        sum(r.visits for r in rows),
        _minutes(sum(r.handled_seconds for r in rows)),
        None,
        None,
    ]


def summary_table(report: AgencyReport) -> tuple[list[str], list[list[Cell]]]:
    """Per agency × office: money by kind, the usage, cost per visit and per handled minute;
    then one total row per agency and a grand total."""
    header = _cost_header(_("Office"))
    rows: list[list[Cell]] = []

    def emit(agency: str, office: str, r: ReportRow) -> None:
        rows.append([agency, office, *_cost_cells(r)])

    totals = report.totals_by_agency()
    current = None
    for r in report.rows:
        if current is not None and r.agency_id != current:
            emit(report.agencies[current].name, _("All offices"), totals[current])
        current = r.agency_id
        emit(report.agencies[r.agency_id].name, report.offices[r.office_id].name, r)
    if current is not None:
        emit(report.agencies[current].name, _("All offices"), totals[current])
    rows.append(_cost_total(report.rows))
    return header, rows


def months_table(report: AgencyReport) -> tuple[list[str], list[list[Cell]]]:
    """Per agency × settled month (adjustments in the month they were booked into)."""
    header = _cost_header(_("Month"))
    rows: list[list[Cell]] = [
        [
            report.agencies[r.agency_id].name,
            f"{r.month:%Y-%m}" if r.month else "",
            *_cost_cells(r),
        ]
        for r in report.by_month
    ]
    # every summable column summed, as the summary's Total row (the same settled figures)
    rows.append(_cost_total(report.by_month))
    return header, rows


def services_table(report: AgencyReport) -> tuple[list[str], list[list[Cell]]]:
    """Per agency × service over all offices: the cost (each month's cost of the agency at an
    office split over its services there by handled seconds, largest remainder), errands,
    handled minutes, cost per errand and per handled minute; then the total."""
    header = [
        _("Agency"),
        _("Service"),
        _("Cost (öre)"),
        _("Cost (kr)"),
        _("Errands"),
        _("Handled minutes"),
        _("Cost per errand (kr)"),
        _("Cost per handled minute (kr)"),
    ]
    rows: list[list[Cell]] = []
    for r in report.services:
        service = (
            report.service_objects[r.service_id].name
            if r.service_id is not None
            else _("No handled time (not attributable to a service)")
        )
        rows.append(
            [
                report.agencies[r.agency_id].name,
                service,
                r.cost_ore,
                _kr(r.cost_ore),
                r.errands,
                _minutes(r.handled_seconds),
                _kr(r.ore_per_errand),
                _kr(r.ore_per_minute),
            ]
        )
    total = sum(r.cost_ore for r in report.services)
    rows.append(
        [
            _("Total"),
            "",
            total,
            _kr(total),
            sum(r.errands for r in report.services),
            _minutes(sum(r.handled_seconds for r in report.services)),
            None,
            None,
        ]
    )
    return header, rows


# The unit of a line's quantity and of quantity, by its driver
# (`allocation`: handled time is shared by whole seconds, not rounded minutes).
QUANTITY_UNITS = {
    "minutes": gettext_lazy("seconds"),
    "visits": gettext_lazy("served visits per agency"),
    "fixed": gettext_lazy("fixed weight"),
}


def lines_table(
    report: AgencyReport, lines: Sequence[SettlementLine] | None = None
) -> tuple[list[str], list[list[Cell]]]:
    """Every settled line (or `lines`, some of the report's: a page of them, then without the
    total row), with the quantities to recompute it:
    amount = basis × quantity / basis quantity (then largest remainder); for a network pool the
    office's part = network pool × office quantity / network quantity."""
    header = [
        _("Month"),
        _("Kind"),
        _("Agency"),
        _("Office"),
        _("Pool"),
        _("Pool office"),
        _("Category"),
        _("Driver"),
        # the quantities' unit, said in the row (walk F16: "Handled minutes" with 2334899,
        # which are seconds)
        _("Unit of quantity"),
        _("Quantity"),
        _("Of quantity"),
        _("Basis (öre)"),
        _("Office's part (öre)"),
        _("Office quantity"),
        _("Network quantity"),
        _("Amount (öre)"),
        _("Amount (kr)"),
        _("Correction of"),
        _("Reason"),
    ]
    rows: list[list[Cell]] = []
    for ln in report.lines if lines is None else lines:
        corr = ln.correction
        rows.append(
            [
                f"{ln.month:%Y-%m}",
                ln.get_kind_display(),
                report.agencies[ln.agency_id].name,
                report.offices[ln.office_id].name,
                pool_label(ln.pool_name, ln.get_category_display()),
                report.offices[ln.pool.office_id].name if ln.pool.office_id else _("Network"),
                ln.get_category_display(),
                ln.get_driver_display(),
                str(QUANTITY_UNITS.get(ln.driver, "")),
                ln.quantity,
                ln.basis_quantity,
                ln.basis_ore,
                ln.office_ore,
                ln.office_quantity,
                ln.network_quantity,
                ln.amount_ore,
                _kr(ln.amount_ore),
                f"{corr.month:%Y-%m}" if corr else "",
                corr.reason if corr else "",
            ]
        )
    if lines is None:
        total = sum(ln.amount_ore for ln in report.lines)
        rows.append([_("Total"), *[""] * 14, total, _kr(total), "", ""])
    return header, rows


def _hours(value: Fraction) -> float | None:
    return exported(value, 2)


def what_if_agencies_table(result: WhatIfResult) -> tuple[list[str], list[list[Cell]]]:
    """Per agency: öre, share, visits and cost per visit today and with the change; a total."""
    header = [
        _("Agency"),
        _("Today (öre)"),
        _("Today: share"),
        _("Today: served visits"),
        _("Today: cost per served visit (kr)"),
        _("With the change (öre)"),
        _("With the change: share"),
        _("With the change: served visits"),
        _("With the change: cost per served visit (kr)"),
        _("Difference (öre)"),
    ]
    rows: list[list[Cell]] = []
    for o in result.outcomes:
        rows.append(
            [
                o.agency.name,
                o.a_ore,
                exported(o.a_share, 6),
                o.a_visits,
                _kr(o.a_per_visit),
                o.b_ore,
                exported(o.b_share, 6),
                o.b_visits,
                _kr(o.b_per_visit),
                o.difference_ore,
            ]
        )
    a = sum(o.a_ore for o in result.outcomes)
    b = sum(o.b_ore for o in result.outcomes)
    rows.append(
        [
            _("Total"),
            a,
            None,
            sum(o.a_visits for o in result.outcomes),
            None,
            b,
            None,
            sum(o.b_visits for o in result.outcomes),
            None,
            b - a,
        ]
    )
    if result.usage_note:  # a month not begun: whose use (and pools) the shares are
        rows.append([result.usage_note] + [None] * (len(header) - 1))
    return header, rows


def what_if_staff_table(result: WhatIfResult) -> tuple[list[str], list[list[Cell]]]:
    """Per office of the change: officer hours, FTE and their cost today and with the change
    (hours × the hourly cost in the last columns, so each row can be recomputed); a total.
    No rows when the staff could not be computed (`result.missing` says why)."""
    header = [
        _("Office"),
        _("Hours today"),
        _("FTE today"),
        _("Staff cost today (öre)"),
        _("Hours with the change"),
        _("FTE with the change"),
        _("Staff cost with the change (öre)"),
        _("Extra hours"),
        _("Extra FTE"),
        _("Extra staff cost (öre)"),
        _("Extra staff cost (kr)"),
        _("Role"),
        _("Cost per hour (öre)"),
    ]
    rows: list[list[Cell]] = []
    staff = result.staff
    if staff is None:
        return header, rows
    role, rate = result.role_label, staff.ore_per_hour
    for o in staff.offices:
        office = result.offices.get(o.office)
        rows.append(
            [
                office.name if office else str(o.office),
                _hours(o.hours_a),
                _hours(o.fte_a),
                o.cost_a_ore,
                _hours(o.hours_b),
                _hours(o.fte_b),
                o.cost_b_ore,
                _hours(o.hours_difference),
                _hours(o.fte_difference),
                o.difference_ore,
                _kr(o.difference_ore),
                role,
                rate,
            ]
        )
    rows.append(
        [
            _("Total"),
            _hours(staff.hours_a),
            _hours(staff.fte_a),
            staff.cost_a_ore,
            _hours(staff.hours_b),
            _hours(staff.fte_b),
            staff.cost_b_ore,
            _hours(staff.hours_b - staff.hours_a),
            _hours(staff.fte_b - staff.fte_a),
            staff.difference_ore,
            _kr(staff.difference_ore),
            role,
            rate,
        ]
    )
    return header, rows
