"""Months as their first day. Pure."""

import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    """The last day of `month`."""
    return next_month(month) - dt.timedelta(days=1)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from `start`'s month to `end`'s month, inclusive."""
    out, m = [], month_start(start)
    while m <= end:
        out.append(m)
        m = next_month(m)
    return out


def has_ended(month: dt.date, *, today: dt.date) -> bool:
    """True when `month` (its first day) is over on `today` (a Stockholm date): the next
    month has begun."""
    return next_month(month_start(month)) <= today
