"""Reads of the statistics. Every figure shown anywhere (pages, exports, API, the financing
settlement) comes from a function here, summing the rollups (see rollups.py, measures.py).

Scoping is done here, not in templates: every function that can show more than one agency
or office takes a `Scope` and filters its rows by it before summing, so a total is always a
total of what the user may see.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractIsoWeekDay, TruncMonth, TruncWeek, TruncYear
from django.utils.translation import gettext_lazy as _

from servicekontor.core import clock
from servicekontor.core.errors import DomainError
from servicekontor.handovers.models import Handover, HandoverStatus
from servicekontor.reports import measures
from servicekontor.reports.models import (
    DayFigures,
    ErrandFigures,
    HourFigures,
    MonthFigures,
    MonthWaitFigures,
    OccupancyFigures,
    WaitFigures,
)
from servicekontor.reports.rollups import occupancy_from_log
from servicekontor.reports.scope import Scope


class BadPeriod(DomainError):
    http_status = 400
    default_message = _("Give a period with a start on or before its end, at most 11 years.")


@dataclass(frozen=True)
class AgencyUsage:
    """What one agency used at one office in one month.

    `month` is the first day of the month (Europe/Stockholm days); `visits` counts served
    visits once per agency they had an errand for; `errands` counts errands (a part handed on
    by a transfer is neither); `handled_seconds` is the serving time attributed to the
    agency's errands and to the parts it handed on (seconds).
    """

    office_id: int
    agency_id: int
    month: dt.date
    visits: int
    errands: int
    handled_seconds: int


def agency_usage(
    *,
    start: dt.date,
    end: dt.date,
    office_ids: Iterable[int] | None = None,
    agency_ids: Iterable[int] | None = None,
) -> list[AgencyUsage]:
    """Usage per office × agency × month for visits of local days `start`…`end` (both
    inclusive), ordered by month, office, agency. Rows with neither an errand nor handled
    time are absent (time handed on by a transfer is handled time without an errand).

    A visit belongs to the day it arrived (`Visit.local_day`), its errands with it. Read from
    the rollups (`DayFigures`: errand_visits, errands, handled_seconds). Raises ValueError if
    `end` is before `start`.
    """
    if end < start:
        raise ValueError("end is before start")
    rows: QuerySet[Any]
    if whole_months(start, end):  # the month rollups: the same sums, fewer rows
        rows = MonthFigures.objects.filter(month__gte=start, month__lte=end)
        rows = rows.annotate(m=F("month"))
    else:
        rows = DayFigures.objects.filter(local_day__gte=start, local_day__lte=end)
        rows = rows.annotate(m=TruncMonth("local_day"))
    # a service's time handed on by transfers is used time without an errand
    rows = rows.filter(Q(errands__gt=0) | Q(handled_seconds__gt=0))
    if office_ids is not None:
        rows = rows.filter(office_id__in=list(office_ids))
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    grouped = (
        rows.values("office_id", "agency_id", "m")
        .annotate(
            visits=Sum("errand_visits"), errands=Sum("errands"), handled=Sum("handled_seconds")
        )
        .order_by("m", "office_id", "agency_id")
    )
    return [
        AgencyUsage(
            office_id=r["office_id"],
            agency_id=r["agency_id"],
            month=r["m"],
            visits=r["visits"],
            errands=r["errands"],
            handled_seconds=r["handled"] or 0,
        )
        for r in grouped
    ]


# --- figures by any dimensions -------------------------------------------------------------

MAX_DAYS = 11 * 366

# the dimensions a figure can be grouped by (see `figures`)
DIMENSIONS = ("agency", "service", "office", "county", "day", "week", "month", "year")


def _dimension(name: str, day_column: str) -> Any:
    if name == "month" and day_column == "month":
        return F("month")  # the month rollups are keyed by the month's first day already
    return {
        "agency": F("agency_id"),
        "service": F("service_id"),
        "office": F("office_id"),
        "county": F("office__county"),
        "day": F(day_column),
        "week": TruncWeek(day_column),
        "month": TruncMonth(day_column),
        "year": TruncYear(day_column),
    }[name]


def whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1


@dataclass(frozen=True)
class Figures:
    """The measures of one group (definitions: docs/statistics.md). Counts are visits unless
    named errands; seconds are whole seconds; waits in whole minutes."""

    visits_walk_in: int = 0
    visits_booked: int = 0
    served: int = 0
    no_show: int = 0
    left_queue: int = 0
    not_served: int = 0
    transfers: int = 0
    called: int = 0
    wait_seconds: int = 0
    errands: int = 0
    errand_visits: int = 0
    handled_seconds: int = 0
    interpreter_errands: int = 0
    reached: int = 0  # visits that reached the agency (see `visits`)
    within_target: int = 0
    wait_median_minutes: int | None = None
    wait_p90_minutes: int | None = None
    # Handovers the agency reported as "needs the citizen again" (counted on the visit's day).
    repeat_contacts: int = 0

    @property
    def visits(self) -> int:
        """Visits that reached the agency: arrived for it, were transferred to it or had a
        served errand of it added, once per visit and agency; summed over agencies in a
        total across them, like served visits (decision 0055)."""
        return self.reached

    @property
    def arrivals(self) -> int:
        """Visits that arrived (walk-in and booked), for the service they arrived for: a
        visit once, also in a total across agencies."""
        return self.visits_walk_in + self.visits_booked

    @property
    def reached_otherwise(self) -> int:
        """Visits that reached the agency without arriving for it: transferred in from
        another agency's service or reached by a served errand added at the desk or the
        finish (`visits` − `arrivals`; of one agency or a sum of agencies, never negative)."""
        return self.reached - self.visits_walk_in - self.visits_booked

    @property
    def mean_wait_seconds(self) -> float | None:
        return self.wait_seconds / self.called if self.called else None

    @property
    def service_level(self) -> float | None:
        """Share of called visits called within their agency's target (0…1)."""
        return self.within_target / self.called if self.called else None

    @property
    def mean_service_seconds(self) -> float | None:
        """Handled seconds per served visit-and-agency (an agency's part of a visit)."""
        return self.handled_seconds / self.errand_visits if self.errand_visits else None


