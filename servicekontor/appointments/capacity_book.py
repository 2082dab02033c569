"""`CapacityBook`: everything the pure capacity module needs for a set of offices, one
service and a range of days, loaded at construction in a fixed number of queries (the
registry inputs, from `capacity_inputs`, and the bookings holding capacity), so listing eight
weeks or scanning every office near a point does not query per day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection

from servicekontor.appointments import capacity
from servicekontor.appointments.capacity_inputs import OfficeInputs, cached_inputs, load_inputs
from servicekontor.appointments.caseworker_time import CaseworkerTime
from servicekontor.appointments.models import HOLDS_CAPACITY, Booking
from servicekontor.catalog.models import Service
from servicekontor.network import opening_hours
from servicekontor.network.models import Office


@functools.cache
def _booked_sql() -> str:
    """The bookings holding capacity at offices (`= ANY`) on [first, last] (PostgreSQL), as
    `Booking.objects.filter(office_id__in=…, day__gte=…, day__lte=…, status__in=…)` reads
    them in its default order: office, day, start and end in epoch seconds (UTC), the
    capability the booking's service needs and whether it is a video meeting."""
    booking, service = Booking._meta.db_table, Service._meta.db_table
    return (
        f'SELECT b."office_id", b."day",'
        f" (EXTRACT(EPOCH FROM b.\"starts_at\" AT TIME ZONE 'UTC'))::bigint,"
        f" (EXTRACT(EPOCH FROM b.\"ends_at\" AT TIME ZONE 'UTC'))::bigint,"
        f' s."required_capability_id", s."video_meeting"'
        f' FROM "{booking}" b INNER JOIN "{service}" s ON (b."service_id" = s."id")'
        f' WHERE b."day" >= %s AND b."day" <= %s AND b."office_id" = ANY(%s)'
        f' AND b."status" = ANY(%s) ORDER BY b."starts_at" ASC'
    )


