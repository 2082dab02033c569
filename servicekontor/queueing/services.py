"""Write use cases of the walk-in queue.

Every use case is one transaction. A state change is a compare-and-swap
`Visit.objects.filter(pk=…, state=old).update(...) == 1`, so of two desks (or two tabs)
acting on the same visit exactly one wins and the other gets `InvalidTransition` (409); the
change and its `VisitEvent` are written in the same transaction. Side effects (notifications)
run only after commit, through a django-tasks task (`queueing.tasks`, reached through the
`queueing.signals.visit_changed` signal so that this module does not import the tasks).
Reads live in `queries.py`, the hand-written statements in `sql.py`.
"""

import datetime as dt
import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import can_serve_at, may_serve
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.i18n import current_language
from servicekontor.core.personal_data import holds_identity_number
from servicekontor.network.models import Offering, Office, ServicePoint
from servicekontor.network.queries import opening_intervals
from servicekontor.queueing import devices, sql
from servicekontor.queueing.errands import (
    ErrandPart,
    clean_language,
    close_part_before_transfer,
    write_unattributed,
)
from servicekontor.queueing.errors import (
    EmptyQueue,
    InvalidNote,
    InvalidTransition,
    NotAllowed,
    NotOffered,
    OfficeClosed,
    QueueError,
)
from servicekontor.queueing.models import (
    FINISH_OUTCOMES,
    DeskActivity,
    DeskSession,
    DeskStatusEvent,
    Errand,
    OfficerStatus,
    Outcome,
    Priority,
    QueueSettings,
    Visit,
    VisitAction,
    VisitEvent,
    VisitSource,
    VisitState,
)
from servicekontor.queueing.queries import (
    ACTIVE_STATES,
    attach_errands,
    cached_walk_in_services,
    desk_walk_in_services,
    forget_errands,
    open_now,
    recorded_errands,
    servable_services,
)
from servicekontor.queueing.signals import (
    desk_sessions_changed,
    visit_changed,
    visit_event_appended,
    visit_withdrawn,
)
from servicekontor.queueing.states import (
    MOVES_THE_LINE,
    TERMINAL,
    Action,
    State,
    sources_of,
    target_state,
)

TERMINAL_STATES = [state.value for state in TERMINAL]
BUSY_MESSAGE = _("Finish or hand on your current visit first.")

log = logging.getLogger(__name__)


# --- creating visits -------------------------------------------------------------------------


def _rules(visit: Visit) -> QueueSettings:
    """The settings of the visit's office (`QueueSettings.for_office`), from the registry
    cache with the office (`devices.screen_office_by_id`, kept in the process under the
    registry's version, which every change of the settings replaces: `queueing/apps.py`):
    no statement (an ORM read of the office and one of its settings before, issue 13). The
    rules a recall, a no-show or a transfer follow are those of the moment, as a read of the
    rows a moment earlier would have given."""
    office = devices.screen_office_by_id(office_id=visit.office_id, here=True)
    relation = QueueSettings._meta.get_field("office").remote_field
    if office is None or not relation.is_cached(office):
        return QueueSettings.for_office(visit.office)
    found = relation.get_cached_value(office)  # the shared office is not changed
    return found if isinstance(found, QueueSettings) else QueueSettings()


def _offered_today(*, office: Office, service: Service, day: dt.date) -> bool:
    return (
        office.is_operating_on(day)
        and Offering.objects.valid_on(day).filter(office=office, service=service).exists()
    )


def _walk_in_offered_today(
    *, office: Office, service: Service, day: dt.date, offered: Sequence[Service] | None
) -> bool:
    """`_offered_today` for a walk-in service (not appointment-only, which the caller checked),
    from the shared registry cache (`queries.cached_walk_in_services`, retired by every
    registry change) as the kiosk's form has just read it: a ticket reads no registry row.
    No lock guards the registry here either way; a read of the rows was as old a moment later.
    """
    if offered is None:
        offered = cached_walk_in_services(office=office, day=day)
    return any(s.pk == service.pk for s in offered)


def _log(
    visit: Visit,
    *,
    action: Action,
    from_state: str,
    at: dt.datetime,
    officer: User | None = None,
    service_point_id: int | None = None,
    outcome: str = "",
) -> VisitEvent:
    event = VisitEvent.objects.create(
        visit=visit,
        office_id=visit.office_id,
        service_id=visit.service_id,
        at=at,
        action=action.value,
        from_state=from_state,
        to_state=visit.state,
        service_point_id=service_point_id,
        officer=officer,
        outcome=outcome,
    )
    visit_event_appended.send(sender=VisitEvent, visit=visit, event=event)
    _after_commit(office_id=visit.office_id, action=action)
    return event


def _log_desk(
    *,
    officer: User,
    office_id: int,
    service_point_id: int | None,
    status: str,
    at: dt.datetime,
    staffing: bool = False,
) -> None:
    """Append to the desk-status log (occupancy is computed from it); the live view is told
    after commit. `staffing`: a desk opened, closed or changed status (not a visit reaching
    or leaving it), which changes who can serve whom: the places in line shown to citizens
    (`sql.AHEAD_OF_T`) may move, so "your turn is near" is asked again (`queueing.tasks`)."""
    DeskStatusEvent.objects.create(
        officer=officer,
        office_id=office_id,
        service_point_id=service_point_id,
        at=at,
        status=status,
    )
    transaction.on_commit(
        lambda: desk_sessions_changed.send(
            sender=DeskSession, office_id=office_id, staffing=staffing
        )
    )


def _log_desk_activity(
    visit: Visit,
    *,
    officer: User,
    old: str,
    new: str,
    service_point_id: int | None,
    at: dt.datetime,
) -> None:
    """A visit reaching or leaving the officer's desk changes the officer's desk status:
    serving from the call, back to their session's status when it leaves the desk."""
    was_active, is_active = old in ACTIVE_STATES, new in ACTIVE_STATES
    if was_active == is_active:
        return
    if is_active:
        status = DeskActivity.SERVING.value
    else:
        keys = sql.desk_session_keys(officer_id=officer.pk)  # one raw statement
        status = keys.status if keys is not None else DeskActivity.READY.value
    _log_desk(
        officer=officer,
        office_id=visit.office_id,
        service_point_id=service_point_id,
        status=status,
        at=at,
    )