def check_period(start: dt.date, end: dt.date) -> None:
    """Raises BadPeriod (400) unless start <= end and the period is at most 11 years."""
    if end < start or (end - start).days > MAX_DAYS:
        raise BadPeriod()


def _scoped(
    qs: QuerySet[Any],
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    agency_ids: Iterable[int] | None,
    office_ids: Iterable[int] | None,
    day_column: str = "local_day",
) -> QuerySet[Any]:
    qs = qs.filter(**{f"{day_column}__gte": start, f"{day_column}__lte": end})
    if scope.agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(scope.agency_ids))
    if scope.office_ids is not None:
        qs = qs.filter(office_id__in=sorted(scope.office_ids))
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    if office_ids is not None:
        qs = qs.filter(office_id__in=list(office_ids))
    return qs


def _group(qs: QuerySet[Any], by: Sequence[str], day_column: str = "local_day") -> QuerySet[Any]:
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise BadPeriod(_("Unknown grouping."))
    groups = {f"g_{d}": _dimension(d, day_column) for d in by}
    return qs.annotate(**groups).values(*groups)


def _key(row: dict[str, Any], by: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[f"g_{d}"] for d in by)


def figures(
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = (),
    agency_ids: Iterable[int] | None = None,
    office_ids: Iterable[int] | None = None,
    waits: bool = True,
) -> dict[tuple[Any, ...], Figures]:
    """The measures per group of `by` (names in DIMENSIONS; `()` gives one total under the
    key `()`) for visits of local days `start`…`end`, within `scope` and the optional id
    filters. Groups without any visit are absent. Service level uses each agency's own
    target (`Agency.service_level_minutes`). With `waits=False` the median, p90 and
    within-target are left out (None, None, 0), for callers that only need the counters.
    Raises BadPeriod (400) for a bad period or an unknown dimension."""
    check_period(start, end)
    filters: dict[str, Any] = {"scope": scope, "start": start, "end": end}
    agency_ids = list(agency_ids) if agency_ids is not None else None
    office_ids = list(office_ids) if office_ids is not None else None
    # Whole months read the month rollups (a twentieth of the rows); the same sums.
    months = whole_months(start, end) and not {"day", "week"} & set(by)
    month_waits = months and "service" not in by
    counter_rows = MonthFigures.objects.all() if months else DayFigures.objects.all()
    counter_column = "month" if months else "local_day"
    day = _scoped(
        counter_rows,
        agency_ids=agency_ids,
        office_ids=office_ids,
        day_column=counter_column,
        **filters,
    )
    sums = {f: Sum(f) for f in measures.DAY_FIELDS}
    if by:
        counters = {
            _normal_key(_key(r, by), by): r
            for r in _group(day, by, counter_column).annotate(**sums).order_by()
        }
    else:  # one total (values() without fields would group by every column)
        total = day.aggregate(**sums)
        counters = {(): total} if total["visits_walk_in"] is not None else {}
    repeats = _repeat_contacts(by, agency_ids=agency_ids, office_ids=office_ids, **filters)
    if not waits:
        return _with_repeats(
            {
                key: Figures(**{f: r[f] or 0 for f in measures.DAY_FIELDS})
                for key, r in counters.items()
            },
            repeats,
        )
    wait_column = "month" if month_waits else "local_day"
    wait_rows = _scoped(
        MonthWaitFigures.objects.all() if month_waits else WaitFigures.objects.all(),
        agency_ids=agency_ids,
        office_ids=office_ids,
        day_column=wait_column,
        **filters,
    )
    histogram = (
        _group(wait_rows, by, wait_column)
        .values(
            *[f"g_{d}" for d in by], "minute", "visits", target=F("agency__service_level_minutes")
        )
        .order_by()
    )
    waited = _wait_statistics(histogram, by)
    out = {}
    for key, r in counters.items():
        median, p90, within = waited.get(_normal_key(key, by), (None, None, 0))
        out[key] = Figures(
            **{f: r[f] or 0 for f in measures.DAY_FIELDS},
            within_target=within,
            wait_median_minutes=median,
            wait_p90_minutes=p90,
        )
    return _with_repeats(out, repeats)


