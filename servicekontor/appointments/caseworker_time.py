"""When an agency's caseworkers are free for a video meeting: published free periods minus
their active meetings, loaded in bulk for a range of days (listings), and the pure test.

A meeting fits a caseworker when one published free period covers it whole and none of their
active meetings overlaps it (half-open intervals: a meeting ending at 10:00 and one starting
at 10:00 do not overlap). Booking re-checks this under the caseworker's row lock
(`services._lock_free_caseworker`); a listing read without locks can at worst show a time
the booking then refuses.

Times are whole seconds since 1970 (UTC) here: a listing reads every active meeting of the
agency over the horizon (6,519 in the booking benchmark), and turning each row's two
timestamps into aware datetimes and local days cost 4 times the rest of the listing
(docs/benchmarks.md, "Video meetings").
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, QuerySet
from django.db.models.functions import Cast, Ceil, Extract, Floor

from servicekontor.appointments.models import CaseworkerAvailability, VideoMeeting
from servicekontor.catalog.models import Agency
from servicekontor.core import clock

Interval = tuple[dt.datetime, dt.datetime]
DAY_S = 86_400


def fits(
    free: Sequence[Interval], busy: Sequence[Interval], start: dt.datetime, end: dt.datetime
) -> bool:
    """Pure: [start, end) lies inside one free period and overlaps no busy one."""
    return any(f0 <= start and end <= f1 for f0, f1 in free) and not any(
        b0 < end and start < b1 for b0, b1 in busy
    )


def epoch_rows(rows: QuerySet[Any], key: str, *, inward: bool) -> Iterator[tuple[int, int, int]]:
    """(rows' `key`, starts_at, ends_at) with the times as whole seconds since 1970 (UTC),
    rounded inward (`inward=True`: the start up, the end down; for free time, so a fraction of
    a second never makes a slot look free) or outward (for busy time).

    On PostgreSQL the database sends them as integers (no timestamp parsing); SQLite's
    Extract has no epoch, so there they are converted here. tzinfo=UTC: Django would
    otherwise extract from the Stockholm wall clock, an hour off.
    """
    up, down = (Ceil, Floor) if inward else (Floor, Ceil)
    if connection.vendor == "postgresql":
        yield from rows.annotate(
            start_s=Cast(up(Extract("starts_at", "epoch", tzinfo=dt.UTC)), BigIntegerField()),
            end_s=Cast(down(Extract("ends_at", "epoch", tzinfo=dt.UTC)), BigIntegerField()),
        ).values_list(key, "start_s", "end_s")
        return
    first, last = (math.ceil, math.floor) if inward else (math.floor, math.ceil)
    for value, starts, ends in rows.values_list(key, "starts_at", "ends_at"):
        yield value, first(starts.timestamp()), last(ends.timestamp())


class CaseworkerTime:
    """Free periods and active meetings of an agency's active caseworkers on [first, last],
    in epoch seconds, indexed by UTC day number (seconds // 86400), so that testing one slot
    looks only at the periods and meetings of the day(s) it touches. Two queries, once per
    listing."""

    def __init__(self, *, agency: Agency | int, first_day: dt.date, last_day: dt.date) -> None:
        agency_id = agency if isinstance(agency, int) else agency.pk
        since = clock.local_day_bounds(first_day)[0]
        until = clock.local_day_bounds(last_day)[1]
        # UTC day → [(caseworker, start, end)] of free periods holding a point of that day,
        # and (caseworker, UTC day) → [(start, end)] of meetings touching that day.
        self.free: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        self.busy: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        periods = CaseworkerAvailability.objects.filter(
            caseworker__agency_id=agency_id,
            caseworker__is_active=True,
            starts_at__lt=until,
            ends_at__gt=since,
        )
        for cw, start, end in epoch_rows(periods, "caseworker_id", inward=True):
            for day in range(start // DAY_S, (end - 1) // DAY_S + 1):
                self.free[day].append((cw, start, end))
        meetings = VideoMeeting.objects.filter(
            caseworker__agency_id=agency_id, active=True, starts_at__lt=until, ends_at__gt=since
        )
        for cw, start, end in epoch_rows(meetings, "caseworker_id", inward=False):
            for day in range(start // DAY_S, (end - 1) // DAY_S + 1):
                self.busy[(cw, day)].append((start, end))

    def _candidates(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        s, e = math.floor(start.timestamp()), math.ceil(end.timestamp())
        first, last = s // DAY_S, (e - 1) // DAY_S  # a meeting may cross a UTC midnight
        return sorted(
            {
                cw
                for cw, f0, f1 in self.free.get(first, ())
                if f0 <= s
                and e <= f1
                and not any(
                    b0 < e and s < b1
                    for day in range(first, last + 1)
                    for b0, b1 in self.busy.get((cw, day), ())
                )
            }
        )

    def free_caseworkers(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        """Ids of the caseworkers free for the whole of [start, end), in id order."""
        return self._candidates(start, end)

    def any_free(self, start: dt.datetime, end: dt.datetime) -> bool:
        return bool(self._candidates(start, end))