def _after_commit(*, office_id: int, action: Action, waiting_contact: bool | None = None) -> None:
    # The receiver (queueing.tasks, connected in apps.ready) enqueues the side effects: the
    # tasks import this module, so it must not import them (tasks are leaves).
    # `waiting_contact`: whether anyone waits with a contact, when the change's statement
    # said (`sql.transition`); else the receiver asks.
    transaction.on_commit(
        lambda: visit_changed.send(
            sender=Visit, office_id=office_id, action=action.value, waiting_contact=waiting_contact
        )
    )


@transaction.atomic
def issue_ticket(
    *,
    office: Office,
    service: Service,
    source: str = VisitSource.KIOSK,
    priority: int = Priority.NORMAL,
    notify_contact: str = "",
    officer: User | None = None,
    walk_in_services: tuple[dt.date, Sequence[Service]] | None = None,
) -> Visit:
    """A citizen takes a ticket (kiosk), or an officer adds a walk-in at the desk.

    `walk_in_services`: (day, the office's walk-in services that day) as the caller has just
    read them from the registry cache (`queries.cached_walk_in_services`, the kiosk's form);
    read here if not given or of another day (a request across midnight).

    Only inside an open interval of the office (`queries.open_now`): on a closed day, a
    public holiday, before opening or after closing it raises `OfficeClosed` (409), which
    says when the office opens next; a ticket then would only end "not served at closing".

    Lock: the office's ticket-counter row for today (held from the upsert to commit).
    """
    now = clock.now()
    day = clock.local_date_of(now)
    if officer is not None and not can_serve_at(officer, office):
        raise NotAllowed()
    if not service.walk_in_allowed:
        raise NotOffered(_("This service is by appointment only."))
    given = walk_in_services[1] if walk_in_services and walk_in_services[0] == day else None
    if not _walk_in_offered_today(office=office, service=service, day=day, offered=given):
        raise NotOffered()
    opening = open_now(office=office, at=now)
    if not opening.is_open:
        raise OfficeClosed(next_opening=opening.next_opening)
    fields: dict[str, Any] = {
        "priority": priority,
        "notify_contact": notify_contact.strip(),
        # The citizen's language (the kiosk's): the "your turn is near" message is in it.
        "notify_language": current_language() if notify_contact.strip() else "",
    }
    if connection.vendor == "postgresql":
        # The number, the visit and its first event in one statement (`sql.insert_ticket`);
        # the same rows as `_create_visit` and `_log` write.
        visit = Visit(
            office=office,
            service=service,
            local_day=day,
            ticket_letter=service.agency.ticket_letter,
            state=VisitState.WAITING,
            source=source,
            arrived_at=now,
            queued_at=now,
            **fields,
        )
        event = VisitEvent(
            office_id=office.pk,
            service_id=service.pk,
            at=now,
            action=Action.ISSUE.value,
            from_state="",
            to_state=VisitState.WAITING,
            officer=officer,
        )
        sql.insert_ticket(visit=visit, event=event)
        visit_event_appended.send(sender=VisitEvent, visit=visit, event=event)
        _after_commit(office_id=office.pk, action=Action.ISSUE)
        return visit
    visit = _create_visit(
        office=office,
        service=service,
        day=day,
        at=now,
        state=VisitState.WAITING,
        source=source,
        **fields,
    )
    _log(visit, action=Action.ISSUE, from_state="", at=now, officer=officer)
    return visit


def _create_visit(
    *,
    office: Office,
    service: Service,
    day: dt.date,
    at: dt.datetime,
    state: str,
    source: str,
    **fields: Any,
) -> Visit:
    """The one place a visit row is created: the ticket letter from the service's agency,
    arrived and queued at `at`. A visit that waits in the queue draws its number from the
    office's counter for `day` (`sql.next_ticket_number`, which locks that counter row to
    commit); one created in another state (a booked no-show) has none."""
    numbered = state == VisitState.WAITING
    return Visit.objects.create(
        office=office,
        service=service,
        local_day=day,
        ticket_letter=service.agency.ticket_letter,
        ticket_number=sql.next_ticket_number(office_id=office.pk, day=day) if numbered else None,
        state=state,
        source=source,
        arrived_at=at,
        queued_at=at,
        **fields,
    )


def _create_booked_visit(**kwargs: Any) -> Visit:
    """`_create_visit` for a booking: its reference is unique (a database constraint), so a
    second record of the same booking fails cleanly (409) instead of breaking the transaction."""
    try:
        with transaction.atomic():
            return _create_visit(**kwargs)
    except IntegrityError as exc:
        raise InvalidTransition(_("This booking has already been recorded.")) from exc


def _ensure_booking_is_new(booking_reference: str) -> None:
    if not booking_reference:
        raise InvalidTransition(_("A booked visit needs its booking reference."))
    if Visit.objects.filter(booking_reference=booking_reference).exists():
        raise InvalidTransition(_("This booking has already been recorded."))


@transaction.atomic
def check_in_booked_visit(
    *,
    office: Office,
    service: Service,
    booked_start: dt.datetime,
    booking_reference: str,
    late: bool = False,
) -> Visit:
    """A citizen with an appointment arrives: a waiting *booked* visit (one visit, counted
    once: decision 0059). On time (or early) it carries the booked time and is called first
    from that time on. `late` (after the grace): it queues like a walk-in — no booked time
    on the row, so the call order does not put it first — but it is still the booking's
    visit (source "appointment"), a booked visit that arrived late, not a walk-in.

    A booking already recorded as nobody came (`record_booked_no_show`, the no-show job) is
    withdrawn first: the citizen did come, so it is not a no-show (`_withdraw_no_show`).

    Lock: the office's ticket-counter row for today. One visit per booking reference is
    enforced by a unique constraint, so a double check-in fails cleanly (409).
    """
    now = clock.now()
    day = clock.local_date_of(now)
    if late:  # like a ticket: only while the office is open (`issue_ticket`)
        opening = open_now(office=office, at=now)
        if not opening.is_open:
            raise OfficeClosed(next_opening=opening.next_opening)
    if booking_reference:
        _withdraw_no_show(booking_reference)
    _ensure_booking_is_new(booking_reference)
    visit = _create_booked_visit(
        office=office,
        service=service,
        day=day,
        at=now,
        state=VisitState.WAITING,
        source=VisitSource.APPOINTMENT,
        priority=Priority.NORMAL,
        booked_start=None if late else booked_start,
        booking_reference=booking_reference,
    )
    _log(visit, action=Action.CHECK_IN, from_state="", at=now)
    return visit