def _repeat_contacts(
    by: Sequence[str],
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    agency_ids: list[int] | None,
    office_ids: list[int] | None,
) -> dict[tuple[Any, ...], int]:
    """Repeat contacts per group: handovers whose agency needed the citizen again, on the
    day of the visit they came from, within the same scope (read from the handovers
    themselves: a few rows per hundred visits, no rollup needed)."""
    rows = _scoped(
        Handover.objects.filter(status=HandoverStatus.NEEDS_CITIZEN),
        scope=scope,
        start=start,
        end=end,
        agency_ids=agency_ids,
        office_ids=office_ids,
        day_column="visit_day",
    )
    if not by:
        n = rows.count()
        return {(): n} if n else {}
    return {
        _normal_key(_key(r, by), by): r["n"]
        for r in _group(rows, by, "visit_day").annotate(n=Count("pk")).order_by()
    }


def _with_repeats(
    out: dict[tuple[Any, ...], Figures], repeats: dict[tuple[Any, ...], int]
) -> dict[tuple[Any, ...], Figures]:
    for key, n in repeats.items():
        out[key] = replace(out.get(key, Figures()), repeat_contacts=n)
    return out


_DATE_DIMENSIONS = {"day", "week", "month", "year"}


def _normal_key(key: tuple[Any, ...], by: Sequence[str]) -> tuple[Any, ...]:
    """Date groups as dates, whatever the backend's cursor returned (datetime, text)."""
    out = []
    for dim, value in zip(by, key, strict=True):
        if dim in _DATE_DIMENSIONS and value is not None and type(value) is not dt.date:
            value = (
                value.date()
                if isinstance(value, dt.datetime)
                else dt.date.fromisoformat(str(value)[:10])
            )
        out.append(value)
    return tuple(out)


