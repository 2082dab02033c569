"""When an office is open: weekly hours in dated periods, exceptions, holidays and eves.

Pure: plain data in, plain data out, no Django. Wall-clock times are Europe/Stockholm and are
turned into aware instants per day, so a DST day is simply 23 or 25 hours long and the hours
still read 10:00–16:00 on the clock.

Precedence for a day: not operating (before opening / after closing for good) → closed;
an exception for that day → its hours (so an office can open on a holiday); a public holiday
(if the office closes on them) → closed; an eve — midsommarafton, julafton, nyårsafton — (if the
office closes on them) → closed; otherwise the weekly hours of the newest period covering it.

Holiday and eve names come in the schedule's language ("sv" or "en"); the caller passes it in.

An outreach stop (`Schedule.outreach` non-empty) has no weekly hours: after the exceptions, its
days are the visits of its recurrence rules (`network/outreach.py`), which handle holidays and
eves themselves (skip, move or keep, per rule).
"""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

from servicekontor.core.clock import STOCKHOLM, local_datetime
from servicekontor.network.dates import DateSpan
from servicekontor.network.outreach import Recurrence, visits_in_year


@dataclass(frozen=True)
class WeeklyRule:
    weekday: int  # 0 = Monday
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class Period:
    valid_from: dt.date
    valid_to: dt.date | None  # inclusive
    rules: tuple[WeeklyRule, ...]

    def covers(self, day: dt.date) -> bool:
        return DateSpan(self.valid_from, self.valid_to).contains(day)


@dataclass(frozen=True)
class DayException:
    day: dt.date
    closed: bool
    opens: dt.time | None = None
    closes: dt.time | None = None
    reason: str = ""


@dataclass(frozen=True)
class Schedule:
    opened_on: dt.date
    closed_on: dt.date | None  # first day closed for good
    periods: tuple[Period, ...]
    exceptions: dict[dt.date, DayException] = field(default_factory=dict)
    closed_on_public_holidays: bool = True
    closed_on_eves: bool = True
    language: str = "sv"  # of the holiday and eve names: "sv" or "en"
    # An outreach stop's recurring visits; empty for an office (weekly hours apply).
    outreach: tuple[Recurrence, ...] = ()


@dataclass(frozen=True)
class DayHours:
    """What a day looks like: wall-clock intervals, or why it is closed."""

    day: dt.date
    intervals: tuple[tuple[dt.time, dt.time], ...]
    closed_reason: str = ""  # holiday name, exception reason, "not operating", or "" (weekly)
    is_exception: bool = False

    @property
    def is_open(self) -> bool:
        return bool(self.intervals)


def _holidays_locale(language: str) -> str:
    """The `holidays` library's locale for a language: it ships "sv" and "en_US" for Sweden."""
    return "en_US" if language.split("-")[0].lower() == "en" else "sv"


def overlapping_rules(rules: Iterable[WeeklyRule]) -> list[tuple[WeeklyRule, WeeklyRule]]:
    """Pairs of intervals on the same weekday that overlap (touching, 12:00–12:00, is fine).

    A period's intervals on one day must be disjoint: a lunch break is two rows, not two
    rows on top of each other, which would count the same hours twice.
    """
    by_weekday: dict[int, list[WeeklyRule]] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    pairs = []
    for day_rules in by_weekday.values():
        day_rules.sort(key=lambda rule: (rule.opens, rule.closes))
        latest = day_rules[0]  # the interval that closes last so far
        for rule in day_rules[1:]:
            if rule.opens < latest.closes:
                pairs.append((latest, rule))
            if rule.closes > latest.closes:
                latest = rule
    return pairs


@lru_cache(maxsize=64)
def _public_holidays(year: int, locale: str) -> dict[dt.date, str]:
    return dict(holidays.Sweden(years=year, include_sundays=False, language=locale))


@lru_cache(maxsize=64)
def _eves(year: int, locale: str) -> dict[dt.date, str]:
    # midsommarafton, julafton, nyårsafton: not public holidays, but de facto closed days.
    return dict(
        holidays.Sweden(
            years=year, include_sundays=False, categories=("de_facto",), language=locale
        )
    )