def _withdraw_no_show(booking_reference: str) -> None:
    """The record of a booking nobody came to (a visit created straight in `no_show`, with
    its one event), deleted when the citizen arrives after all; the statistics take its
    contribution back in the same transaction (`visit_withdrawn`). Any other visit of the
    booking is left alone (a second check-in then fails as before). Lock: the visit row."""
    found = (
        Visit.objects.select_for_update()
        .filter(booking_reference=booking_reference, state=VisitState.NO_SHOW)
        .first()
    )
    if found is None:
        return
    actions = list(found.events.values_list("action", "from_state"))
    if actions != [(Action.NO_SHOW.value, "")] or found.errands.exists():
        return  # a visit that was in the queue (the desk's "did not come"): not a record
    visit_withdrawn.send(sender=Visit, visit=found)
    found.delete()


@transaction.atomic
def record_booked_no_show(
    *, office: Office, service: Service, booked_start: dt.datetime, booking_reference: str
) -> Visit:
    """A booking nobody came to: a visit straight in `no_show`, so statistics count it.

    Lock: none needed (no ticket number is drawn); the unique booking reference stops a
    second record of the same booking.
    """
    now = clock.now()
    _ensure_booking_is_new(booking_reference)
    visit = _create_booked_visit(
        office=office,
        service=service,
        day=clock.local_date_of(booked_start),
        at=booked_start,
        state=VisitState.NO_SHOW,
        source=VisitSource.APPOINTMENT,
        booked_start=booked_start,
        booking_reference=booking_reference,
        outcome=Outcome.NO_SHOW,
    )
    _log(visit, action=Action.NO_SHOW, from_state="", at=now, outcome=Outcome.NO_SHOW)
    return visit


# --- the desk --------------------------------------------------------------------------------


# A video room is not a desk (`ServicePointQuerySet`, decision 0080): the caseworker who meets
# the citizen there is the agency's; an officer shows the citizen in from a desk.
VIDEO_ROOM_MESSAGE = _(
    "This is a video room: citizens meet an agency's caseworker there by video. "
    "Officers serve walk-in visitors at the desks."
)


@transaction.atomic
def sign_in_at_desk(*, officer: User, service_point: ServicePoint) -> DeskSession:
    """The officer takes a desk (leaving any other). A desk session has one officer and one
    desk: moving to another desk is refused while the officer has a visit called or being
    served, as signing out is (that visit stays at the desk it was called to).

    Locks: the officer's desk-session row, if any (so a call in another tab and this move
    serialise), then the desk's unique constraint.
    """
    if not service_point.is_active:
        raise NotAllowed(_("This desk is not in use."))
    if ServicePoint.objects.filter(pk=service_point.pk).video_rooms().exists():
        raise NotAllowed(VIDEO_ROOM_MESSAGE)
    if not can_serve_at(officer, service_point.office):
        raise NotAllowed()
    current = (
        DeskSession.objects.select_for_update(of=("self",))
        .filter(officer=officer)
        .values_list("service_point_id", flat=True)
        .first()
    )
    if current != service_point.pk and _busy(officer).exists():
        raise InvalidTransition(BUSY_MESSAGE)
    taken = (
        DeskSession.objects.filter(service_point=service_point).exclude(officer=officer).exists()
    )
    if taken:
        raise InvalidTransition(_("Someone else is signed in at this desk."))
    now = clock.now()
    try:
        with transaction.atomic():
            session, _created = DeskSession.objects.update_or_create(
                officer=officer,
                defaults={
                    "office": service_point.office,
                    "service_point": service_point,
                    "status": OfficerStatus.IDLE,
                    "since": now,
                },
            )
    except IntegrityError as exc:
        raise InvalidTransition(_("Someone else is signed in at this desk.")) from exc
    _log_desk(
        officer=officer,
        office_id=service_point.office_id,
        service_point_id=service_point.pk,
        status=DeskActivity.READY,
        at=now,
        staffing=True,
    )
    return session


@transaction.atomic
def set_officer_status(*, officer: User, status: str) -> DeskSession:
    """Ready, break or back office. Lock: the officer's desk-session row."""
    if status not in OfficerStatus.values:
        raise NotAllowed(_("Unknown status."))
    session = _lock_desk_session(officer)
    if session.status != status:
        session.status = status
        session.since = clock.now()
        session.save(update_fields=["status", "since"])
        _log_desk(
            officer=officer,
            office_id=session.office_id,
            service_point_id=session.service_point_id,
            status=status,
            at=session.since,
            staffing=True,
        )
    return session


@transaction.atomic
def sign_out_of_desk(*, officer: User) -> None:
    """Leave the desk. A visit still called or being served must be finished or handed on."""
    if _busy(officer).exists():
        raise InvalidTransition(BUSY_MESSAGE)
    left = DeskSession.objects.filter(officer=officer).values_list("office_id", "service_point_id")
    for office_id, service_point_id in left.select_for_update():
        _log_desk(
            officer=officer,
            office_id=office_id,
            service_point_id=service_point_id,
            status=DeskActivity.SIGNED_OUT,
            at=clock.now(),
            staffing=True,
        )
    DeskSession.objects.filter(officer=officer).delete()


@transaction.atomic
def leave_desk_at_logout(*, officer: User) -> None:
    """Signing out of the account ends the officer's desk session, as "Leave the desk" does
    (the signed-out row in the desk-status log, the live view told after commit); no desk
    session: nothing. A visit still called or being served at the desk is put on hold first
    (parked: the office's desks can call it again), so it is not left at a desk nobody sits
    at and the officer can sign in at a desk again later (`sign_in_at_desk` refuses a busy
    officer)."""
    if not DeskSession.objects.filter(officer=officer).exists():
        return
    for visit_id in _busy(officer).values_list("pk", flat=True):
        hold_visit(officer=officer, visit_id=visit_id)
    sign_out_of_desk(officer=officer)


