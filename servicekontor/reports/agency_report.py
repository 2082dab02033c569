"""The monthly agency report: one table, shown as a page, CSV, Excel and through the API.

Built once here from `queries.figures`, so the four outputs cannot disagree.
"""

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock, params
from servicekontor.core.collation import swedish_key
from servicekontor.core.errors import DomainError
from servicekontor.core.rounding import MINUTE, MINUTE_PLACES, exported
from servicekontor.network.models import Office
from servicekontor.reports.queries import BadPeriod, Figures, figures, last_year
from servicekontor.reports.scope import NoStatistics, Scope

# (key, label) of each column after the row's name; values from `row_values`.
COLUMNS: tuple[tuple[str, Any], ...] = (
    # Visits reached = arrivals (walk-in + booked) + transferred in or errand added.
    ("visits", _("Visits reached")),
    ("visits_walk_in", _("Arrivals, walk-in")),
    ("visits_booked", _("Arrivals, booked")),
    ("visits_reached_otherwise", _("Transferred in or errand added")),
    ("served_visits", _("Served visits per agency")),
    ("errands", _("Errands")),
    ("handled_minutes", _("Handled minutes")),
    ("mean_service_minutes", _("Mean service time (min)")),
    ("no_show", _("No-shows")),
    ("left_queue", _("Left before being served")),
    ("not_served", _("Not served at closing")),
    ("transfers", _("Transfers")),
    ("mean_wait_minutes", _("Mean wait (min)")),
    # the bin's first minute (`measures`: waits in bins of whole minutes waited, walk F11)
    ("median_wait_minutes", _("Median wait (whole minutes waited)")),
    ("p90_wait_minutes", _("90th percentile wait (whole minutes waited)")),
    ("service_level_percent", _("Called within target (%)")),
    ("interpreter_errands", _("Errands with interpreter")),
    ("repeat_contacts", _("Repeat contacts (the agency needed the citizen again)")),
    ("served_visits_last_year", _("Served visits per agency, same month last year")),
)


# The columns that can be unknown, and why (the page's note, the API's field descriptions).
UNKNOWN_WHEN: dict[str, Any] = {
    "mean_service_minutes": _("no served visit"),
    "mean_wait_minutes": _("no visit called"),
    "median_wait_minutes": _("no visit called"),
    "p90_wait_minutes": _("no visit called"),
    "service_level_percent": _("no visit called"),
    "served_visits_last_year": _(
        "no visit recorded in that month a year earlier (e.g. before the office opened or "
        "before the system was in use); not the same as 0"
    ),
}


def unknown_notes() -> list[tuple[str, str]]:
    """(column label, when it is unknown) for the note under a report's table."""
    labels = dict(COLUMNS)
    return [(str(labels[key]), str(why)) for key, why in UNKNOWN_WHEN.items()]


# Decimals of each column (`row_values` rounds to them); the rest are whole numbers.
PLACES: dict[str, int] = {
    "handled_minutes": MINUTE_PLACES,
    "mean_service_minutes": MINUTE_PLACES,
    "mean_wait_minutes": MINUTE_PLACES,
    "service_level_percent": 1,
}


def column_places(names: int) -> list[int | None]:
    """The places of a report table's columns as a page shows them (`table_cells.
    with_places`: grouped, fixed decimals): `names` text columns (office, county), then
    `COLUMNS`. The files and the API carry the same figures as numbers."""
    return [None] * names + [PLACES.get(key, 0) for key, _label in COLUMNS]


def row_values(now: Figures, before: Figures | None) -> dict[str, Any]:
    """The report's columns for one row, as plain numbers (None: no data)."""
    return {
        "visits": now.visits,
        "visits_walk_in": now.visits_walk_in,
        "visits_booked": now.visits_booked,
        "visits_reached_otherwise": now.reached_otherwise,
        "served_visits": now.errand_visits,
        "errands": now.errands,
        # rounded half up, as the pages round (`core.rounding`)
        "handled_minutes": exported(now.handled_seconds, PLACES["handled_minutes"], scale=MINUTE),
        "mean_service_minutes": exported(
            now.mean_service_seconds, PLACES["mean_service_minutes"], scale=MINUTE
        ),
        "no_show": now.no_show,
        "left_queue": now.left_queue,
        "not_served": now.not_served,
        "transfers": now.transfers,
        "mean_wait_minutes": exported(
            now.mean_wait_seconds, PLACES["mean_wait_minutes"], scale=MINUTE
        ),
        "median_wait_minutes": now.wait_median_minutes,
        "p90_wait_minutes": now.wait_p90_minutes,
        "service_level_percent": exported(
            now.service_level, PLACES["service_level_percent"], scale=100
        ),
        "interpreter_errands": now.interpreter_errands,
        "repeat_contacts": now.repeat_contacts,
        # None, not 0: no visit of this row is recorded a year earlier (before the office
        # opened or the system was in use), which is not "no served visits last year".
        "served_visits_last_year": before.errand_visits if before is not None else None,
    }