def public_holiday_name(day: dt.date, language: str = "sv") -> str | None:
    return _public_holidays(day.year, _holidays_locale(language)).get(day)


def eve_name(day: dt.date, language: str = "sv") -> str | None:
    return _eves(day.year, _holidays_locale(language)).get(day)


def _closed_day(day: dt.date, *, public: bool, eves: bool) -> bool:
    return bool((public and public_holiday_name(day)) or (eves and eve_name(day)))


@lru_cache(maxsize=4)
def closed_day_rule(public: bool, eves: bool) -> functools.partial[bool]:
    """`outreach.visits`' closed-day test for a stop's flags; the same object for the same
    flags, so `outreach.visits_in_year` can cache on it."""
    return functools.partial(_closed_day, public=public, eves=eves)


def _outreach_day(schedule: Schedule, day: dt.date) -> DayHours:
    rule = closed_day_rule(schedule.closed_on_public_holidays, schedule.closed_on_eves)
    hours = visits_in_year(schedule.outreach, day.year, rule).get(day)
    if hours:
        return DayHours(day, hours)
    name = public_holiday_name(day, schedule.language) or eve_name(day, schedule.language)
    return DayHours(day, (), closed_reason=name or "")


def day_hours(schedule: Schedule, day: dt.date) -> DayHours:
    if not DateSpan.operating(schedule.opened_on, schedule.closed_on).contains(day):
        return DayHours(day, (), closed_reason="not operating")
    exception = schedule.exceptions.get(day)
    if exception is not None:
        if exception.closed or exception.opens is None or exception.closes is None:
            return DayHours(day, (), closed_reason=exception.reason, is_exception=True)
        return DayHours(
            day,
            ((exception.opens, exception.closes),),
            closed_reason=exception.reason,
            is_exception=True,
        )
    if schedule.outreach:
        return _outreach_day(schedule, day)
    if schedule.closed_on_public_holidays and (name := public_holiday_name(day, schedule.language)):
        return DayHours(day, (), closed_reason=name)
    if schedule.closed_on_eves and (name := eve_name(day, schedule.language)):
        return DayHours(day, (), closed_reason=name)
    covering = [p for p in schedule.periods if p.covers(day)]
    if not covering:
        return DayHours(day, ())
    period = max(covering, key=lambda p: p.valid_from)  # the newest period wins (e.g. summer)
    intervals = sorted(
        (rule.opens, rule.closes) for rule in period.rules if rule.weekday == day.weekday()
    )
    return DayHours(day, tuple(intervals))


def intervals_on(schedule: Schedule, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Aware [open, close) instants of a day, in order."""
    return [
        (local_datetime(day, opens), local_datetime(day, closes))
        for opens, closes in day_hours(schedule, day).intervals
    ]


def is_open(schedule: Schedule, at: dt.datetime) -> bool:
    day = at.astimezone(STOCKHOLM).date()
    return any(start <= at < end for start, end in intervals_on(schedule, day))


def next_opening(
    schedule: Schedule, after: dt.datetime, horizon_days: int = 400
) -> dt.datetime | None:
    """The first opening instant strictly after `after`, or None within the horizon.

    If the office is open at `after`, this is the *next* opening, not the current one.
    """
    first_day = after.astimezone(STOCKHOLM).date()
    for offset in range(horizon_days + 1):
        day = first_day + dt.timedelta(days=offset)
        for start, _end in intervals_on(schedule, day):
            if start > after:
                return start
    return None


def closing_time(schedule: Schedule, at: dt.datetime) -> dt.datetime | None:
    """When the interval open at `at` closes, or None if closed at `at`."""
    day = at.astimezone(STOCKHOLM).date()
    for start, end in intervals_on(schedule, day):
        if start <= at < end:
            return end
    return None


def days(start: dt.date, count: int) -> Iterable[dt.date]:
    return (start + dt.timedelta(days=i) for i in range(count))
