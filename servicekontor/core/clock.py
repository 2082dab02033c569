"""The one place that reads the clock. Day boundaries are always Europe/Stockholm.

ruff's banned-api keeps `datetime.now`, `date.today` and `timezone.now` out of every other module,
so tests can freeze time with time-machine and every day boundary is computed the same way.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    return timezone.now()


def local_now() -> dt.datetime:
    return now().astimezone(STOCKHOLM)


def local_today() -> dt.date:
    """Today's date in Stockholm (not in UTC: at 00:30 local time UTC is still yesterday)."""
    return local_now().date()


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """The instant of a Stockholm wall-clock time on a day, returned in UTC.

    UTC on purpose: Python subtracts two datetimes that share a tzinfo by their wall clocks,
    so 01:00–04:00 Stockholm on the autumn DST night would come out as 3 hours, not 4.
    On that night a wall time such as 02:30 happens twice; we take the first (fold=0). In the
    spring gap 02:30 does not exist; zoneinfo then maps it forward an hour.
    """
    return dt.datetime.combine(day, time, tzinfo=STOCKHOLM).astimezone(dt.UTC)


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a Stockholm day as aware datetimes; 23 or 25 hours long on DST days."""
    start = local_datetime(day, dt.time.min)
    end = local_datetime(day + dt.timedelta(days=1), dt.time.min)
    return start, end


def local_date_of(instant: dt.datetime) -> dt.date:
    return instant.astimezone(STOCKHOLM).date()


def in_fold(instant: dt.datetime) -> bool:
    """True if `instant`'s Stockholm wall-clock time occurs twice that night (the hour after
    03:00 CEST, when clocks go back to 02:00 CET): "02:30" alone does not say which."""
    local = instant.astimezone(STOCKHOLM)
    wall = local.replace(tzinfo=None)
    first = wall.replace(tzinfo=STOCKHOLM, fold=0).utcoffset()
    second = wall.replace(tzinfo=STOCKHOLM, fold=1).utcoffset()
    return first != second


def is_summer_time(instant: dt.datetime) -> bool:
    """True if Stockholm keeps summer time (CEST, UTC+2) at `instant`."""
    return bool(instant.astimezone(STOCKHOLM).dst())
