"""Which part of a period figures can cover, and why not all of it (walk F8–F10).

A period that has begun is shown with its figures so far (decision 0073; a period not begun
has none, decision 0080). Its figures can still cover only part of it: an office that opened
or closed within it, an agency offered at an office (or anywhere) from or until a day within
it, or statistics recorded only from a day within it (the system taken into use, the demo's
simulated weeks). Such a period read like a complete one: a month of an office opened on the
15th beside whole months, a first month of records as a fall. Here the reasons are found, in
words of the page's language, for a whole period (its Total, a note above its figures) and
for an office's row; `marked` puts them after a row's name, as a running period's "up to and
including" is written, so the page, its CSV and Excel carry the same text (not a colour) and
the API gives the words in a field.

Reads only the registry (offices, offerings) and the first day the statistics hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Max, Min, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicekontor.catalog.models import Agency
from servicekontor.core import clock
from servicekontor.network.models import Offering, Office
from servicekontor.queueing.models import Visit, VisitState
from servicekontor.reports.models import DayFigures

# How many offices a note names before "and N more" (each is also marked in its row).
NOTE_OFFICES = 10


@dataclass(frozen=True)
class OfficeSpan:
    name: str
    opened_on: dt.date
    closed_on: dt.date | None  # the first day closed
    offered_from: dt.date | None = None  # the agency's first day offered there (an agency)
    offered_until: dt.date | None = None  # its last day offered there, None: still offered


@dataclass(frozen=True)
class Spans:
    """What the reasons are read from (`spans`)."""

    recorded_from: dt.date | None  # the first day the statistics hold (of the agency)
    agency_from: dt.date | None = None  # the agency's first day offered anywhere
    agency_until: dt.date | None = None  # its last day offered anywhere, None: still offered
    offices: dict[str, OfficeSpan] = field(default_factory=dict)  # by office code


def spans(
    *,
    agency: Agency | None = None,
    office_ids: Iterable[int] | None = None,
    office_codes: Iterable[str] | None = None,
) -> Spans:
    """The statistics' first day (the agency's, given one), the agency's first and last day
    offered, and the offices' (`office_ids` or `office_codes`; neither: every office)
    opening and closing, with the agency's first and last day offered at each."""
    days = DayFigures.objects.all()
    if agency is not None:
        days = days.filter(agency=agency)
    recorded_from = days.aggregate(first=Min("local_day"))["first"]
    offices = Office.objects.all()
    if office_ids is not None:
        offices = offices.filter(pk__in=list(office_ids))
    if office_codes is not None:
        offices = offices.filter(code__in=list(office_codes))
    if agency is not None:  # the offices the agency is or was offered at
        offices = offices.filter(
            pk__in=Offering.objects.filter(service__agency=agency).values("office_id")
        )
    rows = list(offices.values_list("pk", "code", "name", "opened_on", "closed_on"))
    offered: dict[int, tuple[dt.date | None, dt.date | None, bool]] = {}
    agency_from = agency_until = None
    if agency is not None:
        offerings = Offering.objects.filter(service__agency=agency)
        agg = offerings.aggregate(
            first=Min("valid_from"), last=Max("valid_to"), open=Min("pk", filter=Q(valid_to=None))
        )
        agency_from = agg["first"]
        agency_until = agg["last"] if agg["open"] is None else None
        for office_id, first, last, still in (
            offerings.filter(office_id__in=[r[0] for r in rows])
            .values("office_id")
            .annotate(
                first=Min("valid_from"),
                last=Max("valid_to"),
                still=Min("pk", filter=Q(valid_to=None)),
            )
            .values_list("office_id", "first", "last", "still")
        ):
            offered[office_id] = (first, last, still is not None)
    return Spans(
        recorded_from=recorded_from,
        agency_from=agency_from,
        agency_until=agency_until,
        offices={
            code: OfficeSpan(
                name=name,
                opened_on=opened,
                closed_on=closed,
                offered_from=offered[pk][0] if pk in offered else None,
                offered_until=offered[pk][1] if pk in offered and not offered[pk][2] else None,
            )
            for pk, code, name, opened, closed in rows
        },
    )


