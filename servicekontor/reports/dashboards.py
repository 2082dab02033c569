"""What the three dashboards show, assembled from the query functions (reads only).

Each function takes the viewer's `Scope`; the queries filter by it, so what a dashboard
holds is already limited to what the viewer may see. Charts are SVG strings from
`charts.py`, each paired with the rows of its table.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.network.models import Office
from servicekontor.reports import charts
from servicekontor.reports.models import DayFigures
from servicekontor.reports.queries import (
    Breakdown,
    Figures,
    Occupancy,
    busiest_hours,
    days_with_arrivals,
    errand_breakdown,
    figures,
    last_year,
    occupancy,
)
from servicekontor.reports.scope import Scope

WEEKDAYS = (
    ("1", gettext_lazy("Mon")),
    ("2", gettext_lazy("Tue")),
    ("3", gettext_lazy("Wed")),
    ("4", gettext_lazy("Thu")),
    ("5", gettext_lazy("Fri")),
    ("6", gettext_lazy("Sat")),
    ("7", gettext_lazy("Sun")),
)


@dataclass
class Chart:
    svg: str
    header: list[str]
    rows: list[list[Any]]
    title: str = ""  # shown as text above the chart (the SVG's own title is for screen readers)


@dataclass
class Dashboard:
    start: dt.date
    end: dt.date
    total: Figures
    total_last_year: Figures | None  # None: no data a year earlier (shown as "–", not 0)
    trend: Chart
    heatmap: Chart
    groups: list[tuple[str, Figures, Figures | None]] = field(default_factory=list)
    ranked: Chart | None = None
    counties: list[tuple[str, Figures]] = field(default_factory=list)
    breakdown: Breakdown = field(default_factory=Breakdown)
    occupancy: list[tuple[str, Occupancy]] = field(default_factory=list)


def grain_for(start: dt.date, end: dt.date) -> str:
    days = (end - start).days + 1
    return "day" if days <= 35 else "week" if days <= 26 * 7 else "month"


def _periods(start: dt.date, end: dt.date, grain: str) -> list[dt.date]:
    out: list[dt.date] = []
    day = start
    while day <= end:
        if grain == "day":
            key = day
        elif grain == "week":
            key = day - dt.timedelta(days=day.weekday())
        else:
            key = day.replace(day=1)
        if not out or out[-1] != key:
            out.append(key)
        day += dt.timedelta(days=1)
    return out


def _period_end(key: dt.date, grain: str) -> dt.date:
    """The last day of the period that starts on `key`."""
    if grain == "day":
        return key
    if grain == "week":
        return key + dt.timedelta(days=6)
    following = (key.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _label(day: dt.date, grain: str) -> str:
    if grain == "month":
        return date_format(day, "YEAR_MONTH_FORMAT")
    if grain == "week":
        return _("w. %(week)s") % {"week": day.isocalendar().week}
    return date_format(day, "SHORT_DATE_FORMAT")


def trend(
    *, scope: Scope, start: dt.date, end: dt.date, filters: dict[str, Any], measure: str
) -> Chart:
    """Served visits (or `measure`, a Figures attribute) per day/week/month, with the same
    periods one year earlier as a second line."""
    grain = grain_for(start, end)
    now = figures(scope=scope, start=start, end=end, by=(grain,), waits=False, **filters)
    ly_start, ly_end = last_year(start, end)
    before = figures(scope=scope, start=ly_start, end=ly_end, by=(grain,), waits=False, **filters)
    periods = _periods(start, end, grain)
    before_periods = _periods(ly_start, ly_end, grain)

    def value(table: dict[tuple[Any, ...], Figures], key: dt.date) -> int | None:
        found = table.get((key,))
        return getattr(found, measure) if found is not None else None

    this_year = [value(now, p) for p in periods]
    # The period that holds today is not over: plotted, its few hours would read as a fall
    # (today at 0 before anyone is served). It stays out of the line, in the table "so far".
    today = clock.local_today()
    running = next((i for i, p in enumerate(periods) if p <= today <= _period_end(p, grain)), None)
    plotted = [None if i == running else v for i, v in enumerate(this_year)]
    previous = [
        value(before, before_periods[i]) if i < len(before_periods) else None
        for i in range(len(periods))
    ]
    labels = [_label(p, grain) for p in periods]
    # one name per figure: across agencies visits served once each, else per agency
    title = (
        _("Served visits over time")
        if measure == "served"
        else _("Served visits per agency over time")
    )
    svg = charts.line_chart(
        title=title,
        desc=_("Served visits per period, this period and the same period a year earlier."),
        x_labels=labels,
        series=[
            charts.Series(_("This period"), plotted),
            charts.Series(_("A year earlier"), previous),
        ],
    )
    rows = [
        [
            _("%(period)s (so far)") % {"period": label} if i == running else label,
            a if a is not None else "–",
            b if b is not None else "–",
        ]
        for i, (label, a, b) in enumerate(zip(labels, this_year, previous, strict=True))
    ]
    return Chart(
        svg,
        [_("Period"), _("This period"), _("A year earlier")],
        rows,
        title,
    )


def heatmap(*, scope: Scope, start: dt.date, end: dt.date, filters: dict[str, Any]) -> Chart:
    """Arrivals summed over the period per weekday and hour, with the number of days of each
    weekday they are summed over (walk F26: a sum without its unit read as one day's)."""
    values = busiest_hours(scope=scope, start=start, end=end, **filters)
    days = days_with_arrivals(scope=scope, start=start, end=end, **filters)
    hours = sorted({h for _, h in values}) or list(range(9, 17))
    hours = list(range(min(hours), max(hours) + 1))
    labels = [str(label) for _, label in WEEKDAYS]
    title = _("Busiest hours: arrivals in the whole period")
    svg = charts.heatmap(
        title=title,
        desc=_(
            "Arrivals by weekday and hour of arrival, summed over the period (the table's last "
            "column: the days of that weekday with visits); darker is busier."
        ),
        values=values,
        day_labels=labels,
        hours=hours,
    )
    rows = [
        [labels[d - 1], *[values.get((d, h), 0) for h in hours], days.get(d, 0)]
        for d in range(1, 8)
    ]
    header = [_("Weekday"), *[f"{h:02d}" for h in hours], _("Days with visits")]
    return Chart(svg, header, rows, title)


def _ranked(
    *, scope: Scope, start: dt.date, end: dt.date, filters: dict[str, Any], measure: str
) -> tuple[Chart, list[tuple[str, Figures]]]:
    """Offices by served visits: `measure` "served" (visits served, once each) across
    agencies, "errand_visits" (served visits of the agency) for one agency."""
    by_office = figures(scope=scope, start=start, end=end, by=("office",), **filters)
    names = dict(Office.objects.filter(pk__in=[k[0] for k in by_office]).values_list("pk", "name"))
    ordered = sorted(by_office.items(), key=lambda kv: -getattr(kv[1], measure))
    rows = [(names[k[0]], f) for k, f in ordered]
    svg = charts.ranked_bars(
        title=_("Offices ranked by served visits"),
        desc=_("The 20 offices with the most served visits in the period."),
        rows=[(name, getattr(f, measure)) for name, f in rows[:20]],
    )
    # Across agencies the people who came, each once (arrivals); for one agency the visits
    # that reached it (docs/statistics.md).
    across = measure == "served"
    table = [
        [name, getattr(f, measure), f.arrivals if across else f.visits, _pct(f.service_level)]
        for name, f in rows
    ]
    return Chart(
        svg,
        [
            _("Office"),
            _("Served visits") if across else _("Served visits per agency"),
            _("Arrivals") if across else _("Visits reached"),
            _("Within target"),
        ],
        table,
        _("Offices ranked by served visits"),
    ), rows


def _pct(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.0f} %"


def _has_data(found: Figures | None) -> bool:
    return found is not None and bool(
        found.arrivals
        or found.visits
        or found.served
        or found.errand_visits
        or found.errands
        or found.no_show
    )


def _totals(
    *, scope: Scope, start: dt.date, end: dt.date, filters: dict[str, Any]
) -> tuple[Figures, Figures | None]:
    """This period's figures, and the same period a year earlier — None where the statistics
    hold nothing for it (before the office existed or before records began), so a page
    shows "–" rather than a 0 that reads as "nobody came"."""
    ly = last_year(start, end)
    now = figures(scope=scope, start=start, end=end, **filters).get((), Figures())
    before = figures(scope=scope, start=ly[0], end=ly[1], **filters).get(())
    return now, before if _has_data(before) else None


def network_dashboard(*, scope: Scope, start: dt.date, end: dt.date) -> Dashboard:
    filters: dict[str, Any] = {}
    total, before = _totals(scope=scope, start=start, end=end, filters=filters)
    board = Dashboard(
        start=start,
        end=end,
        total=total,
        total_last_year=before,
        # across agencies a served visit is a visit served, once (`served`; decision 0059)
        trend=trend(scope=scope, start=start, end=end, filters=filters, measure="served"),
        heatmap=heatmap(scope=scope, start=start, end=end, filters=filters),
    )
    board.groups = _by_agency(scope=scope, start=start, end=end, filters=filters)
    board.ranked, _rows = _ranked(
        scope=scope, start=start, end=end, filters=filters, measure="served"
    )
    by_county = figures(scope=scope, start=start, end=end, by=("county",))
    board.counties = sorted(((k[0], f) for k, f in by_county.items()), key=lambda kv: kv[0])
    board.breakdown = errand_breakdown(scope=scope, start=start, end=end)
    board.occupancy = _occupancy(scope=scope, start=start, end=end)
    return board


def _by_agency(
    *, scope: Scope, start: dt.date, end: dt.date, filters: dict[str, Any]
) -> list[tuple[str, Figures, Figures | None]]:
    ly = last_year(start, end)
    now = figures(scope=scope, start=start, end=end, by=("agency",), **filters)
    before = figures(scope=scope, start=ly[0], end=ly[1], by=("agency",), waits=False, **filters)
    names = {a.pk: a.name for a in Agency.objects.filter(pk__in=[k[0] for k in now])}
    return sorted(
        (
            (names[k[0]], f, before.get(k) if _has_data(before.get(k)) else None)
            for k, f in now.items()
        ),
        key=lambda row: row[0],
    )


def _occupancy(
    *, scope: Scope, start: dt.date, end: dt.date, office_ids: list[int] | None = None
) -> list[tuple[str, Occupancy]]:
    found = occupancy(scope=scope, start=start, end=end, office_ids=office_ids)
    names = dict(Office.objects.filter(pk__in=[k[0] for k in found]).values_list("pk", "name"))
    return sorted(
        ((names[k[0]], v) for k, v in found.items() if office_ids is None or k[0] in office_ids),
        key=lambda kv: kv[0],
    )


@dataclass
class OfficeDashboard:
    office: Office
    today: Figures
    today_by_agency: list[tuple[str, Figures, Figures | None]]
    weeks: Dashboard


def last_weeks_start(weeks: int = 12) -> dt.date:
    """The Monday that begins the office page's default period: the last `weeks` weeks,
    this one included."""
    today = clock.local_today()
    return today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))


