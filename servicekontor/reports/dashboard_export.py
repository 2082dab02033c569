"""The dashboards' tables as file rows (walk F3 and F30, 2 Dec 2026: the office page and the
agency page of a chosen period had no export): one source for the CSV (the table by agency
or by service, with the total) and the Excel workbook (that table and the page's other
tables, one sheet each). The figures are the agency reports' columns (`agency_report.
row_values`), numbers rounded as the pages round them."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from servicekontor.core import clock
from servicekontor.core.rounding import exported
from servicekontor.reports.agency_report import COLUMNS, row_values, total_label
from servicekontor.reports.dashboards import Chart, Dashboard, OfficeDashboard

HOUR = Fraction(1, 3600)


def group_header(label: str) -> list[str]:
    """The agency report's columns after ``label`` (Agency, Service), the last one for any
    period (not "same month")."""
    labels = [str(label) for key, label in COLUMNS if key != "served_visits_last_year"]
    return [label, *labels, _("Served visits per agency, a year earlier")]


def agency_header() -> list[str]:
    """The office's table by agency, and last the page's "Served visits" (visits served,
    each once: the total row equals the page's; walk F10): an agency's row the visits that
    finished with one of its services, so the rows add up to the total, where "Served visits
    per agency" counts a visit once for each agency it served."""
    return [*group_header(_("Agency")), _("Served visits")]


def group_rows(board: Dashboard, end: dt.date) -> list[list[Any]]:
    """One row per group of the period (agency or service), then the total (each visit once
    per agency, as the rows count: for an office, the sum of the rows), named "up to and
    including today" while the period (ending ``end``) runs."""
    keys = [key for key, _label in COLUMNS]
    rows = [
        [name, *[row_values(now, before)[k] for k in keys]] for name, now, before in board.groups
    ]
    up_to = min(end, clock.local_today())
    total = row_values(board.total, board.total_last_year)
    rows.append([total_label(up_to, end), *[total[k] for k in keys]])
    return rows


def agency_rows(board: OfficeDashboard, end: dt.date) -> list[list[Any]]:
    served = [now.served for _name, now, _before in board.weeks.groups]
    return [
        [*row, n]
        for row, n in zip(
            group_rows(board.weeks, end), [*served, board.weeks.total.served], strict=True
        )
    ]


def _cell(cell: Any) -> Any:
    """A chart table's cell as a file carries it: "–" empty, "80 %" the number 80."""
    if cell == "–":
        return None
    if isinstance(cell, str) and cell.endswith(" %") and cell[:-2].isdigit():
        return int(cell[:-2])
    return cell


def _chart_rows(chart: Chart) -> list[list[Any]]:
    return [[_cell(cell) for cell in row] for row in chart.rows]


def _breakdown_sheets(
    breakdown: dict[str, list[tuple[str, int]]],
) -> list[tuple[str, list[str], list[list[Any]]]]:
    return [
        (_("Outcomes"), [_("Outcome"), _("Errands")], [list(r) for r in breakdown["outcomes"]]),
        (
            _("Languages"),
            [_("Language"), _("Errands")],
            [list(r) for r in breakdown["languages"]],
        ),
    ]


def agency_sheets(
    board: Dashboard, breakdown: dict[str, list[tuple[str, int]]], end: dt.date
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The agency page's workbook: by service (as its CSV), the trend, the offices ranked,
    the busiest hours, errands by outcome and by interpreter language."""
    sheets = [
        (_("By service"), group_header(_("Service")), group_rows(board, end)),
        (_("Trend"), board.trend.header, _chart_rows(board.trend)),
    ]
    if board.ranked is not None:
        sheets.append((_("Offices ranked"), board.ranked.header, _chart_rows(board.ranked)))
    sheets.append((_("Busiest hours"), board.heatmap.header, _chart_rows(board.heatmap)))
    return sheets + _breakdown_sheets(breakdown)


def sheets(
    board: OfficeDashboard, breakdown: dict[str, list[tuple[str, int]]], end: dt.date
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The workbook: by agency (as the CSV), the trend, the busiest hours, errands by outcome
    and by interpreter language, and the officers' occupancy — the page's tables."""
    weeks = board.weeks
    occupancy = [
        [
            name,
            exported(o.signed_in_seconds, 1, scale=HOUR),
            exported(o.serving_seconds, 1, scale=HOUR),
            exported(o.share, 0, scale=100),
        ]
        for name, o in weeks.occupancy
    ]
    return [
        (_("By agency"), agency_header(), agency_rows(board, end)),
        (_("Trend"), weeks.trend.header, _chart_rows(weeks.trend)),
        (_("Busiest hours"), weeks.heatmap.header, _chart_rows(weeks.heatmap)),
        *_breakdown_sheets(breakdown),
        (
            _("Occupancy"),
            [_("Office"), _("Signed in (h)"), _("Serving (h)"), _("Occupancy (%)")],
            occupancy,
        ),
    ]
