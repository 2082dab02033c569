"""When an agency's caseworkers are free for a video meeting: published free periods minus
their active meetings, loaded in bulk for a range of days (listings), and the pure test.

A meeting fits a caseworker when one published free period covers it whole and none of their
active meetings overlaps it (half-open intervals: a meeting ending at 10:00 and one starting
at 10:00 do not overlap). Booking re-checks this under the caseworker's row lock
(`services._lock_free_caseworker`); a listing read without locks can at worst show a time
the booking then refuses.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from servicekontor.appointments.models import CaseworkerAvailability, VideoMeeting
from servicekontor.catalog.models import Agency
from servicekontor.core import clock

Interval = tuple[dt.datetime, dt.datetime]


def fits(
    free: Sequence[Interval], busy: Sequence[Interval], start: dt.datetime, end: dt.datetime
) -> bool:
    """Pure: [start, end) lies inside one free period and overlaps no busy one."""
    return any(f0 <= start and end <= f1 for f0, f1 in free) and not any(
        b0 < end and start < b1 for b0, b1 in busy
    )


class CaseworkerTime:
    """Free periods and active meetings of an agency's active caseworkers on [first, last],
    indexed by local day, so that testing one slot looks only at that day's periods."""

    def __init__(self, *, agency: Agency | int, first_day: dt.date, last_day: dt.date) -> None:
        agency_id = agency if isinstance(agency, int) else agency.pk
        since = clock.local_day_bounds(first_day)[0]
        until = clock.local_day_bounds(last_day)[1]
        # local day → [(caseworker, start, end)], and (caseworker, local day) → busy periods.
        self.free: dict[dt.date, list[tuple[int, dt.datetime, dt.datetime]]] = defaultdict(list)
        self.busy: dict[tuple[int, dt.date], list[Interval]] = defaultdict(list)
        for cw, start, end in CaseworkerAvailability.objects.filter(
            caseworker__agency_id=agency_id,
            caseworker__is_active=True,
            starts_at__lt=until,
            ends_at__gt=since,
        ).values_list("caseworker_id", "starts_at", "ends_at"):
            for day in _local_days(start, end):
                self.free[day].append((cw, start, end))
        for cw, start, end in VideoMeeting.objects.filter(
            caseworker__agency_id=agency_id, active=True, starts_at__lt=until, ends_at__gt=since
        ).values_list("caseworker_id", "starts_at", "ends_at"):
            for day in _local_days(start, end):
                self.busy[(cw, day)].append((start, end))

    def _candidates(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        day = clock.local_date_of(start)
        return sorted(
            {
                cw
                for cw, f0, f1 in self.free.get(day, ())
                if f0 <= start
                and end <= f1
                and not any(b0 < end and start < b1 for b0, b1 in self.busy.get((cw, day), ()))
            }
        )

    def free_caseworkers(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        """Ids of the caseworkers free for the whole of [start, end), in id order."""
        return self._candidates(start, end)

    def any_free(self, start: dt.datetime, end: dt.datetime) -> bool:
        return bool(self._candidates(start, end))


def _local_days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """The Stockholm days [start, end) touches (a meeting or a period may cross midnight)."""
    first, last = (
        clock.local_date_of(start),
        clock.local_date_of(end - dt.timedelta(microseconds=1)),
    )
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