def _wait_statistics(
    histogram: QuerySet[Any], by: Sequence[str]
) -> dict[tuple[Any, ...], tuple[int | None, int | None, int]]:
    """Median, 90th percentile (whole minutes) and visits called within their agency's target,
    per group, computed in the database from the histogram rows (`histogram`: columns
    g_<dim>…, minute, visits, target — the agency's target in minutes).

    The percentile is the nearest rank, `measures.percentile_minute` (the definition, and
    what PostgreSQL's percentile_disc gives on the raw waits): the smallest minute whose
    cumulative share, as a float, reaches the share. Done in SQL because a year's histogram
    is ~100,000 rows and fetching them costs more than the whole report may.
    """
    inner, params = histogram.query.sql_with_params()
    groups = [f"g_{d}" for d in by]
    g = ", ".join(groups)
    g_comma = g + ", " if g else ""
    h_groups = ", ".join(f"h.{c}" for c in groups)
    h_comma = h_groups + ", " if groups else ""
    partition = f"PARTITION BY {g}" if g else ""
    share = "CAST(cum AS DOUBLE PRECISION) / CAST(tot AS DOUBLE PRECISION)"
    # One pass over the histogram: per group and minute the visits and those within their
    # agency's target; then the running share per group; then the first minute reaching it.
    sql = (
        f"WITH m AS (SELECT {h_comma}h.minute, SUM(h.visits) AS n,"
        " SUM(CASE WHEN h.minute < h.target THEN h.visits ELSE 0 END) AS within"
        f" FROM ({inner}) h GROUP BY {h_comma}h.minute),"
        f" c AS (SELECT {g_comma}minute, within,"
        f" SUM(n) OVER ({partition} ORDER BY minute) AS cum, SUM(n) OVER ({partition}) AS tot"
        " FROM m)"
        f" SELECT {g_comma}MIN(CASE WHEN {share} >= 0.5 THEN minute END),"
        f" MIN(CASE WHEN {share} >= 0.9 THEN minute END), SUM(within) FROM c"
        f"{' GROUP BY ' + g if g else ''}"
    )
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            key = _normal_key(tuple(row[: len(groups)]), by)
            median, p90, within = row[len(groups) :]
            out[key] = (
                None if median is None else int(median),
                None if p90 is None else int(p90),
                int(within or 0),
            )
    return out