def _within(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    """A day after the period's first and not after its last: something begins or ends
    inside it."""
    return day is not None and start < day <= end


def period_reasons(s: Spans, start: dt.date, end: dt.date) -> list[str]:
    """Why the whole period's figures cover only part of it (none: all of it, as far as
    the registry and the statistics tell; a running period says so elsewhere)."""
    out = []
    if _within(s.recorded_from, start, end):
        assert s.recorded_from is not None
        out.append(_("figures recorded from %(day)s") % {"day": s.recorded_from.isoformat()})
    if _within(s.agency_from, start, end):
        assert s.agency_from is not None
        out.append(_("offered from %(day)s") % {"day": s.agency_from.isoformat()})
    if s.agency_until is not None and start <= s.agency_until < end:
        out.append(_("offered until %(day)s") % {"day": s.agency_until.isoformat()})
    return out


def office_reasons(s: Spans, code: str, start: dt.date, end: dt.date) -> list[str]:
    """Why an office's figures cover only part of the period: it opened or closed within
    it, or the agency was offered there from or until a day within it."""
    o = s.offices.get(code)
    if o is None:
        return []
    out = []
    if _within(o.opened_on, start, end):
        out.append(_("opened %(day)s") % {"day": o.opened_on.isoformat()})
    if _within(o.closed_on, start, end):
        assert o.closed_on is not None
        out.append(_("closed from %(day)s") % {"day": o.closed_on.isoformat()})
    # offered from or until a day within the office's own days (the opening and closing
    # bound them already)
    if (
        o.offered_from is not None
        and _within(o.offered_from, start, end)
        and o.offered_from > o.opened_on
    ):
        out.append(_("offered from %(day)s") % {"day": o.offered_from.isoformat()})
    last_open = o.closed_on - dt.timedelta(days=1) if o.closed_on else None
    if (
        o.offered_until is not None
        and start <= o.offered_until < end
        and (last_open is None or o.offered_until < last_open)
    ):
        out.append(_("offered until %(day)s") % {"day": o.offered_until.isoformat()})
    return out


def marked(name: str, reasons: list[str]) -> str:
    """A row's name with why its figures cover part of the period: "Kista servicekontor
    (part of the period: opened 2026-11-15)", "2026-11 (up to and including 2026-11-25;
    part of the period: …)"; the name as it is when they cover all."""
    if not reasons:
        return name
    part = _("part of the period: %(why)s") % {"why": "; ".join(reasons)}
    if name.endswith(")") and " (" in name:
        # a running month's "2026-11 (up to and including …)": one bracket
        return f"{name[:-1]}; {part})"
    return f"{name} ({part})"


def words(reasons: list[str]) -> str:
    """The reasons as the API gives them: "" when the figures cover the whole period."""
    return "; ".join(reasons)


def notes(s: Spans, start: dt.date, end: dt.date, *, subject: str = "") -> list[str]:
    """The lines of the note above a period's figures: the period's reasons (headed by
    `subject`, e.g. the agency's name), then each office whose figures cover part of it
    (at most NOTE_OFFICES by name, then how many more)."""
    out = []
    whole = period_reasons(s, start, end)
    if whole:
        what = subject or _("All figures")
        out.append(f"{what}: {'; '.join(whole)}")
    offices = [
        (o.name, office_reasons(s, code, start, end))
        for code, o in sorted(s.offices.items(), key=lambda kv: kv[1].name)
    ]
    offices = [(name, why) for name, why in offices if why]
    out += [f"{name}: {'; '.join(why)}" for name, why in offices[:NOTE_OFFICES]]
    if len(offices) > NOTE_OFFICES:
        more = len(offices) - NOTE_OFFICES
        out.append(
            ngettext(
                "and %(count)s more office (marked in the table)",
                "and %(count)s more offices (marked in the table)",
                more,
            )
            % {"count": more}
        )
    return out


def page_context(
    *,
    start: dt.date,
    end: dt.date,
    agency: Agency | None = None,
    office_ids: Iterable[int] | None = None,
    trend: Any = None,
    ranked: Any = None,
) -> dict[str, object]:
    """A dashboard's note (`reports/_partial_note.html`): why its figures of `start`…`end`
    (the days they cover: up to today) and those of a year earlier cover part of them.
    Given its `trend` and `ranked` (`dashboards.Chart`), their copies with the trend
    table's periods and the ranked offices' rows marked (`mark_trend`, `mark_offices`):
    `trend_chart`, `ranked_chart`."""
    from servicekontor.reports.queries import last_year

    s = spans(agency=agency, office_ids=office_ids)
    charts: dict[str, object] = {}
    # copies: a board's own rows stay as it built them (it may be kept and shown again)
    if trend is not None:
        charts["trend_chart"] = replace(trend, rows=mark_trend(trend.rows, start, end, s))
    if ranked is not None:
        charts["ranked_chart"] = replace(ranked, rows=mark_offices(ranked.rows, start, end, s))
    return {
        **charts,
        "partial_notes": notes(s, start, end, subject=agency.name if agency else ""),
        "year_earlier_note": year_earlier_note(s, *last_year(start, end)),
    }


def mark_trend(rows: list[list[Any]], start: dt.date, end: dt.date, s: Spans) -> list[list[Any]]:
    """The trend table's rows (a copy), its weeks or months that `start`…`end` cuts (a
    period from the 15th: its first month from the 15th) or in which the statistics begin
    saying so after their names (`marked`), as the running one says "(so far)". Days are
    whole; rows that do not match the dashboard's periods are returned as they are."""
    from servicekontor.reports.dashboards import _period_end, _periods, grain_for

    grain = grain_for(start, end)
    periods = _periods(start, end, grain)
    out = [list(row) for row in rows]
    if grain == "day" or len(periods) != len(rows):
        return out
    for row, first_day in zip(out, periods, strict=True):
        last_day = _period_end(first_day, grain)
        covered_from, covered_to = max(first_day, start), min(last_day, end)
        why = []
        if covered_from > first_day:
            why.append(_("from %(day)s") % {"day": covered_from.isoformat()})
        if covered_to < last_day and covered_to < clock.local_today():  # else "(so far)"
            why.append(_("until %(day)s") % {"day": covered_to.isoformat()})
        if s.recorded_from is not None and covered_from < s.recorded_from <= covered_to:
            why.append(_("figures recorded from %(day)s") % {"day": s.recorded_from.isoformat()})
        row[0] = marked(str(row[0]), why)
    return out


def mark_offices(rows: list[list[Any]], start: dt.date, end: dt.date, s: Spans) -> list[list[Any]]:
    """A table's rows named by office (the first cell: its name), a copy, those whose
    figures cover part of the period saying why after the name (`marked`). A name two
    offices share is left."""
    names: dict[str, list[str]] = {}
    for code, o in s.offices.items():
        names.setdefault(o.name, []).append(code)
    out = [list(row) for row in rows]
    for row in out:
        codes = names.get(str(row[0]), [])
        if len(codes) == 1:
            row[0] = marked(str(row[0]), office_reasons(s, codes[0], start, end))
    return out


def year_earlier_note(s: Spans, start: dt.date, end: dt.date) -> str | None:
    """The comparison with a year earlier covers part of that period: the statistics begin
    within it (`start`…`end`: the year-earlier period). None otherwise (no figures at all a
    year earlier are shown as "–")."""
    if _within(s.recorded_from, start, end):
        assert s.recorded_from is not None
        return _(
            "A year earlier, figures are recorded from %(day)s only: the comparison covers "
            "part of that period."
        ) % {"day": s.recorded_from.isoformat()}
    return None


def recorded_days(month: dt.date, end: dt.date) -> tuple[int, int]:
    """(days of month…end with usage recorded in the statistics, days of the month): the
    days from the statistics' first day on (walk F15: a month settled by 25 of its 31 days)."""
    total = (end - month).days + 1
    first = spans().recorded_from
    if first is None or first > end:
        return 0, total
    return (end - max(first, month)).days + 1, total


def usage_gaps(
    month: dt.date, end: dt.date, *, office_ids: Iterable[int] | None = None
) -> list[str]:
    """What a month's usage (the statistics a settlement shares by) is missing, for the
    settlement's confirmation: figures recorded only from a day within the month, offices
    (`office_ids`; None: every office) open part of it, visits of the month still
    open (waiting, called, at a desk or on hold: their errands and handled time are not
    counted yet)."""
    s = spans(office_ids=office_ids)
    out = []
    if _within(s.recorded_from, month, end):
        assert s.recorded_from is not None
        out.append(
            _(
                "Usage is recorded from %(day)s: the month's days before it have none "
                "(statistics not yet in use)."
            )
            % {"day": s.recorded_from.isoformat()}
        )
    elif s.recorded_from is None or s.recorded_from > end:
        out.append(_("No usage is recorded for this month."))
    for code, o in sorted(s.offices.items(), key=lambda kv: kv[1].name):
        why = office_reasons(s, code, month, end)
        if why:
            out.append(f"{o.name}: {'; '.join(why)}")
    still_open = Visit.objects.filter(
        local_day__gte=month,
        local_day__lte=end,
        state__in=[VisitState.WAITING, VisitState.CALLED, VisitState.SERVING, VisitState.ON_HOLD],
    ).count()
    if still_open:
        out.append(
            ngettext(
                "%(count)s visit of the month is still open (waiting, called, at a desk or on "
                "hold): its errands and handled time are not in the usage yet.",
                "%(count)s visits of the month are still open (waiting, called, at a desk or on "
                "hold): their errands and handled time are not in the usage yet.",
                still_open,
            )
            % {"count": still_open}
        )
    return out
