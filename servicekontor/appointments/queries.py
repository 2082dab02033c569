"""Reads: free times of an office, the earliest free time near a place, today's bookings.

The free times come from `capacity_book.CapacityBook` (bulk loading) and the pure `capacity`
module (the arithmetic).
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from personnummer import personnummer

from servicekontor.appointments import capacity, conf, errors, video_links
from servicekontor.appointments.capacity_book import CapacityBook
from servicekontor.appointments.capacity_inputs import OfficeInputs, cached_inputs, load_inputs
from servicekontor.appointments.models import (
    HOLDS_CAPACITY,
    Booking,
    BookingStatus,
    OfficeCancelReason,
    VideoMeeting,
)
from servicekontor.appointments.tokens import format_code, hash_token, identity_hash
from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.core.geography import distance_matrix_km
from servicekontor.network import opening_hours, registry_cache
from servicekontor.network.change_impact import Affected
from servicekontor.network.models import Offering, Office, ServicePoint


@dataclass(frozen=True)
class DayFree:
    day: dt.date
    slots: list[capacity.Slot]
    # Without free slots: why (`capacity.NoTime`); "" when there are some.
    no_time: str = ""

    @property
    def no_time_words(self) -> str:
        """The words for a day without free time, in the active language."""
        return str(NO_TIME_WORDS.get(self.no_time) or NO_TIME_WORDS[""])


NO_TIME_WORDS: dict[str, Any] = {
    "": _lazy("no free time"),
    capacity.NoTime.CLOSED: pgettext_lazy("times page: a day", "closed"),
    capacity.NoTime.NOT_OFFERED: pgettext_lazy("times page: a day", "not offered this day"),
    capacity.NoTime.TOO_LATE_TODAY: pgettext_lazy("times page: a day", "no more times today"),
    capacity.NoTime.FULLY_BOOKED: pgettext_lazy("times page: a day", "fully booked"),
    capacity.NoTime.NONE_FOR_BOOKING: _lazy("no free time"),
}


@dataclass(frozen=True)
class DaysPage:
    """A page of days and the last day of the office's booking window (the page is empty when
    it starts after that day)."""

    days: list[DayFree]
    last_day: dt.date
    # Some free times on the page start too soon to be booked (`Rules.closes_before`) and are
    # not shown: the rule's length and the earliest start now (None: nothing hidden by it).
    lead_hidden: tuple[dt.timedelta, dt.datetime] | None = None


def free_days_page(
    *,
    office: Office,
    service: Service,
    first_day: dt.date,
    days: int,
    now: dt.datetime | None,
    at_desk: bool = False,
) -> DaysPage:
    """Days from `first_day` (at most `days`) with their free slots inside the booking window
    (`at_desk`: an officer's, from now on; `CapacityBook`)."""
    now = now or clock.now()
    last_day = first_day + dt.timedelta(days=days - 1)
    book = CapacityBook(
        offices=[office], service=service, first_day=first_day, last_day=last_day, at_desk=at_desk
    )
    window = book.window(office.pk, now)
    found = []
    hidden = False
    soon_until = clock.local_date_of(window.earliest_start)
    for day in book.days():
        if day > window.last_day:
            break
        slots = book.slots(office.pk, day, window=window)
        why = "" if slots else book.why_no_free_time(office.pk, day, window=window, now=now)
        found.append(DayFree(day=day, slots=slots, no_time=why))
        # Walk F6: times hidden by the lead rule are said, not silently left out.
        if window.lead and not hidden and day <= soon_until:
            hidden = any(now < s.start < window.earliest_start for s in book.slots(office.pk, day))
    return DaysPage(
        days=found,
        last_day=window.last_day,
        lead_hidden=(window.lead, window.earliest_start) if hidden else None,
    )


def free_days(
    *, office: Office, service: Service, first_day: dt.date, days: int, now: dt.datetime | None
) -> list[DayFree]:
    """Days from `first_day` (at most `days`) with their free slots inside the booking window."""
    return free_days_page(
        office=office, service=service, first_day=first_day, days=days, now=now
    ).days


def free_slots_on(
    *, office: Office, service: Service, day: dt.date, now: dt.datetime | None = None
) -> list[capacity.Slot]:
    days = free_days(office=office, service=service, first_day=day, days=1, now=now)
    return days[0].slots if days else []


def bookable_services() -> QuerySet[Service]:
    return (
        Service.objects.exclude(mode="walk_in")
        .filter(offerings__isnull=False)
        .distinct()
        .select_related("agency")
        .order_by("agency__name_sv", "name_sv")
    )


def drop_in_only_agencies() -> list[Agency]:
    """Agencies offered at offices whose services all need no booking (walk F2: the
    Public Employment Service was missing from step 1 without a word)."""
    offered = Service.objects.filter(offerings__isnull=False)
    bookable = offered.exclude(mode="walk_in").values("agency")
    return list(
        Agency.objects.filter(pk__in=offered.values("agency"))
        .exclude(pk__in=bookable)
        .order_by("name_sv")
    )


def offices_offering_bookable(*, service: Service, day: dt.date) -> list[Office]:
    """The offices offering the service on the day, from the shared registry cache."""
    return registry_cache.offices_offering(service=service, day=day)


@dataclass(frozen=True)
class OfficeChoice:
    office: Office
    distance_km: float | None
    earliest: capacity.Slot | None


# Earliest-time searches read bookings in widening windows (days from today): most offices
# have a free time within the first two days, and each window is one bulk read.
_LOOK_WINDOWS = ((0, 1), (2, 13), (14, 366))


def earliest_per_office(
    *, service: Service, offices: Sequence[Office], now: dt.datetime | None = None
) -> dict[int, capacity.Slot | None]:
    """Each office's earliest free slot for the service within its booking window."""
    now = now or clock.now()
    today = clock.local_date_of(now)
    inputs = cached_inputs(offices=offices, service=service)
    horizon = max((i.rules.horizon_days for i in inputs.values()), default=0)
    result: dict[int, capacity.Slot | None] = {}
    remaining = list(offices)
    for first_offset, last_offset in _LOOK_WINDOWS:
        if not remaining or first_offset > horizon:
            break
        first = today + dt.timedelta(days=first_offset)
        last = today + dt.timedelta(days=min(last_offset, horizon))
        book = CapacityBook(
            offices=remaining, service=service, first_day=first, last_day=last, inputs=inputs
        )
        still = []
        for office in remaining:
            slot = book.earliest(office.pk, now)
            result[office.pk] = slot
            if slot is None:
                still.append(office)
        remaining = still
    for office in offices:
        result.setdefault(office.pk, None)
    return result


def office_choices(
    *,
    service: Service,
    near: tuple[float, float] | None = None,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> list[OfficeChoice]:
    """Offices offering the service today, nearest first when a point is given."""
    now = now or clock.now()
    offices = offices_offering_bookable(service=service, day=clock.local_date_of(now))
    distances: dict[int, float | None] = dict.fromkeys((o.pk for o in offices), None)
    if near and offices:
        # One vectorised call for all offices (haversine_km made one per office).
        row = distance_matrix_km(
            [near[0]], [near[1]], [o.latitude for o in offices], [o.longitude for o in offices]
        )[0]
        distances = {o.pk: float(km) for o, km in zip(offices, row, strict=True)}
    if near:
        offices.sort(key=lambda o: (distances[o.pk] or 0.0, o.name))
    if limit is not None:
        offices = offices[:limit]
    earliest = earliest_per_office(service=service, offices=offices, now=now)
    return [
        OfficeChoice(office=o, distance_km=distances[o.pk], earliest=earliest[o.pk])
        for o in offices
    ]


# "Near me": the offices within this distance (of the nearest ten).
NEAR_KM = 100.0


def earliest_near(
    *,
    service: Service,
    near: tuple[float, float],
    radius_km: float = NEAR_KM,
    max_offices: int = 10,
    now: dt.datetime | None = None,
) -> OfficeChoice | None:
    """The earliest free time among the offices within `radius_km` (the nearest `max_offices`)."""
    choices = [
        c
        for c in office_choices(service=service, near=near, limit=max_offices, now=now)
        if c.distance_km is not None and c.distance_km <= radius_km and c.earliest is not None
    ]
    if not choices:
        return None
    return min(choices, key=lambda c: (c.earliest.start, c.distance_km))  # type: ignore[union-attr]


def nearest_with_time(
    *,
    service: Service,
    near: tuple[float, float] | None,
    limit: int = 3,
    now: dt.datetime | None = None,
) -> list[OfficeChoice]:
    """For an empty search: the nearest offices that do have free time."""
    return [c for c in office_choices(service=service, near=near, now=now) if c.earliest][:limit]


def bookings_of_day(*, office: Office, day: dt.date) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(office=office, day=day)
        .select_related("service", "service__agency")
        .order_by("starts_at", "pk")
    )


def booking_by_token(token: str) -> Booking | None:
    if not token or len(token) > 100:
        return None
    return (
        Booking.objects.select_related("office", "service", "service__agency")
        .filter(token_hash=hash_token(token))
        .first()
    )


def booking_page_by_token(token: str) -> Booking | None:
    """`booking_by_token` for the booking's page (the confirmation), with the room number of
    its active video meeting as `meeting_room` (None: no active meeting; at most one, a
    database constraint) in the same statement, instead of a second read of the meeting
    (`Booking.video_meeting`).

    One written-out statement (`_booking_page_select`, decision 0067): the query the ORM built
    from `booking_page_by_token_orm` (the reference, kept for the tests), without compiling it
    again on every request; the same objects (every concrete field of the booking, its office,
    its service and the service's agency, the database's converters applied)."""
    if not token or len(token) > 100:
        return None
    sql, parts, converters = _booking_page_select()
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_token(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, found, column in converters:
        for convert in found:
            values[i] = convert(values[i], column, connection)
    made: list[Any] = [
        model.from_db(connection.alias, names, values[start : start + len(names)])
        for model, start, names in parts
    ]
    booking, office, service, agency = made
    Booking.office.field.set_cached_value(booking, office)
    Booking.service.field.set_cached_value(booking, service)
    Service.agency.field.set_cached_value(service, agency)
    booking.meeting_room = values[-1]
    return booking


@functools.cache
def _booking_page_select() -> tuple[
    str, list[tuple[type[models.Model], int, list[str]]], list[tuple[int, list[Any], Any]]
]:
    """The statement of `booking_page_by_token`, the models' slices of its row (model, first
    column, attribute names) and the converters per column (as the ORM's compiler applies
    them: SQLite returns naive datetimes and integer booleans without them)."""
    quote = connection.ops.quote_name
    joined = [
        (Booking, "b"),
        (Office, "o"),
        (Service, "s"),
        (Agency, "a"),
    ]
    columns: list[str] = []
    parts: list[tuple[type[models.Model], int, list[str]]] = []
    converters: list[tuple[int, list[Any], Any]] = []
    for model, alias in joined:
        fields = model._meta.concrete_fields
        parts.append((model, len(columns), [f.attname for f in fields]))
        for field in fields:
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                converters.append((len(columns), found, column))
            columns.append(f"{alias}.{quote(str(field.column))}")
    room = ServicePoint._meta.get_field("number")
    columns.append(f"r.{quote(str(room.column))}")
    found = connection.ops.get_db_converters(room.get_col("r")) + room.get_db_converters(connection)
    if found:
        converters.append((len(columns) - 1, found, room.get_col("r")))

    def table(model: type[models.Model]) -> str:
        return quote(model._meta.db_table)

    sql = (
        f"SELECT {', '.join(columns)} FROM {table(Booking)} b"
        f" LEFT OUTER JOIN {table(VideoMeeting)} m ON (b.id = m.booking_id AND m.active)"
        f" LEFT OUTER JOIN {table(ServicePoint)} r ON (m.room_id = r.id)"
        f" INNER JOIN {table(Office)} o ON (b.office_id = o.id)"
        f" INNER JOIN {table(Service)} s ON (b.service_id = s.id)"
        f" INNER JOIN {table(Agency)} a ON (s.agency_id = a.id)"
        " WHERE b.token_hash = %s ORDER BY b.starts_at ASC LIMIT 1"
    )
    return sql, parts, converters


def booking_page_by_token_orm(token: str) -> Booking | None:
    """`booking_page_by_token` through the ORM: the reference its statement was written from
    (appointments/tests/test_manage_page_reads.py compares the two)."""
    if not token or len(token) > 100:
        return None
    return (
        Booking.objects.select_related("office", "service", "service__agency")
        .annotate(
            active_meeting=FilteredRelation(
                "video_meetings", condition=Q(video_meetings__active=True)
            ),
            meeting_room=F("active_meeting__room__number"),
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


def bookings_without_capacity(
    *, offices: Iterable[Office], now: dt.datetime | None = None
) -> list[tuple[Booking, str]]:
    """Future bookings whose place the registry as it is now no longer gives, with the reason
    (`capacity.CLOSED`, `NOT_OFFERED`, `NO_COUNTER`), earliest first.

    Covers every registry change that removes capacity: closures and shortened hours, an
    office closing for good, an ended offering, deactivated counters or removed capabilities,
    fewer counters allocated to appointments. Each office-day is replayed by the pure
    `capacity.without_room` (first booked, first kept). Reads the registry fresh (not the
    cache): called inside the transaction of the change, before it commits.
    """
    now = now or clock.now()
    today = clock.local_date_of(now)
    rows = list(
        Booking.objects.filter(office__in=offices, day__gte=today, status__in=HOLDS_CAPACITY)
        .select_related("office", "service", "service__agency")
        .order_by("created_at", "pk")
    )
    inputs: dict[tuple[int, int], OfficeInputs] = {}
    for booking in rows:
        key = (booking.office_id, booking.service_id)
        if key not in inputs:
            inputs[key] = load_inputs(offices=[booking.office], service=booking.service)[
                booking.office_id
            ]
    by_day: dict[tuple[int, dt.date], list[Booking]] = defaultdict(list)
    for booking in rows:
        by_day[(booking.office_id, booking.day)].append(booking)
    lost: list[tuple[Booking, str]] = []
    for (office_id, day), bookings in by_day.items():
        first = inputs[(office_id, bookings[0].service_id)]
        intervals = opening_hours.intervals_on(first.schedule, day)
        pools_of = {
            b.service.required_capability_id: inputs[(office_id, b.service_id)].capability_pools
            for b in bookings
            if b.service.required_capability_id is not None and not b.service.video_meeting
        }
        rooms_of = {
            b.service.required_capability_id: inputs[(office_id, b.service_id)].rooms
            for b in bookings
            if b.service.required_capability_id is not None and b.service.video_meeting
        }
        held = [
            capacity.Held(
                key=b.pk,
                start=b.starts_at,
                end=b.ends_at,
                capability=b.service.required_capability_id,
                releasable=b.status == BookingStatus.BOOKED and b.starts_at > now,
                offered=b.service.bookable and inputs[(office_id, b.service_id)].offers_on(day),
                inside_hours=any(o <= b.starts_at and b.ends_at <= c for o, c in intervals),
                video=b.service.video_meeting,
            )
            for b in bookings
        ]
        reasons = capacity.without_room(
            held,
            allocation=first.allocation.get(day.weekday(), {}),
            counters_all=first.counters_all,
            pools_of=pools_of,
            rooms_of=rooms_of,
        )
        lost += [(b, reasons[b.pk]) for b in bookings if b.pk in reasons]
    return sorted(lost, key=lambda pair: (pair[0].starts_at, pair[0].pk))


def describe_affected(booking: Booking, reason: str) -> Affected:
    """A booking a registry change takes the place of, as the admin's preview lists it."""
    return Affected(
        key=f"booking:{booking.pk}:{booking.sequence}",
        office=booking.office.name,
        starts_at=booking.starts_at,
        what=f"{format_code(booking.code)} · {booking.service}",
        reason=str(OfficeCancelReason(reason).label),
    )


def preview_registry_change(
    sender: object, *, offices: Sequence[Office], **kwargs: object
) -> list[Affected]:
    """Receiver of `network.change_impact.capacity_preview`: the bookings the change would
    cancel (nothing is changed)."""
    return [
        describe_affected(b, reason) for b, reason in bookings_without_capacity(offices=offices)
    ]


def slot_for(
    *, book: CapacityBook, office: Office, starts_at: dt.datetime, now: dt.datetime
) -> capacity.Slot:
    """The free slot starting at `starts_at`, or the BookingError that says why there is none:
    the one check behind the contact page (up front) and the booking service (under its lock).
    """
    day = clock.local_date_of(starts_at)
    if starts_at <= now:  # first: a time gone by is that, whatever else is true of its day
        raise errors.TimePassed()
    if not book.offers(office.pk, day):
        raise errors.NotBookable()
    window = book.window(office.pk, now)
    if not window.admits(starts_at):
        if starts_at < window.earliest_start:
            raise errors.TooSoon(lead=window.lead, earliest=window.earliest_start)
        raise errors.TooFarAhead(last_day=window.last_day)
    intervals = opening_hours.intervals_on(book.inputs[office.pk].schedule, day)
    if not any(o <= starts_at < c for o, c in intervals):
        raise errors.OfficeClosed()
    slot = book.slot_at(office.pk, day, starts_at)
    if slot is None:
        raise errors.NotASlot()
    if slot.free <= 0:
        raise errors.SlotTaken()
    return slot


def ever_offered(*, office: Office, service: Service) -> bool:
    """Does the office offer the service on any day (past, present or future)? For telling
    "not that day" (409) from "not here" (404) on a refusal; read only then."""
    return Offering.objects.filter(office=office, service=service).exists()


def slot_refusal(
    *, office: Office, service: Service, starts_at: dt.datetime, now: dt.datetime | None = None
) -> errors.BookingError | None:
    """Why `starts_at` cannot be booked now (None if it can), from the cached registry inputs:
    for pages that must refuse before the citizen fills in a form."""
    day = clock.local_date_of(starts_at)
    book = CapacityBook(offices=[office], service=service, first_day=day, last_day=day)
    try:
        slot_for(book=book, office=office, starts_at=starts_at, now=now or clock.now())
    except errors.BookingError as exc:
        return exc
    return None


def identity_matches(*, booking: Booking, personal_identity_number: str) -> bool:
    """Does the number on the ID shown at the desk match the booking? (Compares keyed hashes.)"""
    if not booking.identity_hash:
        return False
    try:
        number = personnummer.Personnummer(personal_identity_number)
    except (personnummer.PersonnummerException, ValueError, TypeError):
        return False
    return hmac.compare_digest(identity_hash(number.format(True)), booking.identity_hash)


def desk_rows(*, office: Office, now: dt.datetime) -> list[dict[str, object]]:
    """Today's bookings at an office for the desk: the booking, its printed code, and whether
    it may be checked in yet (from `APPOINTMENTS_EARLY_CHECK_IN_MINUTES` before its time)."""
    early = conf.early_check_in()
    bookings = list(bookings_of_day(office=office, day=clock.local_date_of(now)))
    meetings = {
        m.booking_id: m
        for m in VideoMeeting.objects.filter(booking__in=bookings, active=True).select_related(
            "room", "room__office", "caseworker"
        )
    }
    return [
        {
            "booking": booking,
            "code": format_code(booking.code),
            "can_check_in": booking.may_check_in(now=now, early=early),
            # From the clock, not from whether the no-show job has run (Booking.status_label).
            "status": booking.status_label(now=now, grace=conf.grace()),
            "meeting": meetings.get(booking.pk),
            # The officer starts the call in the room for the citizen.
            "room_link": _room_link(meetings[booking.pk]) if booking.pk in meetings else "",
        }
        for booking in bookings
    ]


def _room_link(meeting: VideoMeeting) -> str:
    return video_links.provider().link(
        room_name=meeting.room_name,
        side="room",
        display_name=f"{meeting.room.office.name} · {meeting.room.number}",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )
