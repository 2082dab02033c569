"""Write use cases of appointments: book, cancel, reschedule, closures, check-in, no-shows, purge.

The one rule that keeps capacity honest: every booking first locks its office-day row
(`BookingDay`, select_for_update) and only then counts and inserts. Counting without that lock
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

from django.db import transaction
from django.db.models import Q

from servicekontor.appointments import conf, errors, queries, signals, tokens
from servicekontor.appointments.capacity_book import CapacityBook
from servicekontor.appointments.models import (
    HOLDS_CAPACITY,
    Booking,
    BookingDay,
    BookingStatus,
)
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.i18n import current_language
from servicekontor.messaging.phone import InvalidPhoneNumber, to_e164
from servicekontor.messaging.services import purge_messages
from servicekontor.network import queries as network_queries
from servicekontor.network.change_impact import Affected
from servicekontor.network.models import Office
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


def _lock_day(*, office: Office, day: dt.date) -> BookingDay:
    # Insert-if-missing without a race (ON CONFLICT DO NOTHING), then take the row lock.
    BookingDay.objects.bulk_create([BookingDay(office=office, day=day)], ignore_conflicts=True)
    return BookingDay.objects.select_for_update().get(office=office, day=day)


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
) -> NewBooking:
    """Book one place at `starts_at`.

    `language` is the citizen's (every later message is written in it); by default the
    active language of the request that books.

    Lock: the `BookingDay` row of (office, local day of `starts_at`), select_for_update, held
    until commit. Capacity is counted and the booking inserted under that lock.
    """
    now = clock.now()
    if not contact.name.strip() or not (contact.email or contact.phone):
        raise errors.BookingError(errors.BookingError.default_message)
    day = clock.local_date_of(starts_at)
    _lock_day(office=office, day=day)
    # Read after the lock: under READ COMMITTED each statement sees what the previous lock
    # holder committed.
    book = CapacityBook(offices=[office], service=service, first_day=day, last_day=day, fresh=True)
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
    _announce(booking, signals.BOOKED)
    return NewBooking(booking=booking, token=token)


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


@transaction.atomic
def cancel_booking(*, booking: Booking) -> Booking:
    """The citizen cancels (by the manage link). Lock: the booking row.

    The calendar event is cancelled too: SEQUENCE rises and the message carries METHOD:CANCEL.
    """
    locked = _lock_booking(booking)
    now = clock.now()
    if not locked.is_cancellable(now=now):
        raise errors.NotChangeable()
    locked.status = BookingStatus.CANCELLED
    locked.cancelled_at = now
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "sequence"])
    _announce(locked, signals.CANCELLED)
    return locked


@transaction.atomic
def reschedule_booking(*, booking: Booking, starts_at: dt.datetime) -> Booking:
    """Move a booking to another time at the same office (also after the office cancelled it).

    The booking keeps its identity: the same row, code, manage link and calendar UID; its
    SEQUENCE rises and the citizen gets an "updated" message. Locks: the booking row, then the
    new day's `BookingDay` row (the order every path that takes both uses). The booking's own
    place is given up first inside the transaction, so a move within one day does not count
    against itself; if the new time is refused, everything rolls back.
    """
    locked = _lock_booking(booking)
    now = clock.now()
    if not locked.is_changeable(now=now):
        raise errors.NotChangeable()
    if locked.status == BookingStatus.BOOKED and locked.starts_at == starts_at:
        raise errors.SameTime()
    office, service = locked.office, locked.service
    day = clock.local_date_of(starts_at)
    if locked.status == BookingStatus.BOOKED:
        # Give up the old place (not yet visible to others: the row is ours until commit).
        locked.status = BookingStatus.CANCELLED
        locked.save(update_fields=["status"])
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


@transaction.atomic
def check_in_booking(*, office: Office, code: str) -> CheckIn:
    """The citizen arrives (kiosk or desk) with the booking code.

    From `early_check_in` before the time until `grace` after it: a waiting visit with the
    booked time's priority. Later: a walk-in ticket or nothing, as APPOINTMENTS_LATE_POLICY
    says (a walk-in only where the service allows walk-ins); the booking is a no-show in the
    visit log either way.

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
        raise errors.UnknownCode()
    booking = _lock_booking(found)
    if booking.status in (BookingStatus.CHECKED_IN, BookingStatus.LATE):
        return _repeat(booking)
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.NO_SHOW):
        raise errors.CheckInError()  # cancelled (by the citizen or the office)
    if now < booking.starts_at - conf.early_check_in():
        raise errors.TooEarly()
    if (
        not network_queries.offerings_on(office=office, day=booking.day)
        .filter(service=booking.service)
        .exists()
    ):
        raise errors.NotOfferedAnyMore()
    on_time = now <= booking.starts_at + conf.grace()
    if on_time:
        visit = _queue(
            lambda: queue_services.check_in_booked_visit(
                office=office,
                service=booking.service,
                booked_start=booking.starts_at,
                booking_reference=booking.code,
            )
        )
        booking.status = BookingStatus.CHECKED_IN
        booking.checked_in_at = now
        booking.visit_id = visit.pk
        booking.save(update_fields=["status", "checked_in_at", "visit_id"])
        return CheckIn(
            booking=booking, outcome="checked_in", visit_id=visit.pk, ticket=visit.ticket
        )
    if booking.status == BookingStatus.BOOKED:
        # The no-show the periodic job would record (it has not run yet for this booking).
        no_show = _queue(
            lambda: queue_services.record_booked_no_show(
                office=office,
                service=booking.service,
                booked_start=booking.starts_at,
                booking_reference=booking.code,
            )
        )
        booking.visit_id = no_show.pk
    booking.status = BookingStatus.LATE
    booking.checked_in_at = now
    if conf.late_policy() == "walk_in" and booking.service.walk_in_allowed:
        ticket = _queue(lambda: queue_services.issue_ticket(office=office, service=booking.service))
        # The visit the citizen now holds: a repeated check-in shows its number.
        booking.visit_id = ticket.pk
        booking.save(update_fields=["status", "checked_in_at", "visit_id"])
        return CheckIn(
            booking=booking, outcome="late_walk_in", visit_id=ticket.pk, ticket=ticket.ticket
        )
    booking.save(update_fields=["status", "checked_in_at", "visit_id"])
    return CheckIn(booking=booking, outcome="late_no_show", visit_id=booking.visit_id)


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
    booking.status = BookingStatus.NO_SHOW
    booking.save(update_fields=["status", "visit_id"])
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
