"""Write use cases of appointments: book, cancel, reschedule, closures, check-in, no-shows, purge.

The one rule that keeps capacity honest: every booking first locks its office-day row
(`BookingDay`, an upsert that takes its row lock) and only then counts and inserts. Counting without that lock
and inserting afterwards would let two requests both see the last place free.

Side effects after commit go through `appointments.signals` to `appointments.tasks`, which
import this module (tasks are leaves).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from django.db import connection, transaction
from django.db.models import Q

from servicekontor.appointments import (
    availability_feed,
    conf,
    errors,
    queries,
    signals,
    tokens,
)
from servicekontor.appointments.capacity_book import CapacityBook
from servicekontor.appointments.models import (
    HOLDS_CAPACITY,
    AvailabilitySource,
    Booking,
    BookingDay,
    BookingStatus,
    Caseworker,
    CaseworkerAvailability,
    MeetingSide,
    OfficeCancelReason,
    VideoMeeting,
)
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.i18n import current_language
from servicekontor.messaging.phone import InvalidPhoneNumber, to_e164
from servicekontor.messaging.services import purge_messages
from servicekontor.network import queries as network_queries
from servicekontor.network.change_impact import Affected
from servicekontor.network.models import ExceptionKind, Office, OpeningException, ServicePoint
from servicekontor.queueing import services as queue_services
from servicekontor.queueing.errors import QueueError
from servicekontor.queueing.models import Errand, Visit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contact:
    """Who booked. The identity number arrives already hashed (`tokens.identity_hash`), the
    mobile number in E.164 (`messaging.phone.to_e164`)."""

    name: str
    email: str = ""
    phone: str = ""
    identity_hash: str = ""


@dataclass(frozen=True)
class NewBooking:
    booking: Booking
    token: str  # the manage link's token (derived from the booking's link key)


# The office-day lock in one statement (it was two: insert-if-missing with ON CONFLICT DO
# NOTHING, then SELECT … FOR UPDATE): the upsert inserts the row, or "updates" an existing one
# to itself, which takes that row's lock until commit (on PostgreSQL FOR NO KEY UPDATE: no key
# value changes; it conflicts with any other holder's, as FOR UPDATE did), the pattern of the
# queue's ticket counter (`queueing.sql.TICKET_COUNTER_UPSERT`). Parameters: office id, day.
LOCK_DAY = (
    f"INSERT INTO {BookingDay._meta.db_table} (office_id, day) VALUES (%s, %s)"
    " ON CONFLICT (office_id, day) DO UPDATE SET day = EXCLUDED.day"
)


def _lock_day(*, office: Office, day: dt.date) -> None:
    """Lock the office-day row of (office, day), creating it if missing, until commit."""
    with connection.cursor() as cursor:
        cursor.execute(LOCK_DAY, [office.pk, day])


def same_person(*, service: Service, email: str, phone: str, identity_hash: str) -> Q:
    """Which bookings count as the same person's for the per-person limit (docs/appointments.md).

    Where the service asks for the personal identity number, the person *is* that number: a
    parent booking for two children from one e-mail address books for two people. Elsewhere
    the contact details are all we have: the same e-mail (any case) or the same mobile (E.164,
    so "070-123 45 67" and "+46 70 123 45 67" are one number) is the same person.
    """
    if service.requires_identification and identity_hash:
        return Q(identity_hash=identity_hash)
    q = Q(pk__in=[])
    if email:
        q |= Q(email__iexact=email)
    if phone:
        q |= Q(phone=canonical_phone(phone))
    return q


def canonical_phone(raw: str) -> str:
    """E.164 where `raw` is a valid number (`messaging.phone.to_e164`), else `raw` stripped
    (numbers stored before they were normalised)."""
    try:
        return to_e164(raw)
    except InvalidPhoneNumber:
        return raw.strip()


def _new_unique_code() -> str:
    for _attempt in range(10):
        code = tokens.new_code()
        if not Booking.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not draw a free booking code")  # 2^40 codes: never in practice


def _check_limit(
    *, office: Office, service: Service, day: dt.date, who: Q, limit: int, exclude: int | None
) -> None:
    same = Booking.objects.filter(
        who, office=office, service=service, day=day, status__in=HOLDS_CAPACITY
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.count() >= limit:
        raise errors.LimitReached()


@transaction.atomic
def book_appointment(
    *,
    office: Office,
    service: Service,
    starts_at: dt.datetime,
    contact: Contact,
    language: str | None = None,
    at_desk: bool = False,
) -> NewBooking:
    """Book one place at `starts_at`.

    `at_desk`: an officer books with the citizen at the desk, so any time from now on is
    bookable (the rules' `closes_before` is for a citizen booking ahead; walk F7).

    `language` is the citizen's (every later message is written in it); by default the
    active language of the request that books.

    Lock: the `BookingDay` row of (office, local day of `starts_at`), `_lock_day`, held
    until commit. Capacity is counted and the booking inserted under that lock.

    A video meeting (`service.video_meeting`) also takes, in the same transaction, a video
    room of the office (a desk with the service's capability, free under the day lock) and a
    caseworker of the service's agency (their rows locked in id order after the day lock,
    `_lock_free_caseworker`): both or neither.
    """
    now = clock.now()
    if not contact.name.strip() or not (contact.email or contact.phone):
        raise errors.BookingError(errors.BookingError.default_message)
    day = clock.local_date_of(starts_at)
    _lock_day(office=office, day=day)
    # Read after the lock: under READ COMMITTED each statement sees what the previous lock
    # holder committed.
    book = CapacityBook(
        offices=[office], service=service, first_day=day, last_day=day, fresh=True, at_desk=at_desk
    )
    slot = queries.slot_for(book=book, office=office, starts_at=starts_at, now=now)
    phone = canonical_phone(contact.phone) if contact.phone else ""
    _check_limit(
        office=office,
        service=service,
        day=day,
        who=same_person(
            service=service,
            email=contact.email,
            phone=phone,
            identity_hash=contact.identity_hash,
        ),
        limit=book.rules(office.pk).per_person_per_day,
        exclude=None,
    )
    meeting_parts = _meeting_parts(office=office, service=service, start=slot.start, end=slot.end)
    link_key = tokens.new_link_key()
    token = tokens.manage_token(link_key)
    booking = Booking.objects.create(
        office=office,
        service=service,
        day=day,
        starts_at=slot.start,
        ends_at=slot.end,
        code=_new_unique_code(),
        token_hash=tokens.hash_token(token),
        link_key=link_key,
        name=contact.name.strip(),
        email=contact.email.strip(),
        phone=phone,
        identity_hash=contact.identity_hash,
        language=language or current_language(),
        created_at=now,
    )
    if meeting_parts is not None:
        caseworker, room = meeting_parts
        VideoMeeting.objects.create(
            booking=booking,
            caseworker=caseworker,
            room=room,
            starts_at=slot.start,
            ends_at=slot.end,
            room_name=tokens.new_room_name(),
        )
    _announce(booking, signals.BOOKED)
    return NewBooking(booking=booking, token=token)


def _meeting_parts(
    *, office: Office, service: Service, start: dt.datetime, end: dt.datetime
) -> tuple[Caseworker, ServicePoint] | None:
    """For a video meeting: a free caseworker (locked) and a free room; None otherwise.
    The caller holds the office-day lock."""
    if not service.video_meeting:
        return None
    return (
        _lock_free_caseworker(service=service, start=start, end=end),
        _free_room(office=office, service=service, start=start, end=end),
    )


def _lock_free_caseworker(*, service: Service, start: dt.datetime, end: dt.datetime) -> Caseworker:
    """The first (by id) active caseworker of the service's agency who published a free period
    covering [start, end) and has no active meeting overlapping it.

    Lock: the rows of every such candidate, in id order (everyone locks in the same order,
    so no deadlock; the caller already holds its office-day lock, taken before any caseworker
    lock everywhere). Their meetings are read after the lock, so a meeting another office
    just booked for the same caseworker is seen. Raises NoCaseworkerFree.
    """
    candidate_ids = (
        CaseworkerAvailability.objects.filter(
            caseworker__agency_id=service.agency_id,
            caseworker__is_active=True,
            starts_at__lte=start,
            ends_at__gte=end,
        )
        .values_list("caseworker_id", flat=True)
        .distinct()
    )
    candidates = list(
        Caseworker.objects.select_for_update().filter(pk__in=list(candidate_ids)).order_by("pk")
    )
    busy = set(
        VideoMeeting.objects.filter(
            caseworker__in=candidates, active=True, starts_at__lt=end, ends_at__gt=start
        ).values_list("caseworker_id", flat=True)
    )
    for caseworker in candidates:
        if caseworker.pk not in busy:
            return caseworker
    raise errors.NoCaseworkerFree()


def _free_room(
    *, office: Office, service: Service, start: dt.datetime, end: dt.datetime
) -> ServicePoint:
    """A video room of the office (an active one with the service's capability) with no
    active meeting overlapping [start, end), lowest number first. The caller holds the
    office-day lock, under which every meeting at this office is booked. Raises SlotTaken."""
    rooms = (
        ServicePoint.objects.filter(office=office, is_active=True).video_rooms().order_by("number")
    )
    if service.required_capability_id is not None:
        rooms = rooms.filter(capabilities=service.required_capability_id)
    taken = set(
        VideoMeeting.objects.filter(
            room__office=office, active=True, starts_at__lt=end, ends_at__gt=start
        ).values_list("room_id", flat=True)
    )
    for room in rooms:
        if room.pk not in taken:
            return room
    raise errors.SlotTaken()


def _end_meeting(booking: Booking, *, by: str) -> int | None:
    """The booking's video meeting stops holding the caseworker and the room (called under
    the booking's row lock). Returns the meeting's id if one was active, for the notice."""
    meeting = VideoMeeting.objects.filter(booking=booking, active=True).first()
    if meeting is None:
        return None
    VideoMeeting.objects.filter(pk=meeting.pk).update(active=False, cancelled_by=by)
    return meeting.pk


def _announce(booking: Booking, change: str) -> None:
    """After commit: tell the receivers (the messages to the citizen) what happened."""
    transaction.on_commit(
        partial(signals.booking_changed.send, sender=Booking, booking_id=booking.pk, change=change)
    )


def _lock_booking(booking: Booking) -> Booking:
    """The booking row, locked (`SELECT … FOR UPDATE OF` the booking only), with its office and
    service."""
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("office", "service", "service__agency")
        .get(pk=booking.pk)
    )


def why_not_changeable(booking: Booking) -> errors.NotChangeable:
    """The refusal of a cancel or move of `booking`, saying its end state: cancelled (by the
    citizen or at the desk), cancelled by the office, checked in, or its time passed (not
    checked in, a no-show, or checked in too late). Every cancel and move (the citizen's
    link, the desk, the agency) refuses with this, never a general "can no longer be
    changed" for a booking that is simply already cancelled."""
    if booking.status == BookingStatus.CANCELLED:
        return errors.AlreadyCancelled()
    if booking.status == BookingStatus.CANCELLED_BY_OFFICE:
        return errors.CancelledByOffice()
    if booking.status == BookingStatus.CHECKED_IN:
        return errors.AlreadyCheckedIn()
    if booking.status in (BookingStatus.LATE, BookingStatus.NO_SHOW):
        return errors.BookingTimePassed()
    if booking.starts_at <= clock.now():
        return errors.BookingTimePassed()
    return errors.NotChangeable()


@transaction.atomic
def cancel_booking(*, booking: Booking) -> Booking:
    """The citizen cancels (by the manage link). Lock: the booking row.

    The calendar event is cancelled too: SEQUENCE rises and the message carries METHOD:CANCEL.
    """
    locked = _lock_booking(booking)
    now = clock.now()
    if not locked.is_cancellable(now=now):
        raise why_not_changeable(locked)
    locked.status = BookingStatus.CANCELLED
    locked.cancelled_at = now
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "sequence"])
    _tell_agency(_end_meeting(locked, by=MeetingSide.CITIZEN))
    _announce(locked, signals.CANCELLED)
    return locked