class CapacityBook:
    """Capacity inputs of `offices` for `service` on [first_day, last_day], loaded in bulk.

    `fresh=True` (the booking service, under its lock) reads the registry inputs from the
    database; otherwise they may come from the cache (see `cached_inputs`). Bookings are always
    read from the database.
    """

    def __init__(
        self,
        *,
        offices: Iterable[Office],
        service: Service,
        first_day: dt.date,
        last_day: dt.date,
        fresh: bool = False,
        inputs: dict[int, OfficeInputs] | None = None,
        at_desk: bool = False,
    ) -> None:
        given = list(offices)
        # An officer booking with the citizen at the desk (walk F7): the times from now on,
        # not from the rules' `closes_before` (2 h), which is for a citizen booking ahead.
        self.at_desk = at_desk
        office_ids = [o.pk for o in given]
        self.service = service
        self.first_day = first_day
        self.last_day = last_day
        self.offices = {o.pk: o for o in given}
        if inputs is None:
            inputs = (
                load_inputs(offices=given, service=service)
                if fresh
                else cached_inputs(offices=given, service=service)
            )
        self.inputs = inputs
        self._caseworkers: CaseworkerTime | None = None
        # (interval, the capability its service needs, a video meeting) per office-day
        self._booked: dict[
            tuple[int, dt.date], list[tuple[capacity.Interval, int | None, bool]]
        ] = defaultdict(list)
        if connection.vendor == "postgresql":
            # Epoch seconds instead of timestamptz: parsing ~1000 timestamps per read cost more
            # than the capacity arithmetic itself. The statement is written once (`_BOOKED_SQL`):
            # building it through the ORM cost more CPU than running it.
            utc = dt.UTC
            with connection.cursor() as cursor:
                cursor.execute(
                    _booked_sql(),
                    [first_day, last_day, office_ids, [s.value for s in HOLDS_CAPACITY]],
                )
                for office_id, day, start_s, end_s, cap_id, video in cursor.fetchall():
                    interval = (
                        dt.datetime.fromtimestamp(start_s, tz=utc),
                        dt.datetime.fromtimestamp(end_s, tz=utc),
                    )
                    self._booked[(office_id, day)].append((interval, cap_id, video))
        else:
            for office_id, day, starts, ends, cap_id, video in Booking.objects.filter(
                office_id__in=office_ids,
                day__gte=first_day,
                day__lte=last_day,
                status__in=HOLDS_CAPACITY,
            ).values_list(
                "office_id",
                "day",
                "starts_at",
                "ends_at",
                "service__required_capability_id",
                "service__video_meeting",
            ):
                self._booked[(office_id, day)].append(((starts, ends), cap_id, video))

    def rules(self, office_id: int) -> capacity.Rules:
        return self.inputs[office_id].rules

    def offers(self, office_id: int, day: dt.date) -> bool:
        return self.service.bookable and self.inputs[office_id].offers_on(day)

    def allocation(self, office_id: int, day: dt.date) -> dict[int, int]:
        """Local hour → counters given to appointments at the office on that weekday; for a
        video meeting, its video rooms at every hour (`capacity.rooms_at_every_hour`)."""
        inputs = self.inputs[office_id]
        if self.service.video_meeting:
            return capacity.rooms_at_every_hour(inputs.rooms)
        return inputs.allocation.get(day.weekday(), {})

    def pools(self, office_id: int, day: dt.date) -> list[capacity.Pool]:
        """What a booking of the service draws on: a video meeting the rooms with its
        capability, held by the video meetings needing it; an in-office booking the counters
        (held by the in-office bookings) and their capability pools."""
        inputs = self.inputs[office_id]
        booked = self._booked.get((office_id, day), [])
        if self.service.video_meeting:
            needed = self.service.required_capability_id
            meetings = [i for i, cap, video in booked if video and cap == needed]
            return [capacity.Pool(counters=inputs.rooms, booked=meetings)]
        in_office = [(i, cap) for i, cap, video in booked if not video]
        pools = [capacity.Pool(counters=inputs.counters_all, booked=[i for i, _ in in_office])]
        pools += [
            capacity.Pool(counters=counters, booked=[i for i, cap in in_office if cap in kinds])
            for kinds, counters in inputs.capability_pools
        ]
        return pools

    def slots(
        self,
        office_id: int,
        day: dt.date,
        *,
        window: capacity.Window | None = None,
        include_full: bool = False,
    ) -> list[capacity.Slot]:
        """Free slots of the day inside `window` (every slot with `include_full`). For a video
        meeting a free slot also needs a caseworker free for all of it (`include_full` ignores
        the caseworkers: the booking service checks them under their lock)."""
        if include_full:
            if not self.offers(office_id, day):
                return []
            intervals = opening_hours.intervals_on(self.inputs[office_id].schedule, day)
            if not intervals:
                return []
            return capacity.day_slots(
                intervals=intervals,
                minutes=self.service.handling_minutes,
                allocation=self.allocation(office_id, day),
                pools=self.pools(office_id, day),
            )
        return list(self._free(office_id, day, window=window))

    def why_no_free_time(
        self, office_id: int, day: dt.date, *, window: capacity.Window, now: dt.datetime
    ) -> str:
        """Why a day with no free slot in `window` has none, one of `capacity.NoTime`: the
        office is closed that day or has closed for the day; the service is not offered that
        day; the day is open but no slot is left to book in time today (booking closes before
        the start); every bookable slot is taken; or no slot is given to bookings at all.
        Asked only for the days without a free slot (a page has a few)."""
        intervals = opening_hours.intervals_on(self.inputs[office_id].schedule, day)
        if not intervals or intervals[-1][1] <= now:
            return capacity.NoTime.CLOSED
        if not self.offers(office_id, day):
            return capacity.NoTime.NOT_OFFERED
        every = self.slots(office_id, day, include_full=True)
        if not every:
            return capacity.NoTime.NONE_FOR_BOOKING
        if not any(window.admits(slot.start) for slot in every):
            return capacity.NoTime.TOO_LATE_TODAY
        return capacity.NoTime.FULLY_BOOKED

    def slot_at(self, office_id: int, day: dt.date, start: dt.datetime) -> capacity.Slot | None:
        """The slot of `slots(include_full=True)` starting at `start`, or None (only its room
        is worked out)."""
        if not self.offers(office_id, day):
            return None
        intervals = opening_hours.intervals_on(self.inputs[office_id].schedule, day)
        if not intervals:
            return None
        return capacity.slot_at(
            intervals=intervals,
            minutes=self.service.handling_minutes,
            allocation=self.allocation(office_id, day),
            pools=self.pools(office_id, day),
            start=start,
        )

    def _free(
        self, office_id: int, day: dt.date, *, window: capacity.Window | None
    ) -> Iterator[capacity.Slot]:
        """The free slots of `slots`, one at a time (the earliest stops at the first)."""
        if not self.offers(office_id, day):
            return iter(())
        intervals = opening_hours.intervals_on(self.inputs[office_id].schedule, day)
        if not intervals:
            return iter(())
        free = capacity.iter_free_slots(
            intervals=intervals,
            minutes=self.service.handling_minutes,
            allocation=self.allocation(office_id, day),
            pools=self.pools(office_id, day),
            window=window,
        )
        if self.service.video_meeting:
            return (s for s in free if self.caseworkers().any_free(s.start, s.end))
        return free

    def caseworkers(self) -> CaseworkerTime:
        """A video meeting also needs a caseworker's free time: loaded on first use, once for
        all offices (the agency's caseworkers meet citizens at any office)."""
        if self._caseworkers is None:
            self._caseworkers = CaseworkerTime(
                agency=self.service.agency_id, first_day=self.first_day, last_day=self.last_day
            )
        return self._caseworkers

    def window(self, office_id: int, now: dt.datetime) -> capacity.Window:
        rules = self.rules(office_id)
        if self.at_desk:
            rules = dataclasses.replace(rules, closes_before=dt.timedelta(0))
        return capacity.booking_window(now=now, rules=rules)

    def days(self) -> list[dt.date]:
        return list(opening_hours.days(self.first_day, (self.last_day - self.first_day).days + 1))

    def earliest(self, office_id: int, now: dt.datetime) -> capacity.Slot | None:
        window = self.window(office_id, now)
        for day in self.days():
            if day > window.last_day:
                return None
            slot = next(self._free(office_id, day, window=window), None)
            if slot is not None:
                return slot
        return None