class NotBegun(DomainError):
    """A month or year after today: it has no figures yet (not a report of zeros)."""

    http_status = 404
    default_message = _("This period has not begun: there are no figures yet.")


def figures_up_to(start: dt.date, end: dt.date, *, not_begun: str) -> dt.date:
    """The last day the figures of `start`…`end` include: `end` once the period is over,
    today while it runs (the rollups follow every change of a visit, so today's figures are
    those so far: "up to and including today"). Raises NotBegun (404) with `not_begun` for a
    period that starts after today, as the costs report names a month not settled yet
    rather than show it as zeros."""
    today = clock.local_today()
    if start > today:
        raise NotBegun(not_begun)
    return min(end, today)


def month_not_begun(month: dt.date) -> str:
    """The words for a month after today (its report, files, API; the costs report's)."""
    return gettext("The month %(month)s has not begun: there are no figures yet.") % {
        "month": date_format(month, "YEAR_MONTH_FORMAT")
    }


def year_not_begun(year: int) -> str:
    """The words for a year after the current one (its report, files, API; the costs
    report's)."""
    return gettext("The year %(year)s has not begun: there are no figures yet.") % {"year": year}


def covered(start: dt.date, end: dt.date, up_to: dt.date) -> tuple[dt.date, dt.date]:
    """The days the figures of `start`…`end` cover: up to `up_to` (today) while the period
    runs. The one rule of a report's caveats (walk F19 of session 18): whether figures cover
    "part of the period only" (`reports.coverage`) is judged on these days, on the page, in
    its files and in the API alike — a running period's days after today are not "missing"
    (the "not over" note says they are to come), so an office closing or an agency leaving
    after today marks nothing yet. The dashboards' notes judge the same days
    (`views._so_far`)."""
    return start, min(end, up_to)


def up_to_label(day: dt.date) -> str:
    """The words after a running period's name in its tables and files: "t.o.m. 2026-12-02"."""
    return gettext("up to and including %(day)s") % {"day": day.isoformat()}


def total_label(up_to: dt.date, end: dt.date) -> str:
    """The Total row's name: "Total", or "Total up to and including <day>" while the period
    runs (a file read later must not pass for the whole month or year)."""
    if up_to >= end:
        return gettext("Total")
    return gettext("Total up to and including %(day)s") % {"day": up_to.isoformat()}


@dataclass(frozen=True)
class ReportRow:
    code: str
    name: str
    county: str
    values: dict[str, Any]


@dataclass(frozen=True)
class AgencyReport:
    agency: Agency
    month: dt.date
    last_day: dt.date
    offices: list[ReportRow]
    services: list[ReportRow]
    total: dict[str, Any]
    # the last day the figures include: `last_day`, or today while the month runs
    up_to: dt.date

    @property
    def running(self) -> bool:
        return self.up_to < self.last_day

    @property
    def covered(self) -> tuple[dt.date, dt.date]:
        return covered(self.month, self.last_day, self.up_to)


def parse_month(text: str) -> dt.date:
    """'2025-03' → 2025-03-01; raises BadPeriod (400) otherwise, also for a month outside
    core.params.MIN_DATE…MAX_DATE (the report reads the same month a year earlier)."""
    try:
        return params.parse_month(text)
    except ValueError as exc:
        raise BadPeriod(str(exc)) from None