@transaction.atomic
def reschedule_booking(*, booking: Booking, starts_at: dt.datetime) -> Booking:
    """Move a booking to another time at the same office (also after the office cancelled it).

    The booking keeps its identity: the same row, code, manage link and calendar UID; its
    SEQUENCE rises and the citizen gets an "updated" message. A video meeting does not: its
    active meeting ends (`moved_to` the new one, its caseworker told after commit) and a new
    meeting holds the new time. Locks: the booking row, then the
    new day's `BookingDay` row (the order every path that takes both uses). The booking's own
    place is given up first inside the transaction, so a move within one day does not count
    against itself; if the new time is refused, everything rolls back.
    """
    locked = _lock_booking(booking)
    now = clock.now()
    if not locked.is_changeable(now=now):
        raise why_not_changeable(locked)
    if locked.status == BookingStatus.BOOKED and locked.starts_at == starts_at:
        raise errors.SameTime()
    office, service = locked.office, locked.service
    day = clock.local_date_of(starts_at)
    if locked.status == BookingStatus.BOOKED:
        # Give up the old place (not yet visible to others: the row is ours until commit).
        locked.status = BookingStatus.CANCELLED
        locked.save(update_fields=["status"])
    # Likewise the video meeting's caseworker and room: that meeting ends (the citizen moved
    # it) and a new one is booked below for the new time.
    old_meeting = VideoMeeting.objects.filter(booking=locked, active=True).first()
    if old_meeting is not None:
        VideoMeeting.objects.filter(pk=old_meeting.pk).update(
            active=False, cancelled_by=MeetingSide.CITIZEN
        )
    _lock_day(office=office, day=day)
    book = CapacityBook(offices=[office], service=service, first_day=day, last_day=day, fresh=True)
    slot = queries.slot_for(book=book, office=office, starts_at=starts_at, now=now)
    _check_limit(
        office=office,
        service=service,
        day=day,
        who=same_person(
            service=service,
            email=locked.email,
            phone=locked.phone,
            identity_hash=locked.identity_hash,
        ),
        limit=book.rules(office.pk).per_person_per_day,
        exclude=locked.pk,
    )
    parts = _meeting_parts(office=office, service=service, start=slot.start, end=slot.end)
    if parts is not None:
        # For the agency's side a move is the old time cancelled and a new time booked (maybe
        # with another caseworker): a new meeting, with a new room name (the old link stops
        # working); the old one points to it and its caseworker is told after commit.
        meeting = VideoMeeting.objects.create(
            booking=locked,
            caseworker=parts[0],
            room=parts[1],
            starts_at=slot.start,
            ends_at=slot.end,
            room_name=tokens.new_room_name(),
        )
        if old_meeting is not None:
            VideoMeeting.objects.filter(pk=old_meeting.pk).update(moved_to=meeting)
    _tell_agency(old_meeting.pk if old_meeting is not None else None)
    locked.status = BookingStatus.BOOKED
    locked.day = day
    locked.starts_at, locked.ends_at = slot.start, slot.end
    locked.sequence += 1
    locked.cancelled_at = None
    locked.office_cancel_reason = ""
    # A new time gets its own reminder (and, if the office changes it again, its own notice).
    locked.reminder_sent_at = None
    locked.closure_notified_at = None
    locked.save(
        update_fields=[
            "status",
            "day",
            "starts_at",
            "ends_at",
            "sequence",
            "cancelled_at",
            "office_cancel_reason",
            "reminder_sent_at",
            "closure_notified_at",
        ]
    )
    _announce(locked, signals.MOVED)
    return locked