def end_sign_ins_where_no_desk(*, service_point_ids: Iterable[int] | None = None) -> int:
    """End the desk sessions at service points that are no longer desks an officer serves at:
    switched off (`is_active` False, e.g. by the reference data's size class) or now a video
    room (a capability a video-meeting service needs; decision 0084), among
    `service_point_ids` (None: all). Each officer leaves as at logout (`leave_desk_at_logout`:
    a visit called or being served is parked, the desk-status log gets its signed-out row).
    An officer whose desk will not let go (the visit cannot be parked) stays, and the reason
    is logged. Returns how many officers left."""
    sessions = DeskSession.objects.filter(
        Q(service_point__is_active=False)
        | Q(service_point__in=ServicePoint.objects.video_rooms().values("pk"))
    )
    if service_point_ids is not None:
        sessions = sessions.filter(service_point_id__in=list(service_point_ids))
    left = 0
    for officer in User.objects.filter(pk__in=sessions.values("officer_id")).order_by("pk"):
        try:
            leave_desk_at_logout(officer=officer)
        except QueueError as exc:
            log.warning(
                "officer %s stays at a desk that is no longer one: %s", officer.pk, exc.message
            )
        else:
            left += 1
    return left


def on_service_point_changed(sender: object, *, instance: object = None, **kwargs: object) -> None:
    """post_save of a ServicePoint (switched off?) or of a Service (its capability now a video
    room's?): `end_sign_ins_where_no_desk` there (connected in `QueueingConfig.ready`)."""
    if isinstance(instance, ServicePoint):
        if not instance.is_active:
            end_sign_ins_where_no_desk(service_point_ids=[instance.pk])
    elif getattr(instance, "video_meeting", False):
        end_sign_ins_where_no_desk()


