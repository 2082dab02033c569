"""The office statistics page's tables as file rows (walk F3, 2 Dec 2026: the office manager's
page had no export): one source for the CSV (the table by agency, with the office's total)
and the Excel workbook (that table and the page's other tables, one sheet each). The figures
are the agency reports' columns (`agency_report.row_values`), numbers rounded as the pages
round them."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from servicekontor.core import clock
from servicekontor.core.rounding import exported
from servicekontor.reports.agency_report import COLUMNS, row_values, total_label
from servicekontor.reports.dashboards import Chart, OfficeDashboard

HOUR = Fraction(1, 3600)


def agency_header() -> list[str]:
    """The agency report's columns, the last one for any period (not "same month")."""
    labels = [str(label) for key, label in COLUMNS if key != "served_visits_last_year"]
    return [_("Agency"), *labels, _("Served visits, a year earlier")]


def agency_rows(board: OfficeDashboard) -> list[list[Any]]:
    """One row per agency of the period, then the office's total (each visit once per
    agency, as the rows count: the sum of the rows)."""
    weeks = board.weeks
    keys = [key for key, _label in COLUMNS]
    rows = [
        [name, *[row_values(now, before)[k] for k in keys]] for name, now, before in weeks.groups
    ]
    up_to = min(weeks.end, clock.local_today())
    total = row_values(weeks.total, weeks.total_last_year)
    rows.append([total_label(up_to, weeks.end), *[total[k] for k in keys]])
    return rows


def _chart_rows(chart: Chart) -> list[list[Any]]:
    return [[None if cell == "–" else cell for cell in row] for row in chart.rows]


def sheets(
    board: OfficeDashboard, breakdown: dict[str, list[tuple[str, int]]]
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
        (_("By agency"), agency_header(), agency_rows(board)),
        (_("Trend"), weeks.trend.header, _chart_rows(weeks.trend)),
        (_("Busiest hours"), weeks.heatmap.header, _chart_rows(weeks.heatmap)),
        (_("Outcomes"), [_("Outcome"), _("Errands")], [list(r) for r in breakdown["outcomes"]]),
        (
            _("Languages"),
            [_("Language"), _("Errands")],
            [list(r) for r in breakdown["languages"]],
        ),
        (
            _("Occupancy"),
            [_("Office"), _("Signed in (h)"), _("Serving (h)"), _("Occupancy (%)")],
            occupancy,
        ),
    ]