@transaction.atomic
def release_bookings_without_capacity(
    *, offices: Iterable[Office], now: dt.datetime | None = None
) -> list[Booking]:
    """After a registry change: cancel the future bookings it left without a place, tell the
    citizens and offer them a new time (the message carries their manage link, which now lists
    free times).

    Which bookings: `queries.bookings_without_capacity` (closures, shortened hours, closing for
    good, ended offerings, fewer counters). Called inside the transaction of the change (the
    admin's save, the CSV import), so the registry change and the cancellations commit
    together. Lock: each booking row, in start order.
    """
    done = []
    for booking, reason in queries.bookings_without_capacity(offices=offices, now=now):
        locked = _lock_booking(booking)
        if locked.status != BookingStatus.BOOKED:
            continue
        locked.status = BookingStatus.CANCELLED_BY_OFFICE
        locked.office_cancel_reason = reason
        locked.cancelled_at = clock.now()
        locked.sequence += 1
        locked.save(update_fields=["status", "office_cancel_reason", "cancelled_at", "sequence"])
        _tell_agency(_end_meeting(locked, by=MeetingSide.OFFICE))
        _announce(locked, signals.CANCELLED_BY_OFFICE)
        done.append(locked)
    return done


def on_registry_change(
    sender: object, *, offices: Sequence[Office], **kwargs: object
) -> list[Affected]:
    """Receiver of `network.change_impact.capacity_reduced` (inside the change's transaction):
    cancel the bookings the change left without a place and tell the citizens after commit."""
    done = release_bookings_without_capacity(offices=offices)
    return [queries.describe_affected(b, b.office_cancel_reason) for b in done]