def on_capabilities_changed(
    sender: object,
    *,
    instance: object = None,
    action: str = "",
    reverse: bool = False,
    pk_set: set[int] | None = None,
    **kwargs: object,
) -> None:
    """m2m_changed of ServicePoint.capabilities: a service point given a video room's
    capability is no longer a desk (`end_sign_ins_where_no_desk`)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse and isinstance(instance, ServicePoint):
        end_sign_ins_where_no_desk(service_point_ids=[instance.pk])
    else:  # capability.service_points.add(…): the points are pk_set (clear: all)
        end_sign_ins_where_no_desk(service_point_ids=pk_set)


def on_user_logged_out(sender: object, *, user: object = None, **kwargs: object) -> None:
    """Receiver of Django's `user_logged_out` (connected in `QueueingConfig.ready`). A logout
    is never refused: should the desk refuse to let go (the visit cannot be parked), the
    session stays as it was and the reason is logged."""
    if not isinstance(user, User):
        return
    try:
        leave_desk_at_logout(officer=user)
    except QueueError as exc:
        log.warning("logout of user %s: the desk session stays: %s", user.pk, exc.message)


def _lock_desk_session(officer: User) -> DeskSession:
    """The officer's desk session, locked (`sql.locked_desk_session`), if the officer may serve.

    Whether the officer is busy is asked after (`_busy`), never inside the locking statement:
    see `sql.desk_session_statement`.
    """
    found = sql.locked_desk_session(officer_id=officer.pk)
    if found is None:
        raise NotAllowed(_("Sign in at a desk first."))
    session, assigned = found
    if not may_serve(officer, assigned=assigned):
        raise NotAllowed()
    return session


def _busy(officer: User) -> QuerySet[Visit]:
    """The visit the officer has called or is serving (at most one)."""
    return Visit.objects.filter(officer=officer, state__in=ACTIVE_STATES)


@transaction.atomic
def call_next(*, officer: User) -> Visit:
    """The desk calls the next visit it can serve.

    Locks: the officer's desk-session row (two tabs of one officer serialise here), then the
    chosen visit row with `SKIP LOCKED` — a desk that finds the first candidate locked by
    another desk's call takes the next one instead of waiting, so N desks get N visits.
    """
    if sql.one_statement_transitions() and may_serve(officer, assigned=True):
        return _call_next_in_one(officer)
    session = _lock_desk_session(officer)
    if session.status != OfficerStatus.IDLE:
        raise InvalidTransition(_("Set your status to ready before calling."))
    now = clock.now()
    visit = sql.pick_next_visit(
        officer_id=officer.pk,
        office_id=session.office_id,
        service_point_id=session.service_point_id,
        now=now,
    )
    if visit is None:
        if _busy(officer).exists():
            raise InvalidTransition(BUSY_MESSAGE)
        raise EmptyQueue()
    return _call(visit, officer=officer, session=session, now=now)


def _call_next_in_one(officer: User) -> Visit:
    """`call_next` on PostgreSQL in one round trip: the session's lock (`sql.SESSION_LOCK`)
    and then, as a statement of its own, the pick, the call, the desk-status row and the
    event (`sql.SESSION_PICK` as the target of `sql.transition`, decision 0035); the pick
    reads the session's office and desk itself and takes nothing unless the session is
    ready at an office the officer is assigned to (the role was checked by the caller).
    "Not busy" is part of the pick: its snapshot is taken after the session lock is ours,
    so it sees the other tab's call. Nothing called: the locked session says why, in the
    order `_lock_desk_session` and the checks after it said it."""
    now = clock.now()
    found: list[tuple[Any, ...]] = []
    called = _write_transition(
        None,
        Action.CALL,
        old=VisitState.WAITING.value,
        values={
            "state": VisitState.CALLED.value,
            "officer": officer,
            "service_point_id": sql.Expression("t.point"),
            "called_at": now,
            "call_count": 1,
            "notify_contact": "",
        },
        guard={},
        officer=officer,
        service_point_id=None,
        now=now,
        outcome="",
        pick=(sql.SESSION_PICK, sql.session_pick_params(officer_id=officer.pk, now=now)),
        point_of_row=True,
        lead=(sql.SESSION_LOCK, [officer.pk]),
        led=found,
    )
    if called is not None:
        return called
    if not found:
        raise NotAllowed(_("Sign in at a desk first."))
    *_keys, status, assigned = found[0]
    if not may_serve(officer, assigned=bool(assigned)):
        raise NotAllowed()
    if status != OfficerStatus.IDLE:
        raise InvalidTransition(_("Set your status to ready before calling."))
    if _busy(officer).exists():
        raise InvalidTransition(BUSY_MESSAGE)
    raise EmptyQueue()


def _call_changes(*, officer: User, session: DeskSession, now: dt.datetime) -> dict[str, Any]:
    return {
        "officer": officer,
        "service_point_id": session.service_point_id,
        "called_at": now,
        "call_count": 1,
        "notify_contact": "",
    }


def _call(visit: Visit, *, officer: User, session: DeskSession, now: dt.datetime) -> Visit:
    return _transition(
        visit,
        Action.CALL,
        officer=officer,
        service_point_id=session.service_point_id,
        now=now,
        changes=_call_changes(officer=officer, session=session, now=now),
    )


@transaction.atomic
def call_visit(*, officer: User, visit_id: int) -> Visit:
    """The officer picks a specific waiting or parked visit from the list.

    Locks: the officer's desk-session row; the visit changes by compare-and-swap.
    """
    session = _lock_desk_session(officer)
    if _busy(officer).exists():
        raise InvalidTransition(BUSY_MESSAGE)
    visit = _visit_at_office(visit_id=visit_id, officer=officer, office_id=session.office_id)
    if (
        not servable_services(officer=officer, service_point_id=session.service_point_id)
        .filter(pk=visit.service_id)
        .exists()
    ):
        raise NotAllowed(_("You or this desk cannot serve this visit."))
    return _call(visit, officer=officer, session=session, now=clock.now())


def _visit_at_office(*, visit_id: int, officer: User, office_id: int | None = None) -> Visit:
    """The visit, with the assignment check alongside (`sql.visit_with_assignment`).

    Not locked: every change of it is a compare-and-swap on its state.
    """
    found = sql.visit_with_assignment(visit_id=visit_id, officer_id=officer.pk)
    if found is None:
        raise InvalidTransition(_("No such visit."))
    visit, assigned = found
    if office_id is not None and visit.office_id != office_id:
        raise NotAllowed(_("This visit is at another office."))
    if not may_serve(officer, assigned=assigned):
        raise NotAllowed()
    return visit


def _own_visit(*, visit_id: int, officer: User) -> Visit:
    visit = _visit_at_office(visit_id=visit_id, officer=officer)
    if visit.state in ACTIVE_STATES and visit.officer_id != officer.pk:
        raise NotAllowed(_("Another officer has this visit."))
    return visit


def _seconds_before_next_step(visit: Visit, rules: QueueSettings, now: dt.datetime) -> int:
    """Whole seconds (rounded up; 0 when none) before a called visit may be called again or
    marked a no-show: `min_recall_seconds` after its last call."""
    if visit.called_at is None:
        return 0
    left = rules.min_recall_seconds - (now - visit.called_at).total_seconds()
    return max(0, math.ceil(left))


@transaction.atomic
def recall_visit(*, officer: User, visit_id: int) -> Visit:
    """Call the same visit again; after the office's maximum number of calls it is a no-show.

    The delay (`min_recall_seconds` since the last call) applies to every recall, the one
    after the last call included: the citizen gets the same time to come whichever call it
    is, and only then does the visit become a no-show.

    Lock: none held; compare-and-swap on (state, call_count) so two recalls count once.
    """
    visit = _own_visit(visit_id=visit_id, officer=officer)
    if visit.state != VisitState.CALLED:
        raise InvalidTransition(_("Only a called visit can be called again."))
    rules = _rules(visit)
    now = clock.now()
    wait_left = _seconds_before_next_step(visit, rules, now)
    if wait_left > 0:
        raise InvalidTransition(
            ngettext(
                "Wait %(seconds)d more second before calling again.",
                "Wait %(seconds)d more seconds before calling again.",
                wait_left,
            )
            % {"seconds": wait_left}
        )
    if visit.call_count >= rules.max_calls:
        return _transition(
            visit,
            Action.NO_SHOW,
            officer=officer,
            service_point_id=visit.service_point_id,
            now=now,
            outcome=Outcome.NO_SHOW,
            changes={"outcome": Outcome.NO_SHOW, "notify_contact": ""},
            guard={"call_count": visit.call_count},
        )
    return _transition(
        visit,
        Action.RECALL,
        officer=officer,
        service_point_id=visit.service_point_id,
        now=now,
        changes={"called_at": now, "call_count": visit.call_count + 1},
        guard={"call_count": visit.call_count},
    )


@transaction.atomic
def mark_no_show(*, officer: User, visit_id: int) -> Visit:
    """The called citizen did not come, after the minimum delay. Compare-and-swap, no lock."""
    visit = _own_visit(visit_id=visit_id, officer=officer)
    if visit.state == VisitState.CALLED:
        rules = _rules(visit)
        wait_left = _seconds_before_next_step(visit, rules, clock.now())
        if wait_left > 0:
            # Says how long, as the recall's refusal does (walk finding F4).
            raise InvalidTransition(
                ngettext(
                    "Give the citizen time to come to the desk: wait %(seconds)d more second "
                    "before marking a no-show.",
                    "Give the citizen time to come to the desk: wait %(seconds)d more seconds "
                    "before marking a no-show.",
                    wait_left,
                )
                % {"seconds": wait_left}
            )
    return _transition_at_desk(
        visit,
        Action.NO_SHOW,
        officer=officer,
        outcome=Outcome.NO_SHOW,
        changes={"outcome": Outcome.NO_SHOW, "notify_contact": ""},
    )


@transaction.atomic
def start_service(*, officer: User, visit_id: int) -> Visit:
    """The citizen has come to the desk. Compare-and-swap on the state, no lock. The visit
    comes back with its errands so far (`queries.recorded_errands`: the panel of a visit
    being served lists them), read in the change's round trip on PostgreSQL."""
    started = _own_transition(
        officer=officer, visit_id=visit_id, action=Action.START, now=clock.now(), errands=True
    )
    if started is not None:
        return started
    visit = _own_visit(visit_id=visit_id, officer=officer)
    return _transition_at_desk(visit, Action.START, officer=officer, errands=True)


