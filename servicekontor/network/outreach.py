"""When an outreach stop is served: recurrence rules, public holidays, moved visits.

Pure: plain data in, plain data out, no Django. The recurrence is expanded by python-dateutil's
`rrule` (RFC 5545 semantics) on *dates*; the hours are Stockholm wall-clock times that
`opening_hours.intervals_on` turns into instants per day, so a stop served 10:00–14:00 is
served 10:00–14:00 on the clock on both sides of a DST change (08:00 UTC in summer, 09:00 UTC
in winter).

Precedence for a day (the stop's `OpeningException` rows, applied by `opening_hours.day_hours`,
come before all of this, as for an office):
1. each rule's dates (`rrule`, from `valid_from`, until `valid_to` inclusive);
2. a date that is a closed day (a public holiday or an eve, as the stop's office flags say) is
   handled by the rule's `holiday_policy`: "skip" drops it; "next"/"previous" moves it to the
   nearest working day after/before it (Monday–Friday, not a closed day, and not already a
   visit of the same rule), at most `MAX_MOVE_DAYS` away, else drops it; "keep" serves it;
3. two rules on one day: their intervals are merged (sorted; overlapping ones joined).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from dateutil import rrule

MAX_MOVE_DAYS = 7


class Frequency(enum.StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class HolidayPolicy(enum.StrEnum):
    SKIP = "skip"
    NEXT = "next"
    PREVIOUS = "previous"
    KEEP = "keep"


@dataclass(frozen=True)
class Recurrence:
    """One recurring visit of a stop, e.g. every second Tuesday 10:00–14:00.

    `week_of_month` (monthly only): 1–4 for the first … fourth such weekday, -1 for the last.
    """

    frequency: Frequency
    interval: int
    weekday: int  # 0 = Monday
    opens: dt.time
    closes: dt.time
    valid_from: dt.date
    valid_to: dt.date | None = None  # inclusive
    week_of_month: int | None = None
    holiday_policy: HolidayPolicy = HolidayPolicy.SKIP

    def __post_init__(self) -> None:
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.closes <= self.opens:
            raise ValueError("a visit must close after it opens")
        if self.frequency == Frequency.MONTHLY and self.week_of_month not in (-1, 1, 2, 3, 4):
            raise ValueError("a monthly visit needs week_of_month 1–4 or -1 (last)")

    def rule_dates(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The rule's own dates in [first, last], before holidays are applied."""
        start = max(first, self.valid_from)
        end = last if self.valid_to is None else min(last, self.valid_to)
        if end < start:
            return []
        weekday = rrule.weekday(self.weekday)
        by = (
            weekday(self.week_of_month)
            if self.frequency == Frequency.MONTHLY and self.week_of_month is not None
            else weekday
        )
        # dtstart is valid_from, not `first`: an every-second-week rule keeps its phase.
        rule = rrule.rrule(
            rrule.MONTHLY if self.frequency == Frequency.MONTHLY else rrule.WEEKLY,
            interval=self.interval,
            byweekday=by,
            dtstart=dt.datetime.combine(self.valid_from, dt.time()),
            until=dt.datetime.combine(end, dt.time()),
        )
        lower = dt.datetime.combine(start, dt.time())
        upper = dt.datetime.combine(end, dt.time())
        return [d.date() for d in rule.between(lower, upper, inc=True)]


Hours = tuple[tuple[dt.time, dt.time], ...]


def _is_working_day(day: dt.date, closed_day: Callable[[dt.date], bool]) -> bool:
    return day.weekday() < 5 and not closed_day(day)


def _moved(
    day: dt.date, step: int, closed_day: Callable[[dt.date], bool], taken: set[dt.date]
) -> dt.date | None:
    for offset in range(1, MAX_MOVE_DAYS + 1):
        candidate = day + dt.timedelta(days=step * offset)
        if _is_working_day(candidate, closed_day) and candidate not in taken:
            return candidate
    return None


def visit_dates(
    recurrence: Recurrence, first: dt.date, last: dt.date, closed_day: Callable[[dt.date], bool]
) -> list[dt.date]:
    """The dates in [first, last] on which the rule's visit happens, holidays applied.

    `closed_day(d)` says whether d is a public holiday or eve the stop closes on. A visit moved
    into the range from a date outside it counts (the rule is expanded `MAX_MOVE_DAYS` wider).
    """
    margin = dt.timedelta(days=MAX_MOVE_DAYS)
    own = recurrence.rule_dates(first - margin, last + margin)
    taken = set(own)
    result: set[dt.date] = set()
    for day in own:
        if not closed_day(day) or recurrence.holiday_policy == HolidayPolicy.KEEP:
            result.add(day)
            continue
        if recurrence.holiday_policy == HolidayPolicy.SKIP:
            continue
        step = 1 if recurrence.holiday_policy == HolidayPolicy.NEXT else -1
        moved = _moved(day, step, closed_day, taken | result)
        if moved is not None:
            result.add(moved)
    return sorted(d for d in result if first <= d <= last)


def _merge(intervals: Iterable[tuple[dt.time, dt.time]]) -> Hours:
    merged: list[tuple[dt.time, dt.time]] = []
    for opens, closes in sorted(intervals):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return tuple(merged)


def visits(
    recurrences: Iterable[Recurrence],
    first: dt.date,
    last: dt.date,
    closed_day: Callable[[dt.date], bool],
) -> dict[dt.date, Hours]:
    """Every visit day in [first, last] with its wall-clock intervals (rules merged)."""
    found: dict[dt.date, list[tuple[dt.time, dt.time]]] = {}
    for recurrence in recurrences:
        for day in visit_dates(recurrence, first, last, closed_day):
            found.setdefault(day, []).append((recurrence.opens, recurrence.closes))
    return {day: _merge(found[day]) for day in sorted(found)}


@lru_cache(maxsize=256)
def visits_in_year(
    recurrences: tuple[Recurrence, ...], year: int, closed_day: Callable[[dt.date], bool]
) -> dict[dt.date, Hours]:
    """`visits` of one calendar year, cached: `opening_hours.day_hours` asks day by day.

    `closed_day` must be hashable and stable for the cache (a module-level function or a
    `functools.partial` of one).
    """
    return visits(recurrences, dt.date(year, 1, 1), dt.date(year, 12, 31), closed_day)


def visits_per_week(recurrences: Iterable[Recurrence]) -> float:
    """Average visit days per week the rules promise (ignoring holidays): weekly every n
    weeks = 1/n, monthly every n months = 12 / (52.18 n). Used to weigh stops in planning."""
    total = 0.0
    for r in recurrences:
        if r.frequency == Frequency.WEEKLY:
            total += 1 / r.interval
        else:
            total += 12 / (365.2425 / 7) / r.interval
    return total