@dataclass(frozen=True)
class CheckIn:
    booking: Booking
    outcome: str  # "checked_in", "late_walk_in", "late_no_show"
    visit_id: int | None
    ticket: str = ""
    again: bool = False  # the booking had been checked in before: the same answer, repeated


def _repeat(booking: Booking) -> CheckIn:
    """A second check-in (a refresh, a double tap, the desk after the kiosk): the answer the
    first one gave, with the number already given."""
    visit = Visit.objects.filter(pk=booking.visit_id).first() if booking.visit_id else None
    ticket = visit.ticket if visit is not None and visit.ticket_number is not None else ""
    if booking.status == BookingStatus.CHECKED_IN:
        outcome = "checked_in"
    else:
        outcome = "late_walk_in" if ticket else "late_no_show"
    return CheckIn(
        booking=booking, outcome=outcome, visit_id=booking.visit_id, ticket=ticket, again=True
    )


def _elsewhen(*, office: Office, code: str, today: dt.date) -> errors.CheckInError:
    """A code of no booking for today at this office: when and where its booking is (a code
    is unique across offices), or UnknownCode for an unknown or cancelled booking."""
    other = (
        Booking.objects.filter(code=code)
        .exclude(status__in=(BookingStatus.CANCELLED, BookingStatus.CANCELLED_BY_OFFICE))
        .select_related("office")
        .only("starts_at", "day", "office__name")
        .first()
    )
    if other is None:
        return errors.UnknownCode()
    return errors.BookedElsewhen(
        starts_at=other.starts_at,
        office_name=other.office.name,
        here=other.office_id == office.pk,
        past=other.day < today,
    )