@transaction.atomic
def hold_visit(*, officer: User, visit_id: int) -> Visit:
    """Park the visit (e.g. the citizen fetches a document); it can be called back later.

    Compare-and-swap on the state, no lock.
    """
    visit = _own_visit(visit_id=visit_id, officer=officer)
    return _transition_at_desk(
        visit,
        Action.HOLD,
        officer=officer,
        changes={"officer": None, "service_point": None},
    )


@transaction.atomic
def requeue_visit(*, officer: User, visit_id: int) -> Visit:
    """A parked visit goes back in line with its original place. Compare-and-swap, no lock."""
    visit = _own_visit(visit_id=visit_id, officer=officer)
    return _transition(visit, Action.REQUEUE, officer=officer, now=clock.now())


@transaction.atomic
def transfer_visit(*, officer: User, visit_id: int, service: Service | int) -> Visit:
    """Hand the visit on to another service (perhaps another agency); it waits again.

    It keeps its original arrival time unless the office configured otherwise.
    Compare-and-swap on the state, no lock.

    `service`: the service or its id. Whether the office offers it for walk-in today comes
    from the registry cache (`queries.desk_walk_in_services`, the desk's own transfer list),
    the part served before the transfer is closed with the events and errands the change
    read in its round trip (PostgreSQL): a transfer reads neither the service, the office
    nor the offering, and reads the visit's log once (12 statements over HTTP before, 8 now:
    docs/benchmarks.md, "Desk actions: statements and CPU").
    """
    visit = _own_visit(visit_id=visit_id, officer=officer)
    now = clock.now()
    service_id = service if isinstance(service, int) else service.pk
    if service_id == visit.service_id:
        raise NotOffered(_("Choose another service to transfer to."))
    offered = desk_walk_in_services(office_id=visit.office_id, day=clock.local_date_of(now))
    target = next((s for s in offered if s.pk == service_id), None)
    if target is None:
        raise NotOffered()
    rules = _rules(visit)
    changes: dict[str, Any] = {
        "service": target,
        "officer": None,
        "service_point": None,
        "called_at": None,
        "call_count": 0,
    }
    if not rules.transfer_keeps_arrival:
        changes["queued_at"] = now
    left = visit.service  # the part served so far is the old service's
    log: list[tuple[Any, ...]] = []
    visit = _transition(
        visit,
        Action.TRANSFER,
        officer=officer,
        service_point_id=visit.service_point_id,
        now=now,
        changes=changes,
        log=log,
        errands=True,
    )
    # After the change (its round trip read the events and errands): a part handed on
    # counts only as the old service's handled time, never for the visit's service or its
    # reach (`reports.measures`), so the rollups are the same as when it was written first.
    served = [(e[0], e[3]) for e in log] if log else None
    written = None
    if log:
        written = [
            (e.service_seconds, None if e.outcome == Outcome.TRANSFERRED else e.service.agency_id)
            for e in recorded_errands(visit)
        ]
    close_part_before_transfer(
        visit, service=left, now=now, officer=officer, events=served, written=written
    )
    forget_errands(visit)
    return visit


NOTE_MAX_LENGTH = 200  # Visit.note


def _checked_note(note: str) -> str:
    """The finish's note, stripped; refused (not cut or kept) when it is too long or holds a
    personal identity number, which the desk says it must not (the walk: a 300-character
    note was cut to 200 without a word, and one naming an identity number was stored)."""
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidNote(
            _("Keep the note to %(max)s characters (it has %(length)s).")
            % {"max": NOTE_MAX_LENGTH, "length": len(note)}
        )
    if holds_identity_number(note):
        raise InvalidNote(
            _("The note holds a personal identity number: leave it out (no personal data).")
        )
    return note


def _check_outcome(outcome: str) -> None:
    if outcome not in FINISH_OUTCOMES:
        raise NotOffered(_("Choose an outcome from the list."))


def _check_errand_service(*, visit: Visit, service: Service, now: dt.datetime) -> None:
    if not _offered_today(office=visit.office, service=service, day=clock.local_date_of(now)):
        raise NotOffered(_("This service is not offered at this office today."))


@transaction.atomic
def record_errand(
    *,
    officer: User,
    visit_id: int,
    service: Service,
    outcome: str,
    interpreter_used: bool = False,
    interpreter_language: str = "",
) -> Errand:
    """The officer turns to the citizen's next errand: the time served since the last errand
    (or since the start) goes to this one. The visit stays being served.

    Lock: the visit's row (`SELECT … FOR UPDATE`), so two tabs recording at once write their
    errands one after the other and neither time is counted twice.
    """
    _check_outcome(outcome)
    visit = _own_visit(visit_id=visit_id, officer=officer)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.state != VisitState.SERVING:
        raise InvalidTransition(_("Errands are recorded while the visit is being served."))
    now = clock.now()
    _check_errand_service(visit=visit, service=service, now=now)
    part = ErrandPart(
        service=service,
        outcome=outcome,
        interpreter_used=interpreter_used,
        interpreter_language=interpreter_language,
    )
    return write_unattributed(visit, parts=[part], now=now, officer=officer)[0]