def first_recorded_day(office: Office) -> dt.date | None:
    """The office's first day in the statistics (None: nothing recorded yet)."""
    found: dt.date | None = DayFigures.objects.filter(office=office).aggregate(
        first=Min("local_day")
    )["first"]
    return found


def office_dashboard(
    *,
    scope: Scope,
    office: Office,
    weeks: int = 12,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> OfficeDashboard:
    """Today (live: the rollups are written with each change) and the period `start`–`end`
    (default: the last `weeks` weeks up to today; walk F3: a manager chooses the period)."""
    today = clock.local_today()
    start = start if start is not None else last_weeks_start(weeks)
    end = end if end is not None else today
    filters: dict[str, Any] = {"office_ids": [office.pk]}
    total, before = _totals(scope=scope, start=start, end=end, filters=filters)
    board = Dashboard(
        start=start,
        end=end,
        total=total,
        total_last_year=before,
        # the office's served visits: visits served, once each, as the live view counts them
        trend=trend(scope=scope, start=start, end=end, filters=filters, measure="served"),
        heatmap=heatmap(scope=scope, start=start, end=end, filters=filters),
    )
    board.groups = _by_agency(scope=scope, start=start, end=end, filters=filters)
    board.breakdown = errand_breakdown(scope=scope, start=start, end=end, **filters)
    board.occupancy = _occupancy(scope=scope, start=start, end=end, office_ids=[office.pk])
    now = figures(scope=scope, start=today, end=today, **filters).get((), Figures())
    return OfficeDashboard(
        office=office,
        today=now,
        today_by_agency=_by_agency(scope=scope, start=today, end=today, filters=filters),
        weeks=board,
    )


def agency_dashboard(*, scope: Scope, agency: Agency, start: dt.date, end: dt.date) -> Dashboard:
    """One agency's services at every office the scope allows (for an analyst: all)."""
    filters: dict[str, Any] = {"agency_ids": [agency.pk]}
    total, before = _totals(scope=scope, start=start, end=end, filters=filters)
    board = Dashboard(
        start=start,
        end=end,
        total=total,
        total_last_year=before,
        trend=trend(scope=scope, start=start, end=end, filters=filters, measure="errand_visits"),
        heatmap=heatmap(scope=scope, start=start, end=end, filters=filters),
    )
    ly = last_year(start, end)
    now = figures(scope=scope, start=start, end=end, by=("service",), **filters)
    prev = figures(scope=scope, start=ly[0], end=ly[1], by=("service",), waits=False, **filters)
    names = {s.pk: s.name for s in Service.objects.filter(pk__in=[k[0] for k in now])}
    board.groups = sorted(
        ((names[k[0]], f, prev.get(k)) for k, f in now.items()), key=lambda row: row[0]
    )
    board.ranked, _rows = _ranked(
        scope=scope, start=start, end=end, filters=filters, measure="errand_visits"
    )
    board.breakdown = errand_breakdown(scope=scope, start=start, end=end, **filters)
    return board


def labelled(breakdown: Breakdown) -> dict[str, list[tuple[str, int]]]:
    """Outcome and language codes with their names, most errands first."""
    from servicekontor.core.i18n import current_language
    from servicekontor.core.languages import language_name
    from servicekontor.queueing.models import Outcome
    from servicekontor.reports.measures import UNKNOWN_LANGUAGE

    locale = current_language()

    def language(code: str) -> str:
        """The name the desk chose it by, in the page's language (CLDR), and the code."""
        if code == UNKNOWN_LANGUAGE:
            return _("Not recorded")
        name = language_name(code, locale)
        return f"{name} ({code})" if name != code else code

    outcome_names = dict(Outcome.choices)
    return {
        "outcomes": [
            (str(outcome_names.get(k, k)), n)
            for k, n in sorted(breakdown.outcomes.items(), key=lambda kv: -kv[1])
        ],
        "languages": [
            (language(k), n) for k, n in sorted(breakdown.languages.items(), key=lambda kv: -kv[1])
        ],
    }