@transaction.atomic
def check_in_booking(*, office: Office, code: str) -> CheckIn:
    """The citizen arrives (kiosk or desk) with the booking code.

    From `early_check_in` before the time until `grace` after it: a waiting visit with the
    booked time's priority. Later: as APPOINTMENTS_LATE_POLICY says, a place in the queue like
    a walk-in's (only where the service allows walk-ins) — still the booking's one visit, a
    booked visit that arrived late (decision 0059), and no no-show — or nothing: then the
    booking is a no-show in the visit log.

    Lateness is decided from the clock alone: a booking the periodic job already marked as a
    no-show (`record_no_shows`) is treated exactly like one it has not reached yet, so the
    answer does not depend on when the job last ran. A second check-in gives the first answer
    again. Lock: the booking row.
    """
    now = clock.now()
    normalized = tokens.normalize_code(code)
    found = Booking.objects.filter(
        office=office, code=normalized, day=clock.local_date_of(now)
    ).first()
    if found is None:
        raise _elsewhen(office=office, code=normalized, today=clock.local_date_of(now))
    booking = _lock_booking(found)
    if booking.status in (BookingStatus.CHECKED_IN, BookingStatus.LATE):
        return _repeat(booking)
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.NO_SHOW):
        raise errors.CheckInError()  # cancelled (by the citizen or the office)
    if now < booking.starts_at - conf.early_check_in():
        raise errors.TooEarly(opens_at=booking.starts_at - conf.early_check_in())
    if (
        not network_queries.offerings_on(office=office, day=booking.day)
        .filter(service=booking.service)
        .exists()
    ):
        raise errors.NotOfferedAnyMore()
    on_time = now <= booking.starts_at + conf.grace()
    # A late citizen is let into the queue where the policy and the service allow walk-ins
    if on_time or (conf.late_policy() == "walk_in" and booking.service.walk_in_allowed):
        # One booked visit either way (decision 0059): late, it queues like a walk-in, and a
        # no-show the job already recorded for the booking is withdrawn (the citizen came).
        visit = _queue(
            lambda: queue_services.check_in_booked_visit(
                office=office,
                service=booking.service,
                booked_start=booking.starts_at,
                booking_reference=booking.code,
                late=not on_time,
            )
        )
        _set_status(booking, BookingStatus.CHECKED_IN if on_time else BookingStatus.LATE)
        booking.checked_in_at = now
        booking.visit_id = visit.pk
        booking.save(update_fields=["status", "sequence", "checked_in_at", "visit_id"])
        return CheckIn(
            booking=booking,
            outcome="checked_in" if on_time else "late_walk_in",
            visit_id=visit.pk,
            ticket=visit.ticket,
        )
    if booking.status == BookingStatus.BOOKED:
        # Turned away (too late, no walk-in): the no-show the periodic job would record.
        no_show = _queue(
            lambda: queue_services.record_booked_no_show(
                office=office,
                service=booking.service,
                booked_start=booking.starts_at,
                booking_reference=booking.code,
            )
        )
        booking.visit_id = no_show.pk
    _set_status(booking, BookingStatus.LATE)
    booking.checked_in_at = now
    booking.save(update_fields=["status", "sequence", "checked_in_at", "visit_id"])
    return CheckIn(booking=booking, outcome="late_no_show", visit_id=booking.visit_id)