@transaction.atomic
def finish_visit(
    *,
    officer: User,
    visit_id: int,
    outcome: str,
    note: str = "",
    interpreter_used: bool = False,
    interpreter_language: str = "",
    split: Sequence[ErrandPart] = (),
) -> Visit:
    """Finish with an outcome from the list and an optional short note (no personal data).

    The time served since the last recorded errand becomes the last errand: of the visit's
    service with `outcome`, or, with `split`, one errand per part, the seconds divided by the
    parts' weights (largest remainder, exact to the second). So every finished visit has at
    least one errand. Compare-and-swap on the state, no lock.
    """
    _check_outcome(outcome)
    note = _checked_note(note)
    changes = {"outcome": outcome, "note": note, "notify_contact": ""}
    log: list[tuple[Any, ...]] = []
    # The usual finish (no split, a language the form offers) changes the visit without
    # reading it first (`_own_transition`); a split checks its services at the visit's office
    # and a bad language is refused after the visit's checks, as before: the checked path.
    if not split and _clean_language_or_none(interpreter_used, interpreter_language) is not None:
        now = clock.now()
        finished = _own_transition(
            officer=officer,
            visit_id=visit_id,
            action=Action.FINISH,
            now=now,
            changes=changes,
            outcome=outcome,
            log=log,
        )
        if finished is not None:
            part = ErrandPart(
                service=finished.service,
                outcome=outcome,
                interpreter_used=interpreter_used,
                interpreter_language=interpreter_language,
            )
            _write_last_errands(finished, parts=[part], now=now, officer=officer, log=log)
            return finished
    visit = _own_visit(visit_id=visit_id, officer=officer)
    now = clock.now()
    for part in split:
        _check_outcome(part.outcome)
        _check_errand_service(visit=visit, service=part.service, now=now)
        clean_language(interpreter_used=part.interpreter_used, language=part.interpreter_language)
    clean_language(interpreter_used=interpreter_used, language=interpreter_language)
    parts = list(split) or [
        ErrandPart(
            service=visit.service,
            outcome=outcome,
            interpreter_used=interpreter_used,
            interpreter_language=interpreter_language,
        )
    ]
    visit = _transition(
        visit,
        Action.FINISH,
        officer=officer,
        service_point_id=visit.service_point_id,
        now=now,
        outcome=outcome,
        changes=changes,
        log=log,
        errands=True,
    )
    _write_last_errands(visit, parts=parts, now=now, officer=officer, log=log)
    return visit


def _clean_language_or_none(interpreter_used: bool, language: str) -> str | None:
    """`clean_language`'s answer, or None where it would refuse."""
    try:
        return clean_language(interpreter_used=interpreter_used, language=language)
    except NotOffered:
        return None


def _write_last_errands(
    visit: Visit,
    *,
    parts: Sequence[ErrandPart],
    now: dt.datetime,
    officer: User,
    log: list[tuple[Any, ...]],
) -> None:
    """A finish's last errand(s): the time served not yet given to an errand, from the
    events and the errands the change read in its round trip (PostgreSQL: `log` filled,
    the errands attached), else read again."""
    served = [(e[0], e[3]) for e in log] if log else None
    written = None
    if log:
        written = [
            (e.service_seconds, None if e.outcome == Outcome.TRANSFERRED else e.service.agency_id)
            for e in recorded_errands(visit)
        ]
    write_unattributed(visit, parts=parts, now=now, officer=officer, events=served, written=written)
    forget_errands(visit)  # the errands read with the change are no longer all of them


# --- closing time ----------------------------------------------------------------------------


@transaction.atomic
def close_waiting_visits(
    *,
    office: Office,
    before_day: dt.date | None = None,
    at_desks: bool = False,
    waiting: bool = True,
) -> int:
    """Close what is still waiting or parked as "not served at closing"; returns how many.

    With `before_day`, only visits from earlier days are closed (the office is still open
    today). With `at_desks`, visits called or being served are ended too (left at a desk
    from an earlier day, or at an office that no longer operates); with `waiting=False`
    only those. The contact is cleared
    with the state. Locks: each closed visit's row (`SKIP LOCKED`: a visit being called this
    very moment is left to the desk, and to the next run).
    """
    now = clock.now()
    states = [VisitState.WAITING, VisitState.ON_HOLD] if waiting else []
    if at_desks:
        states += ACTIVE_STATES
    qs = Visit.objects.filter(office=office, state__in=states)
    if before_day is not None:
        qs = qs.filter(local_day__lt=before_day)
    closed = 0
    for visit in qs.select_for_update(skip_locked=True, of=("self",)):
        _transition(
            visit,
            Action.CLOSE,
            now=now,
            outcome=Outcome.NOT_SERVED_AT_CLOSING,
            changes={"outcome": Outcome.NOT_SERVED_AT_CLOSING, "notify_contact": ""},
        )
        closed += 1
    return closed


def close_queues(*, at: dt.datetime | None = None) -> int:
    """End every visit the day has left open, at every office that has one; returns how many.

    - An office operating today closes its waiting and parked visits after its last closing
      today (at once on a day without hours), and every visit of earlier days — waiting,
      parked, or left called or being served at a desk — whenever the job runs.
    - An office that keeps its queue overnight keeps today's and earlier days' waiting visits
      while it operates; visits left at a desk from earlier days end.
    - An office that does not operate today (closed for good, or not yet opened) ends all of
      its open visits, whatever their day: nobody will serve them.

    Run every few minutes (cron, or `tasks.close_queues_task`). Each office is its own
    transaction. Offices are found from their open visits, not from the registry's
    operating offices, so none is skipped.
    """
    at = at or clock.now()
    today = clock.local_date_of(at)
    total = 0
    with_open = Visit.objects.exclude(state__in=TERMINAL_STATES).values("office_id")
    for office in Office.objects.filter(pk__in=with_open).order_by("pk"):
        if not office.is_operating_on(today):
            total += close_waiting_visits(office=office, at_desks=True)
            continue
        if office.keeps_queue_overnight:
            total += close_waiting_visits(
                office=office, before_day=today, at_desks=True, waiting=False
            )
            continue
        intervals = opening_intervals(office=office, day=today)
        if not intervals or at >= intervals[-1][1]:
            total += close_waiting_visits(office=office)
        total += close_waiting_visits(office=office, before_day=today, at_desks=True)
    return total


# --- the one place a visit changes state -----------------------------------------------------


def _own_transition(
    *,
    officer: User,
    visit_id: int,
    action: Action,
    now: dt.datetime,
    changes: dict[str, Any] | None = None,
    outcome: str = "",
    log: list[tuple[Any, ...]] | None = None,
    errands: bool = True,
) -> Visit | None:
    """The usual case of an action on the officer's own visit at its desk that has one state
    to start from (start: called; finish: serving), in one statement without reading the
    visit first (PostgreSQL, `sql.transition`): the compare-and-swap from that state, guarded
    by what `_own_visit` checks — the visit is this officer's (a visit called or being served
    belongs to its officer) at an office the officer is assigned to, the role in Python — at
    the visit's own desk, as `_transition_at_desk` writes it. The visit comes back with its
    errands (`queries.recorded_errands`).

    None when that is not what happened (nothing was written): the caller then takes the
    checked path, which reads the visit and refuses with the reason, or does the change if the
    visit has just become changeable."""
    if not sql.one_statement_transitions() or not may_serve(officer, assigned=True):
        return None
    (old,) = sources_of(action)
    new = target_state(action, old)
    assert new is not None
    return _write_transition(
        visit_id,
        action,
        old=old.value,
        values={"state": new.value, **(changes or {})},
        guard={"officer": officer},
        officer=officer,
        service_point_id=None,
        now=now,
        outcome=outcome,
        log=log,
        errands=errands,
        assigned=True,
        point_of_row=True,
    )