def agency_month_report(*, scope: Scope, agency: Agency, month: dt.date) -> AgencyReport:
    """The agency's month, per office and per service, with the same month last year.

    Raises NoStatistics (403) if the scope does not include the agency, NotBegun (404) for a
    month after the current one. An office manager's report covers only the offices they
    manage. The current month's figures are those so far (`up_to`: today).
    """
    if not scope.allows_agency(agency.pk):
        raise NoStatistics(_("You may not see this agency's statistics."))
    start = month.replace(day=1)
    end = start.replace(day=monthrange(start.year, start.month)[1])
    up_to = figures_up_to(start, end, not_begun=month_not_begun(start))
    ly_start, ly_end = last_year(start, end)
    only = [agency.pk]
    by_office = figures(scope=scope, start=start, end=end, by=("office",), agency_ids=only)
    before_office = figures(
        scope=scope, start=ly_start, end=ly_end, by=("office",), agency_ids=only, waits=False
    )
    by_service = figures(scope=scope, start=start, end=end, by=("service",), agency_ids=only)
    before_service = figures(
        scope=scope, start=ly_start, end=ly_end, by=("service",), agency_ids=only, waits=False
    )
    total = figures(scope=scope, start=start, end=end, agency_ids=only).get((), Figures())
    total_before = figures(
        scope=scope, start=ly_start, end=ly_end, agency_ids=only, waits=False
    ).get(())
    offices = {
        o.pk: o for o in Office.objects.filter(pk__in=[k[0] for k in by_office | before_office])
    }
    services = {s.pk: s for s in Service.objects.filter(agency=agency)}
    office_rows = [
        ReportRow(
            offices[k[0]].code,
            offices[k[0]].name,
            offices[k[0]].county,
            row_values(by_office.get(k, Figures()), before_office.get(k)),
        )
        for k in sorted(by_office, key=lambda k: swedish_key(offices[k[0]].name))
    ]
    service_rows = [
        ReportRow(
            services[k[0]].code,
            services[k[0]].name,
            "",
            row_values(by_service[k], before_service.get(k)),
        )
        for k in sorted(by_service, key=lambda k: swedish_key(services[k[0]].name))
        if k[0] in services
    ]
    return AgencyReport(
        agency=agency,
        month=start,
        last_day=end,
        offices=office_rows,
        services=service_rows,
        total=row_values(total, total_before),
        up_to=up_to,
    )


@dataclass(frozen=True)
class AgencyYear:
    agency: Agency
    year: int
    months: list[ReportRow]
    offices: list[ReportRow]
    total: dict[str, Any]
    # the last day the figures include: 31 December, or today while the year runs
    up_to: dt.date

    @property
    def running(self) -> bool:
        return self.up_to < dt.date(self.year, 12, 31)

    @property
    def covered(self) -> tuple[dt.date, dt.date]:
        return covered(dt.date(self.year, 1, 1), dt.date(self.year, 12, 31), self.up_to)

    def month_covered(self, code: str) -> tuple[dt.date, dt.date]:
        """The days month `code` ("2026-10") covers in this report."""
        first = parse_month(code)
        return covered(first, first.replace(day=monthrange(first.year, first.month)[1]), self.up_to)


def agency_year_report(*, scope: Scope, agency: Agency, year: int) -> AgencyYear:
    """The agency's year per month and per office, with each month of the year before.

    Raises NoStatistics (403) if the scope does not include the agency, BadPeriod (400) for
    a year outside 2000–2100, NotBegun (404) for a year after the current one. The current
    year's (and its current month's) figures are those so far (`up_to`: today).
    """
    if not scope.allows_agency(agency.pk):
        raise NoStatistics(_("You may not see this agency's statistics."))
    if not 2000 <= year <= 2100:
        raise BadPeriod()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    up_to = figures_up_to(start, end, not_begun=year_not_begun(year))
    only = [agency.pk]
    by_month = figures(scope=scope, start=start, end=end, by=("month",), agency_ids=only)
    before = figures(
        scope=scope,
        start=start.replace(year=year - 1),
        end=end.replace(year=year - 1),
        by=("month",),
        agency_ids=only,
        waits=False,  # only the served visits of each month are shown
    )
    by_office = figures(scope=scope, start=start, end=end, by=("office",), agency_ids=only)
    before_office = figures(
        scope=scope,
        start=start.replace(year=year - 1),
        end=end.replace(year=year - 1),
        by=("office",),
        agency_ids=only,
        waits=False,
    )
    total = figures(scope=scope, start=start, end=end, agency_ids=only).get((), Figures())
    offices = {o.pk: o for o in Office.objects.filter(pk__in=[k[0] for k in by_office])}
    months = []
    for key in sorted(by_month):
        month = key[0]
        previous = before.get((month.replace(year=year - 1),))
        # the current month's row says its figures are those so far
        running = month <= up_to < month.replace(day=monthrange(month.year, month.month)[1])
        name = f"{month:%Y-%m} ({up_to_label(up_to)})" if running else f"{month:%Y-%m}"
        months.append(ReportRow(f"{month:%Y-%m}", name, "", row_values(by_month[key], previous)))
    last_year_total = (
        Figures(errand_visits=sum(f.errand_visits for f in before.values())) if before else None
    )
    return AgencyYear(
        agency=agency,
        year=year,
        months=months,
        offices=[
            ReportRow(
                offices[k[0]].code,
                offices[k[0]].name,
                offices[k[0]].county,
                row_values(f, before_office.get(k)),
            )
            for k, f in sorted(
                by_office.items(), key=lambda kv: swedish_key(offices[kv[0][0]].name)
            )
        ],
        total=row_values(total, last_year_total),
        up_to=up_to,
    )