def _set_status(booking: Booking, status: str) -> None:
    """A status change that the calendar sees: when the booking stops holding its time (a
    no-show, a late arrival) or holds it again (a recorded no-show checks in after all),
    its calendar event changes (cancelled or standing again), so SEQUENCE rises, as with a
    cancel (RFC 5546: the CANCEL must outrank the REQUEST the citizen has; calendar_file)."""
    held = booking.holds_capacity()
    booking.status = status
    if booking.holds_capacity() != held:
        booking.sequence += 1


def _queue(call: Callable[[], Visit]) -> Visit:
    try:
        return call()
    except QueueError as exc:
        raise errors.CheckInError(exc.message) from exc


def record_no_shows(*, at: dt.datetime | None = None) -> int:
    """Bookings past their grace period that nobody checked in for become no-shows.

    One transaction per booking; lock: the booking row (skip_locked, so two runs share work).
    """
    now = at or clock.now()
    count = 0
    due = Booking.objects.filter(
        status=BookingStatus.BOOKED, starts_at__lt=now - conf.grace()
    ).values_list("pk", flat=True)
    for booking_id in list(due):
        # One booking that fails (a queue error we did not foresee) is logged and left for
        # the next run; the others are still recorded.
        try:
            count += _record_no_show(booking_id)
        except Exception:
            logger.exception("no-show of booking %s could not be recorded", booking_id)
    return count


@transaction.atomic
def _record_no_show(booking_id: int) -> int:
    booking = (
        Booking.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("office", "service", "service__agency")
        .filter(pk=booking_id, status=BookingStatus.BOOKED)
        .first()
    )
    if booking is None:
        return 0
    try:
        visit = queue_services.record_booked_no_show(
            office=booking.office,
            service=booking.service,
            booked_start=booking.starts_at,
            booking_reference=booking.code,
        )
        booking.visit_id = visit.pk
    except QueueError:
        logger.warning("no-show of booking %s was already recorded", booking_id)
    _set_status(booking, BookingStatus.NO_SHOW)
    booking.save(update_fields=["status", "sequence", "visit_id"])
    return 1


