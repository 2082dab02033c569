"""Reads of the queue for the kiosk, the desk, the lobby display and the live office view."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Case, F, Q, QuerySet, Value, When

from servicekontor.accounts.models import Competence, User
from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.core.i18n import pick_language
from servicekontor.core.rounding import exported
from servicekontor.network import registry_cache
from servicekontor.network.models import Office, ServicePoint
from servicekontor.network.queries import offerings_on
from servicekontor.network.registry_cache import open_now
from servicekontor.queueing import sql
from servicekontor.queueing.call_order import call_order_key
from servicekontor.queueing.estimates import estimate_wait_minutes
from servicekontor.queueing.models import (
    DeskSession,
    Errand,
    OfficerStatus,
    Visit,
    VisitState,
)
from servicekontor.queueing.signals import expected_service_start

# A visit in one of these states belongs to an officer (at most one per officer).
ACTIVE_STATES = (VisitState.CALLED, VisitState.SERVING)


def in_call_order(visits: QuerySet[Visit], *, now: dt.datetime) -> QuerySet[Visit]:
    """Who goes first: booked visits from their time (by booked time), then priority, arrival.

    A booked visit checked in early waits like a walk-in until its time comes. The call-next
    statement `sql.pick_statement` orders the same way (checked by `test_call_order`). The rule
    itself is `queueing.call_order.call_order_key` (pure; the simulator sorts with it); this is
    its ORM form, and `test_call_order_key` keeps the two in agreement.
    """
    due = Case(When(booked_start__lte=Value(now), then=F("booked_start")), default=None)
    return visits.annotate(due=due).order_by(
        F("due").asc(nulls_last=True),
        F("priority").desc(),
        F("queued_at").asc(),
        F("id").asc(),
    )


def servable_services(*, officer: User, service_point_id: int) -> QuerySet[Service]:
    """Services of agencies the officer is trained for, that this desk is equipped for.

    `sql.pick_statement` applies the same rule in SQL.
    """
    return _servable(officer_id=officer.pk, service_point_id=service_point_id)


def _servable(*, officer_id: int, service_point_id: int) -> QuerySet[Service]:
    equipped = ServicePoint.capabilities.through.objects.filter(servicepoint_id=service_point_id)
    return Service.objects.filter(agency__competence_rows__user_id=officer_id).filter(
        Q(required_capability__isnull=True)
        | Q(required_capability__in=equipped.values("capability_id"))
    )


def waiting_visits(*, office: Office) -> QuerySet[Visit]:
    """Everyone waiting at the office, in the order call-next would take them."""
    return in_call_order(
        Visit.objects.filter(office=office, state=VisitState.WAITING), now=clock.now()
    ).select_related("service", "service__agency")


def parked_visits(*, office: Office) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(office=office, state=VisitState.ON_HOLD)
        .select_related("service", "service__agency")
        .order_by("queued_at", "id")
    )


def current_visit(*, officer: User) -> Visit | None:
    """The visit the officer has called or is serving (at most one, see services.call_next)."""
    return (
        Visit.objects.filter(officer=officer, state__in=ACTIVE_STATES)
        .select_related("service", "service__agency", "service_point")
        .first()
    )


def current_visit_with_errands(*, officer_id: int) -> Visit | None:
    """`current_visit` with its errands so far kept on it (`attach_errands`, so
    `recorded_errands` reads nothing), in one statement (`sql.current_visit`): what the
    own-visit panel shows. Its desk (`service_point`) is not read."""
    found = sql.current_visit(officer_id=officer_id)
    if found is None:
        return None
    visit, errands = found
    attach_errands(visit, errands)
    return visit


def recorded_errands(visit: Visit) -> list[Errand]:
    """The visit's errands so far, each with its service and agency, in order: those the
    change that returned the visit read with it (`attach_errands`), else one read."""
    prefetched = getattr(visit, "_prefetched_objects_cache", {}).get("errands")
    if prefetched is not None:
        return list(prefetched)
    return list(
        Errand.objects.filter(visit_id=visit.pk)
        .select_related("service__agency")
        .order_by("position")
    )


def attach_errands(visit: Visit, errands: list[Errand]) -> None:
    """Keep `errands` (all of the visit's, in order, with their services and agencies) on the
    visit as Django's `prefetch_related` keeps a relation: `recorded_errands(visit)` and
    `visit.errands.all()` then read no row."""
    prefetched = visit.errands.all()
    prefetched._result_cache = errands
    prefetched._prefetch_done = True  # type: ignore[attr-defined]
    visit._prefetched_objects_cache = {"errands": prefetched}  # type: ignore[attr-defined]


def forget_errands(visit: Visit) -> None:
    """Drop what `attach_errands` kept (the visit has errands it did not read)."""
    getattr(visit, "_prefetched_objects_cache", {}).pop("errands", None)


def has_visit(*, officer_id: int) -> bool:
    """Whether the officer has called or is serving a visit (`current_visit` is not None)."""
    return Visit.objects.filter(officer_id=officer_id, state__in=ACTIVE_STATES).exists()


def servable_service_ids(*, officer_id: int, service_point_id: int) -> list[int]:
    """The ids of `servable_services`, ascending: which part of the office's waiting list a
    desk shows."""
    return list(
        _servable(officer_id=officer_id, service_point_id=service_point_id)
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


def desk_session(*, officer: User) -> DeskSession | None:
    return (
        DeskSession.objects.select_related("office", "service_point", "officer")
        .filter(officer=officer)
        .first()
    )


def walk_in_services(*, office: Office, day: dt.date) -> QuerySet[Service]:
    """Services a citizen can take a ticket for at the office today."""
    offered = offerings_on(office=office, day=day).values("service_id")
    return (
        Service.objects.filter(pk__in=offered)
        .exclude(mode="appointment_only")
        .select_related("agency")
        .order_by("agency__name_sv", "name_sv")
    )


def cached_walk_in_services(*, office: Office, day: dt.date) -> list[Service]:
    """`walk_in_services` as a list, each with its agency, from the shared registry cache
    (`network.registry_cache`: every row it depends on, offering, office, service, agency,
    is a registry row whose change retires the entry): the kiosk's ticket form and
    `services.issue_ticket`'s "offered today" check, without a statement."""
    return registry_cache.cached(
        "walk-in-services",
        (office.pk, day.isoformat()),
        lambda: sql.walk_in_services(office_id=office.pk, day=day),
    )


def desk_walk_in_services(*, office_id: int, day: dt.date) -> list[Service]:
    """`cached_walk_in_services` for the desk's forms (transfer, errand, split, add), kept in
    the process under the registry version (`registry_cache.cached_here`): a desk action
    that shows them reads neither the database nor the entry. The list and its services
    are shared by the process's requests: read them, never change them."""
    return registry_cache.cached_here(
        "walk-in-services",
        (office_id, day.isoformat()),
        lambda: sql.walk_in_services(office_id=office_id, day=day),
    )


def walk_in_agencies(*, office: Office, day: dt.date) -> list[Agency]:
    seen: dict[int, Agency] = {}
    for service in walk_in_services(office=office, day=day):
        seen.setdefault(service.agency_id, service.agency)
    return list(seen.values())


@dataclass(frozen=True)
class WaitInfo:
    waiting: int  # people before this one in line (`sql.AHEAD_OF_T`: competing for its desks)
    minutes: int | None  # estimated wait; None: no desk that can serve it is open now
    expected_start: dt.datetime | None = None  # when nobody serves: when someone is expected


def _desks_for(*, office: Office, service: Service) -> tuple[int, set[int]]:
    """The desks of the office that can serve the service now (ready, officer and desk able:
    `servable_service_ids`) and the services whose visits compete with it: those these desks
    can serve; with no such desk, those the officers who would serve it can serve (the
    services of its agency and of every agency an active officer of the office trained for
    its agency is trained for). The ORM form of `sql.OPEN_DESKS_OF_T` and of the competing
    visits of `sql.AHEAD_OF_T`."""
    able = 0
    competing: set[int] = set()
    sessions = DeskSession.objects.filter(office=office, status=OfficerStatus.IDLE)
    for officer_id, service_point_id in sessions.values_list("officer_id", "service_point_id"):
        ids = set(servable_service_ids(officer_id=officer_id, service_point_id=service_point_id))
        if service.pk in ids:
            able += 1
            competing |= ids
    if able:
        return able, competing
    trained = Competence.objects.filter(
        agency_id=service.agency_id,
        user__is_active=True,
        user__assignments__office=office,
    ).values("user_id")
    agencies = {service.agency_id} | set(
        Competence.objects.filter(user_id__in=trained).values_list("agency_id", flat=True)
    )
    return 0, set(Service.objects.filter(agency_id__in=agencies).values_list("pk", flat=True))


def expected_start(*, office: Office, at: dt.datetime) -> dt.datetime | None:
    """When someone is expected to start serving at the office, after nobody serves at `at`:
    the earliest answer of the `expected_service_start` receivers (the staffing roster), not
    before `at`; else the office's next opening if it is closed at `at`; else None."""
    answers: list[dt.datetime] = []
    for _receiver, answer in expected_service_start.send(sender=Office, office=office, at=at):
        if isinstance(answer, dt.datetime):
            answers.append(answer)
    if answers:
        return max(min(answers), at)
    state = open_now(office=office, at=at)
    return None if state.is_open else state.next_opening


def kiosk_ticket(*, office: Office, visit_id: int) -> tuple[Visit, WaitInfo, int | None] | None:
    """The kiosk's ticket page: the visit of the office, its service with the agency (from the
    shared registry cache), `wait_info` for it (its place in line among the visits competing
    for its desks, `sql.AHEAD_OF_T`) and the number of the desk that called it (None if none),
    in one statement (`sql.kiosk_ticket`); None if the office has no such visit."""
    found = sql.kiosk_ticket(visit_id=visit_id, office_id=office.pk, now=clock.now())
    if found is None:
        return None
    visit, ahead, open_desks, desk = found
    service = registry_cache.service_with_agency(visit.service_id)
    if service is None:  # not in the registry any more (cannot be: PROTECT); read it
        service = Service.objects.select_related("agency").get(pk=visit.service_id)
    visit.service = service
    return visit, _wait(office=office, service=service, ahead=ahead, open_desks=open_desks), desk


def _wait(*, office: Office, service: Service, ahead: int, open_desks: int) -> WaitInfo:
    minutes = estimate_wait_minutes(
        ahead=ahead, handling_minutes=service.handling_minutes, open_desks=open_desks
    )
    return WaitInfo(
        waiting=ahead,
        minutes=minutes,
        expected_start=expected_start(office=office, at=clock.now()) if minutes is None else None,
    )


def wait_info(*, office: Office, service: Service, exclude: Visit | None = None) -> WaitInfo:
    """How many are before a visit of this service in line, and roughly how long it waits:
    the ORM form of the ticket page's statement (`sql.AHEAD_OF_T`, `sql.OPEN_DESKS_OF_T`;
    the tests keep the two equal).

    Before it: the waiting visits that compete with it for the same desks, those the desks
    able to serve it now can serve (`_desks_for`), or while no such desk is open those the
    officers who would serve it can serve (not every waiting visit of the office: walk F5). `exclude`: a visit already in line; then only those call-next takes
    before it count (`call_order.call_order_key`), none if it no longer waits; without it, a
    new ticket's line (everyone competing). The estimate shares that work over those desks;
    with none open there is none, and `expected_start` says when service is expected to start.
    """
    able, competing = _desks_for(office=office, service=service)
    waiting = Visit.objects.filter(
        office=office, state=VisitState.WAITING, service_id__in=competing
    )
    if exclude is None:
        ahead = waiting.count()
    elif exclude.state != VisitState.WAITING:
        ahead = 0
    else:
        now = clock.now()

        def key(booked_start: Any, priority: int, queued_at: Any, pk: int) -> Any:
            return call_order_key(
                booked_start=booked_start,
                priority=priority,
                queued_at=queued_at,
                visit_id=pk,
                now=now,
            )

        own = key(exclude.booked_start, exclude.priority, exclude.queued_at, exclude.pk)
        ahead = sum(
            1
            for row in waiting.exclude(pk=exclude.pk).values_list(
                "booked_start", "priority", "queued_at", "pk"
            )
            if key(*row) < own
        )
    return _wait(office=office, service=service, ahead=ahead, open_desks=able)


@dataclass(frozen=True)
class Call:
    ticket: str
    desk: int
    at: dt.datetime
    active: bool  # the visit is still called: the citizen has not come to the desk yet


def recent_calls(*, office: Office, limit: int = 6) -> list[Call]:
    """The latest calls today, newest first, one line per ticket: what the lobby shows.

    `active`: the visit is still in the called state (not started, finished, parked, handed
    on or a no-show since). Only ticket and desk number: no names, no services, nothing
    personal. Read with the waiting count: `board`.
    """
    return board(office=office, limit=limit)[0]


def board(*, office: Office, limit: int = 6) -> tuple[list[Call], int]:
    """`recent_calls` and the office's waiting count, from one statement
    (`sql.lobby_board`): the latest `limit * 3` calls and recalls of the day at a desk, one
    line per ticket (its latest call), at most `limit`."""
    start, _end = clock.local_day_bounds(clock.local_today())
    waiting, events = sql.lobby_board(office_id=office.pk, since=start, events=limit * 3)
    calls: list[Call] = []
    seen: set[int] = set()
    for event in events:
        if event.visit_id in seen:
            continue
        seen.add(event.visit_id)
        calls.append(Call(event.ticket, event.desk, event.at, event.active))
        if len(calls) == limit:
            break
    return calls, waiting


def queue_version(*, office_id: int, part: str = "every", officer_id: int | None = None) -> str:
    """A tag that changes with every committed change to the office's queue today that the
    asking screen shows.

    `part`: "every" (any event: the live view), "board" (a call or recall, a called visit
    leaving that state, or a visit entering or leaving the waiting list: the lobby board), "desk" (a visit entering or
    leaving the waiting or parked visits, or any event by `officer_id`, whose own current
    visit the list depends on), "officer" (only the events by `officer_id`: the desk's own
    visit), "queue" (a visit entering or leaving the waiting or parked visits: what every desk's
    list shows, before the officer's own part). Shape: "<local day>.<count>", e.g. "20261130.412".

    Every visit change appends a `VisitEvent` in its own transaction, so the count moves
    exactly when such a transaction commits and never for one rolled back: there is no
    counter to bump (and no per-office row for the desks of an office to queue on). A count,
    not the largest id: ids are taken from a sequence before commit, so a transaction that
    took id 10 may commit after one that took id 11; the largest id would not move then.
    The day is in the tag because lists and boards empty at midnight. Cost: one statement
    on the (office, at) index (`sql.office_events_today`).
    """
    return queue_versions(office_id=office_id, officer_id=officer_id)[part]


def queue_versions(*, office_id: int, officer_id: int | None = None) -> dict[str, str]:
    """Every part's `queue_version` from the one statement: {part: version}."""
    today = clock.local_today()
    start, _end = clock.local_day_bounds(today)
    counts = sql.office_events_today(office_id=office_id, since=start, officer_id=officer_id)
    return _versions(today, counts)


def desk_poll(*, officer_id: int) -> tuple[sql.DeskSessionKeys, dict[str, str]] | None:
    """The officer's desk session (`sql.desk_session_keys`) and its office's `queue_versions`
    with the officer's own events, from one statement (`sql.desk_poll`); None if the officer
    is not signed in at a desk. What a desk's conditional poll needs for its tag."""
    today = clock.local_today()
    start, _end = clock.local_day_bounds(today)
    found = sql.desk_poll(officer_id=officer_id, since=start)
    if found is None:
        return None
    keys, counts = found
    return keys, _versions(today, counts)


class DeskPollWithAction:
    """`desk_poll` for a desk action's answer, read in the action's COMMIT round trip
    (`sql.desk_poll_with_commit`, decision 0092) when its transaction commits; else after,
    as `desk_poll`. Made before the action; `result()` after it (and always called, or
    `drop()`: a poll not taken by the action's commit must not ride a later one)."""

    def __init__(self, *, officer_id: int) -> None:
        self.officer_id = officer_id
        self.today = clock.local_today()
        start, _end = clock.local_day_bounds(self.today)
        self.rows = sql.desk_poll_with_commit(officer_id=officer_id, since=start)

    def drop(self) -> None:
        sql.drop_desk_poll_with_commit()

    def result(self) -> tuple[sql.DeskSessionKeys, dict[str, str]] | None:
        self.drop()
        if not self.rows:  # no commit carried it
            return desk_poll(officer_id=self.officer_id)
        found = sql.desk_poll_of(self.rows[0][0] if self.rows[0] else None)
        if found is None:
            return None
        keys, counts = found
        return keys, _versions(self.today, counts)


def desk_pushes(
    *, office_id: int, officers: list[int]
) -> list[tuple[sql.DeskPush, dict[str, str]]]:
    """`sql.desk_pushes` today, each with its `queue_versions` (as `desk_poll` gives them):
    what the push server's request for an office's waiting lists needs (decision 0062)."""
    today = clock.local_today()
    start, _end = clock.local_day_bounds(today)
    found = sql.desk_pushes(office_id=office_id, officers=officers, since=start)
    return [(desk, _versions(today, desk.counts)) for desk in found]


def _versions(today: dt.date, counts: sql.EventCounts) -> dict[str, str]:
    counted = {
        "every": f"{counts.every}.{counts.largest_id}",
        "board": f"{counts.board}",
        "desk": f"{counts.queue}.{counts.officer}",
        "officer": f"{counts.officer}.{counts.officer_errands}",
        "queue": f"{counts.queue}",
    }
    return {part: f"{today:%Y%m%d}.{count}" for part, count in counted.items()}


def staff_version(*, office_id: int) -> str:
    """A tag of the office's desk sessions (who is signed in where, status and since).

    Signing in, out and changing status write no visit event; the live view shows them, so
    its tag adds this one. Shape: a 16-hex-digit digest of the rows (at most one per desk).
    """
    return _staff_digest(sql.office_desk_sessions(office_id=office_id))


def _staff_digest(rows: list[tuple[object, ...]]) -> str:
    return hashlib.blake2b(repr(rows).encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class LivePoll:
    """What the live view's conditional poll needs: the office, whether the asker is
    assigned to it (the role half stays in Python: `permissions.may_manage`), and the two
    versions its tag names."""

    office_id: int
    assigned: bool
    queue_version: str  # `queue_version(office_id=…)` (part "every")
    staff_version: str  # `staff_version(office_id=…)`


def live_poll(*, office_code: str, user_id: int) -> LivePoll | None:
    """The office with the code, `assigned`, `queue_version` and `staff_version` of it, from
    one statement (`sql.live_poll`); None if no office has the code."""
    today = clock.local_today()
    start, _end = clock.local_day_bounds(today)
    found = sql.live_poll(office_code=office_code, user_id=user_id, since=start)
    if found is None:
        return None
    return LivePoll(
        office_id=found.office_id,
        assigned=found.assigned,
        queue_version=_versions(today, found.counts)["every"],
        staff_version=_staff_digest(found.sessions),
    )


@dataclass
class OfficerRow:
    name: str
    desk: int
    status: str  # "serving" or an OfficerStatus value
    status_label: str
    ticket: str = ""


@dataclass
class ServiceRow:
    agency: str
    service: str
    waiting: int
    longest_wait_minutes: int


@dataclass
class ParkedRow:
    """A parked (on hold) visit as the live view shows it: the desk list's word for the
    state, "On hold" (sv "Parkerad")."""

    ticket: str
    agency: str
    service: str
    since: dt.datetime  # when it was put on hold (its latest HOLD event)
    minutes: int  # on hold for, in whole minutes (as the waits)
    desk: int | None  # the desk that put it on hold (None: not recorded)
    officer: str  # who put it on hold ("" if not recorded)


@dataclass
class OfficeOverview:
    waiting_total: int
    longest_wait_minutes: int
    served_today: int
    average_wait_minutes: float | None
    by_service: list[ServiceRow] = field(default_factory=list)
    officers: list[OfficerRow] = field(default_factory=list)
    parked: list[ParkedRow] = field(default_factory=list)


def _parked_rows(parked: list[sql.ParkedVisit], now: dt.datetime) -> list[ParkedRow]:
    """The parked visits of `sql.live_overview`, longest on hold first."""
    rows = [
        ParkedRow(
            ticket=p.ticket,
            agency=pick_language(p.agency_sv, p.agency_en),
            service=pick_language(p.service_sv, p.service_en),
            since=p.since,
            minutes=max(0, int((now - p.since).total_seconds() // 60)),
            desk=p.desk,
            officer=p.officer,
        )
        for p in parked
    ]
    return sorted(rows, key=lambda r: (r.since, r.ticket))


def office_overview(*, office: Office) -> OfficeOverview:
    """The manager's live view. Today's figures come from the event log, not the visit rows;
    everything from one statement of light rows (`sql.live_overview`). `served_today`: the
    visits of today that finished, once each — the statistics' served visits of the office
    today (`DayFigures.served`; docs/statistics.md, decision 0059)."""
    now = clock.now()
    today = clock.local_today()
    start, _end = clock.local_day_bounds(today)
    found = sql.live_overview(office_id=office.pk, since=start, day=today)
    rows = [
        ServiceRow(
            pick_language(g.agency_sv, g.agency_en),
            pick_language(g.service_sv, g.service_en),
            g.waiting,
            # the longest wait is the earliest arrival's (0 if all arrived after now)
            max(0, int((now - g.earliest_arrival).total_seconds() // 60)),
        )
        for g in found.groups
    ]
    return OfficeOverview(
        waiting_total=sum(r.waiting for r in rows),
        longest_wait_minutes=max((r.longest_wait_minutes for r in rows), default=0),
        served_today=found.served,
        average_wait_minutes=_mean_wait(found.waits),
        by_service=sorted(rows, key=lambda r: (r.agency, r.service)),
        officers=_officer_rows(found.desks),
        parked=_parked_rows(found.parked, now),
    )


def average_wait_minutes(*, office: Office, since: dt.datetime) -> float | None:
    """Mean time from entering the queue to the first call, for visits first called since then.

    Per visit, from its events: entered = its ISSUE/CHECK_IN event's time, first call = its
    earliest CALL (one that came before `since` too: such a visit is not counted), aggregated
    in the database (one row per visit called since then, not each of their events; the
    figure grew with the day when every event was read into Python). Minutes, 1 decimal.
    The live view reads the same rows within its one statement (`sql.live_overview`).
    """
    return _mean_wait(sql.visit_waits(office_id=office.pk, since=since))


def _mean_wait(waits: list[tuple[dt.datetime, dt.datetime]]) -> float | None:
    if not waits:
        return None
    seconds = sum((called - entered).total_seconds() for entered, called in waits)
    # rounded half up, as every figure (`core.rounding`)
    return exported(seconds, 1, scale=Fraction(1, 60 * len(waits)))


_SERVING_LABELS = {state.value: state.label for state in VisitState}
_STATUS_LABELS = {status.value: status.label for status in OfficerStatus}


def _officer_rows(desks: list[sql.DeskRow]) -> list[OfficerRow]:
    """One row per desk session, by desk number: serving (with the ticket) if the officer has
    a called or served visit, else the session's status."""
    by_desk: dict[int, OfficerRow] = {}
    for desk in desks:
        name = f"{desk.first_name} {desk.last_name}".strip() or desk.username
        if desk.visit_state is not None:
            label = str(_SERVING_LABELS[desk.visit_state])
            by_desk[desk.desk] = OfficerRow(name, desk.desk, "serving", label, desk.ticket)
        else:
            label = str(_STATUS_LABELS.get(desk.status, desk.status))
            by_desk[desk.desk] = OfficerRow(name, desk.desk, desk.status, label)
    return list(by_desk.values())