def _transition_at_desk(visit: Visit, action: Action, *, officer: User, **kwargs: Any) -> Visit:
    """`_transition` by the officer holding the visit, at the visit's desk, now."""
    return _transition(
        visit,
        action,
        officer=officer,
        service_point_id=visit.service_point_id,
        now=clock.now(),
        **kwargs,
    )


def _transition(
    visit: Visit,
    action: Action,
    *,
    now: dt.datetime,
    officer: User | None = None,
    service_point_id: int | None = None,
    outcome: str = "",
    changes: dict[str, Any] | None = None,
    guard: dict[str, Any] | None = None,
    log: list[tuple[Any, ...]] | None = None,
    errands: bool = False,
) -> Visit:
    """Compare-and-swap the visit from its current state; append the event. Caller is atomic.

    `log`: filled with the visit's events after the change, (at, action, from_state,
    to_state, service_id, id) in log order, when the one-statement path read them
    (PostgreSQL); left empty otherwise. `errands`: the visit comes back with its errands
    (`queries.recorded_errands`), read in the change's round trip on PostgreSQL.

    Raises InvalidTransition if the action is not allowed from the state we read, or if the
    row no longer is in that state (another desk or tab got there first).
    """
    old = visit.state
    new = target_state(action, State(old))
    if new is None:
        raise InvalidTransition(
            _("Not possible now (%(action)s): the visit is %(state)s.")
            % {"action": VisitAction(action.value).label, "state": VisitState(old).label}
        )
    values = {"state": new.value, **(changes or {})}
    if sql.one_statement_transitions():
        changed = _write_transition(
            visit.pk,
            action,
            old=old,
            values=values,
            guard=guard or {},
            officer=officer,
            service_point_id=service_point_id,
            now=now,
            outcome=outcome,
            log=log,
            errands=errands,
        )
        if changed is None:
            raise InvalidTransition()
        return changed
    updated = Visit.objects.filter(pk=visit.pk, state=old, **(guard or {})).update(**values)
    if updated != 1:
        raise InvalidTransition()
    for field, value in values.items():
        setattr(visit, field, value)
    if officer is not None:
        _log_desk_activity(
            visit,
            officer=officer,
            old=old,
            new=new.value,
            service_point_id=service_point_id,
            at=now,
        )
    _log(
        visit,
        action=action,
        from_state=old,
        at=now,
        officer=officer,
        service_point_id=service_point_id,
        outcome=outcome,
    )
    return visit


def _write_transition(
    visit_id: int | None,
    action: Action,
    *,
    old: str,
    values: dict[str, Any],
    guard: dict[str, Any],
    officer: User | None,
    service_point_id: int | None,
    now: dt.datetime,
    outcome: str,
    pick: tuple[str, list[object]] | None = None,
    log: list[tuple[Any, ...]] | None = None,
    errands: bool = False,
    assigned: bool = False,
    point_of_row: bool = False,
    lead: tuple[str, list[object]] | None = None,
    led: list[tuple[Any, ...]] | None = None,
) -> Visit | None:
    """`_transition`'s writes in one statement (`sql.transition`, PostgreSQL): the same
    compare-and-swap, desk-status row (`_log_desk_activity`'s rule), event and signals as the
    ORM path; None if no visit matched. The visit comes back as it is now, with its service
    and agency attached (what the desk's answer shows), and with `errands` its errands
    (`queries.recorded_errands`). A change that moves the line asks in the same statement
    whether anyone waits with a contact (the notification's check after commit).
    `assigned`, `point_of_row`, `lead`, `led`: `sql.transition`'s (`_own_transition`,
    `_call_next_in_one`)."""
    new = str(values["state"])
    desk = sql.DESK_NONE
    if officer is not None and (old in ACTIVE_STATES) != (new in ACTIVE_STATES):
        desk = sql.DESK_SERVING if new in ACTIVE_STATES else sql.DESK_SESSION
    done = sql.transition(
        visit_id=visit_id,
        old_state=old,
        values=values,
        guard=guard,
        at=now,
        action=action.value,
        officer_id=officer.pk if officer is not None else None,
        service_point_id=service_point_id,
        outcome=outcome,
        desk=desk,
        pick=pick,
        contact=action in MOVES_THE_LINE,
        errands=errands,
        assigned=assigned,
        point_of_row=point_of_row,
        lead=lead,
        led=led,
    )
    if done is None:
        return None
    visit = done.visit
    if point_of_row:
        service_point_id = visit.service_point_id
    if done.errands is not None:
        attach_errands(visit, done.errands)
    if desk:
        office_id = visit.office_id
        transaction.on_commit(
            lambda: desk_sessions_changed.send(sender=DeskSession, office_id=office_id)
        )
    event = VisitEvent(
        pk=done.event_id,
        visit=visit,
        office_id=visit.office_id,
        service_id=visit.service_id,
        at=now,
        action=action.value,
        from_state=old,
        to_state=visit.state,
        service_point_id=service_point_id,
        officer=officer,
        outcome=outcome,
    )
    # The visit's events with this one, in log order, for the rollups (no second read).
    events = sorted(
        [*done.earlier_events, (now, action.value, old, visit.state, visit.service_id, event.pk)],
        key=lambda e: (e[0], e[5]),
    )
    visit_event_appended.send(sender=VisitEvent, visit=visit, event=event, events=events)
    if log is not None:
        log.extend(events)
    _after_commit(office_id=visit.office_id, action=action, waiting_contact=done.waiting_contact)
    return visit