def purge_personal_data(*, older_than_days: int | None = None) -> int:
    """Blank the personal data of bookings whose visit day is N days ago, and of queue visits
    that arrived before that day (notification contact, officer's note, the interpreter
    language of their errands); statistics stay.

    Every personal field and its rule: servicekontor/core/personal_data.py (a test checks
    that every text field of every model is classified there). Returns the number of
    bookings purged. Three UPDATEs; no lock needed (rows that old no longer change).
    """
    days = conf.purge_after_days() if older_than_days is None else older_than_days
    # Whole local days, not 24-hour steps: "30 days after the visit" across a DST change.
    last_day = clock.local_today() - dt.timedelta(days=days)
    arrived_before = clock.local_datetime(last_day + dt.timedelta(days=1), dt.time(0, 0))
    Visit.objects.filter(arrived_at__lt=arrived_before).exclude(notify_contact="", note="").update(
        notify_contact="", note=""
    )
    # The interpreter's language says something about the person's origin; the statistics
    # keep it only as counts (reports.ErrandFigures), the errand keeps "interpreter used".
    Errand.objects.filter(visit__arrived_at__lt=arrived_before).exclude(
        interpreter_language=""
    ).update(interpreter_language="")
    # Messages never sent (given up) still hold an address and a text.
    purge_messages(before=arrived_before)
    return Booking.objects.filter(day__lte=last_day, purged_at__isnull=True).update(
        name="",
        email="",
        phone="",
        identity_hash="",
        purged_at=clock.now(),
    )


def _tell_agency(meeting_id: int | None) -> None:
    """After commit: the agency's side learns that a meeting was cancelled (the task mails
    the caseworker; the agency's API lists it as cancelled at once)."""
    if meeting_id is not None:
        transaction.on_commit(
            partial(
                signals.video_meeting_cancelled.send, sender=VideoMeeting, meeting_id=meeting_id
            )
        )


@transaction.atomic
def cancel_video_meeting_by_agency(*, meeting: VideoMeeting, agency_id: int) -> Booking:
    """The agency cancels (the caseworker cannot meet): the booking is cancelled for the
    citizen, who is told and offered a new time, as after an office closure.

    Lock: the booking row. NotYourMeeting (404) when the meeting is another agency's;
    NotChangeable when it is over, already cancelled or moved to another time.
    """
    if meeting.caseworker.agency_id != agency_id:
        raise errors.NotYourMeeting()
    locked = _lock_booking(meeting.booking)
    if locked.status != BookingStatus.BOOKED or locked.starts_at <= clock.now():
        raise why_not_changeable(locked)
    # Read under the booking's lock: a meeting the citizen moved (or cancelled) is over; the
    # booking's new meeting is another one, which this request did not name.
    if not VideoMeeting.objects.filter(pk=meeting.pk, active=True).exists():
        raise errors.MeetingMoved()
    locked.status = BookingStatus.CANCELLED_BY_OFFICE
    locked.office_cancel_reason = OfficeCancelReason.CASEWORKER
    locked.cancelled_at = clock.now()
    locked.sequence += 1
    locked.save(update_fields=["status", "office_cancel_reason", "cancelled_at", "sequence"])
    _end_meeting(locked, by=MeetingSide.AGENCY)
    _announce(locked, signals.CANCELLED_BY_OFFICE)
    return locked


@transaction.atomic
def cancel_booking_at_desk(*, booking: Booking) -> Booking:
    """An officer cancels on the citizen's behalf (at the desk or by phone). Lock: the
    booking row. The agency is told of a video meeting as when the citizen cancels."""
    locked = _lock_booking(booking)
    if locked.status != BookingStatus.BOOKED or locked.starts_at <= clock.now():
        raise why_not_changeable(locked)
    locked.status = BookingStatus.CANCELLED
    locked.cancelled_at = clock.now()
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "sequence"])
    _tell_agency(_end_meeting(locked, by=MeetingSide.OFFICE))
    _announce(locked, signals.CANCELLED)
    return locked