def last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same period one year earlier (29 February becomes 28 February)."""

    def back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    return back(start), back(end)


def busiest_hours(
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    agency_ids: Iterable[int] | None = None,
    office_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], int]:
    """Arrivals per (ISO weekday 1 = Monday … 7, local hour 0…23) over the period."""
    check_period(start, end)
    rows = _scoped(
        HourFigures.objects.all(),
        scope=scope,
        start=start,
        end=end,
        agency_ids=agency_ids,
        office_ids=office_ids,
    )
    grouped = (
        rows.annotate(weekday=ExtractIsoWeekDay("local_day"))
        .values("weekday", "hour")
        .annotate(n=Sum("arrivals"))
        .order_by()
    )
    return {(r["weekday"], r["hour"]): r["n"] for r in grouped}


def days_with_arrivals(
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    agency_ids: Iterable[int] | None = None,
    office_ids: Iterable[int] | None = None,
) -> dict[int, int]:
    """Per ISO weekday, the days of the period with at least one arrival: what the busiest
    hours' sums are summed over (walk F26: "828" on Monday 11:00 read as one day's)."""
    check_period(start, end)
    rows = _scoped(
        HourFigures.objects.filter(arrivals__gt=0),
        scope=scope,
        start=start,
        end=end,
        agency_ids=agency_ids,
        office_ids=office_ids,
    )
    grouped = (
        rows.annotate(weekday=ExtractIsoWeekDay("local_day"))
        .values("weekday")
        .annotate(n=Count("local_day", distinct=True))
        .order_by()
    )
    return {r["weekday"]: r["n"] for r in grouped}


@dataclass(frozen=True)
class Breakdown:
    """Errands by outcome and by interpreter language (language "" left out)."""

    outcomes: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)


def errand_breakdown(
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    agency_ids: Iterable[int] | None = None,
    office_ids: Iterable[int] | None = None,
) -> Breakdown:
    check_period(start, end)
    rows = _scoped(
        ErrandFigures.objects.all(),
        scope=scope,
        start=start,
        end=end,
        agency_ids=agency_ids,
        office_ids=office_ids,
    )
    out = Breakdown()
    for r in rows.values("outcome", "language").annotate(n=Sum("errands")).order_by():
        out.outcomes[r["outcome"]] = out.outcomes.get(r["outcome"], 0) + r["n"]
        if r["language"]:
            out.languages[r["language"]] = out.languages.get(r["language"], 0) + r["n"]
    return out


@dataclass(frozen=True)
class Occupancy:
    signed_in_seconds: int
    serving_seconds: int

    @property
    def share(self) -> float | None:
        """Serving time / signed-in time (0…1), None without signed-in time."""
        return self.serving_seconds / self.signed_in_seconds if self.signed_in_seconds else None


def occupancy(
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    by_day: bool = False,
    office_ids: Iterable[int] | None = None,
) -> dict[tuple[Any, ...], Occupancy]:
    """Officer occupancy per office (and local day with `by_day`): closed days from the
    rollup, today live from the desk-status log. Empty for a scope that may not see it
    (agency analysts: the time is spent on every agency). `office_ids` narrows the scope's
    offices (one office's dashboard reads only that office's desk log for today)."""
    check_period(start, end)
    if not scope.sees_occupancy:
        return {}
    offices: set[int] | None = None if scope.office_ids is None else set(scope.office_ids)
    if office_ids is not None:
        offices = set(office_ids) if offices is None else offices & set(office_ids)
    today = clock.local_today()
    cells: dict[tuple[int, dt.date], tuple[int, int]] = {}
    rows = OccupancyFigures.objects.filter(local_day__gte=start, local_day__lte=min(end, today))
    if offices is not None:
        rows = rows.filter(office_id__in=sorted(offices))
    for o, d, s, v in rows.values_list(
        "office_id", "local_day", "signed_in_seconds", "serving_seconds"
    ):
        cells[(o, d)] = (s, v)
    if start <= today <= end:
        live = occupancy_from_log(start=today, end=today, office_ids=offices)
        cells.update(live)
    out: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for (o, d), (s, v) in cells.items():
        key = (o, d) if by_day else (o,)
        out[key][0] += s
        out[key][1] += v
    return {k: Occupancy(v[0], v[1]) for k, v in out.items()}


def arrivals_by_hour(
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    agency_ids: Iterable[int] | None = None,
    office_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int, dt.date, int], int]:
    """Arrivals per (office id, agency id, local day, local hour 0…23) over the period, as
    `HourFigures.arrivals` counts them (the staffing forecast's history). Absent: none."""
    check_period(start, end)
    rows = _scoped(
        HourFigures.objects.all(),
        scope=scope,
        start=start,
        end=end,
        agency_ids=agency_ids,
        office_ids=office_ids,
    )
    grouped = (
        rows.values("office_id", "agency_id", "local_day", "hour")
        .annotate(n=Sum("arrivals"))
        .order_by()
    )
    return {(r["office_id"], r["agency_id"], r["local_day"], r["hour"]): r["n"] for r in grouped}