@transaction.atomic
def replace_caseworker_availability(
    *,
    caseworker: Caseworker,
    periods: list[tuple[dt.datetime, dt.datetime]],
    source: str,
    since: dt.datetime | None = None,
) -> int:
    """The agency's published free periods of a caseworker from `since` (default now) on
    replace what we had from that source: the feed or the API publishes the whole future.

    Lock: the caseworker's row (a booking locks it before reading the meetings, so a period
    withdrawn here is not half-seen). Meetings already booked stay: withdrawing time does
    not cancel a meeting; the agency cancels it explicitly. Raises BadAvailability (400)
    for a period that ends before it starts; nothing is written then.
    """
    since = since or clock.now()
    clean = sorted((s, e) for s, e in periods if e > since)
    if any(e <= s for s, e in clean):
        raise errors.BadAvailability()
    Caseworker.objects.select_for_update().get(pk=caseworker.pk)
    CaseworkerAvailability.objects.filter(
        caseworker=caseworker, source=source, ends_at__gt=since
    ).delete()
    CaseworkerAvailability.objects.bulk_create(
        CaseworkerAvailability(
            caseworker=caseworker, starts_at=max(s, since), ends_at=e, source=source
        )
        for s, e in clean
    )
    return len(clean)


FEED_HORIZON_DAYS = 60


@dataclass(frozen=True)
class FeedRun:
    read: dict[str, int]  # caseworker → free periods now published
    failed: dict[str, str]  # caseworker → why not (the old free time is kept)


def refresh_caseworker_feeds(
    *, fetch: Callable[[str], bytes] = availability_feed.read_feed
) -> FeedRun:
    """Read every active caseworker's iCalendar feed of free time and publish it (the next
    FEED_HORIZON_DAYS), replacing what the feed gave before. A feed that cannot be fetched
    or read leaves that caseworker's free time as it was. Each caseworker in its own
    transaction (`replace_caseworker_availability`'s lock: the caseworker's row)."""
    now = clock.now()
    read: dict[str, int] = {}
    failed: dict[str, str] = {}
    for caseworker in Caseworker.objects.filter(is_active=True).exclude(calendar_url=""):
        name = f"{caseworker.agency_id}:{caseworker.external_id}"
        try:
            periods = availability_feed.free_periods(
                fetch(caseworker.calendar_url),
                since=now,
                until=now + dt.timedelta(days=FEED_HORIZON_DAYS),
            )
        except availability_feed.FeedError as exc:
            logger.warning("caseworker feed %s not read: %s", name, exc)
            failed[name] = str(exc)
            continue
        read[name] = replace_caseworker_availability(
            caseworker=caseworker, periods=periods, source=AvailabilitySource.FEED, since=now
        )
    return FeedRun(read=read, failed=failed)


def divert_outreach_visit(
    *, stop: Office, day: dt.date, reason_sv: str, reason_en: str = ""
) -> list[Booking]:
    """An outreach stop's visit on `day` is cancelled (the vehicle diverted, staff ill): the day
    becomes a closed exception of the stop, and its booked citizens are told and offered a new
    time exactly as for an office closure (`release_bookings_without_capacity`).

    Lock: the stop's office row (so two diversions of one day do not race on the unique
    (office, date)); then each booking row, as `release_bookings_without_capacity` does.
    Raises NotOutreach for an office, NoVisitThatDay when the stop is not served that day.
    """
    if not stop.is_outreach:
        raise errors.NotOutreach()
    if not reason_sv.strip():
        raise errors.DivertReasonMissing()
    with transaction.atomic():
        Office.objects.select_for_update().get(pk=stop.pk)
        if not network_queries.opening_intervals(office=stop, day=day):
            raise errors.NoVisitThatDay()
        OpeningException.objects.update_or_create(
            office=stop,
            date=day,
            defaults={
                "kind": ExceptionKind.CLOSED,
                "opens": None,
                "closes": None,
                "reason_sv": reason_sv.strip(),
                "reason_en": reason_en.strip(),
            },
        )
        # As for any closure: the bookings it leaves without a place are cancelled by the
        # office (reason "closed"), told, and offered a new time — in this transaction.
        return release_bookings_without_capacity(offices=[stop])
