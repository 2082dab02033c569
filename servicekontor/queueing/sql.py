"""The queue's hand-written statements, in one place (decision 0011).

Written out because building them through the ORM cost more Python time than the database
spent running them, on the hottest requests of the queue. Everything else is ORM. Each
statement stands beside the ORM query it replaces (the `ORM:` line), and the tests named
there keep the two in step: a change to the call order or to who may serve is made here AND
in `queueing.queries.in_call_order` / `servable_services` / `accounts.permissions`.

Table names come from the models' `_meta`; `benchmarks/queue_bench.py` sends the same
statements as its bare-SQL floor.
"""

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, models
from django.utils.dateparse import parse_datetime

from servicekontor.accounts.models import Competence, OfficeAssignment, User
from servicekontor.catalog.models import Agency, Service, ServiceMode
from servicekontor.core.i18n import pick_language
from servicekontor.core.sql_datetime import sql_datetime
from servicekontor.network.models import Offering, Office, ServicePoint
from servicekontor.queueing.models import (
    DeskSession,
    DeskStatusEvent,
    Errand,
    OfficerStatus,
    TicketCounter,
    Visit,
    VisitAction,
    VisitEvent,
    VisitState,
)


def execute_opening(cursor: Any, statement: str, params: Sequence[Any]) -> None:
    """`cursor.execute(statement, params)`; when it is the first statement of a transaction,
    with the transaction's BEGIN in the same round trip (decision 0092: psycopg sends it as
    a round trip of its own otherwise). The cursor is left at the statement's own result."""
    opening = getattr(connection, "opening", None)
    if opening is None:  # SQLite, or Django's own PostgreSQL backend
        cursor.execute(statement, params)
        return
    text, begun = opening(statement)
    try:
        cursor.execute(text, params)
    finally:
        if begun:
            connection.opened()  # type: ignore[attr-defined]
    if begun:
        cursor.nextset()  # past the BEGIN's empty result


def _columns(model: type, alias: str) -> str:
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)  # type: ignore[attr-defined]


def _attnames(model: type) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]  # type: ignore[attr-defined]


def _converted(model: type[models.Model], values: Sequence[Any]) -> list[Any]:
    """A row's values of `model`'s concrete fields as the ORM would give them (SQLite hands
    back dates, times and decimals as text or floats: the backend's and fields' converters,
    as Django's compiler applies them; PostgreSQL has none for these tables)."""
    out = list(values)
    for i, (expression, converters) in enumerate(_converters(model)):
        for converter in converters:
            out[i] = converter(out[i], expression, connection)
    return out


def _converters(model: type[models.Model]) -> list[tuple[Any, list[Any]]]:
    key = (model, connection.vendor)
    found = _CONVERTERS.get(key)
    if found is None:
        found = []
        for field in model._meta.concrete_fields:
            expression = field.get_col(model._meta.db_table)
            found.append(
                (
                    expression,
                    connection.ops.get_db_converters(expression)
                    + expression.get_db_converters(connection),
                )
            )
        _CONVERTERS[key] = found
    return found


_CONVERTERS: dict[tuple[type[models.Model], str], list[tuple[Any, list[Any]]]] = {}


def _with_service(row: Sequence[Any]) -> Visit:
    """A visit from its columns (`_columns(Visit, …)`) followed by its service's and its
    agency's, with both attached (no read when the desk shows them)."""
    n_visit, n_service = len(_attnames(Visit)), len(_attnames(Service))
    n_agency = len(_attnames(Agency))
    visit = _from_row(Visit, row[:n_visit])
    service = _from_row(Service, row[n_visit : n_visit + n_service])
    service.agency = _from_row(Agency, row[n_visit + n_service : n_visit + n_service + n_agency])
    visit.service = service
    return visit


M = TypeVar("M", bound=models.Model)


def _from_row(model: type[M], values: Sequence[Any]) -> M:
    return model.from_db(DEFAULT_DB_ALIAS, _attnames(model), _converted(model, values))


def _assigned(*, user: str, office: str) -> str:
    """SQL for "the user is assigned to the office", the assignment half of the desk rule.

    ORM: `user.assignments.filter(office=office).exists()` (`permissions.can_serve_at`).
    The role half stays in Python: `permissions.may_serve(user, assigned=…)`.
    """
    return (
        f"EXISTS (SELECT 1 FROM {OfficeAssignment._meta.db_table} a"
        f" WHERE a.user_id = {user} AND a.office_id = {office})"
    )


# --- the ticket number (issue_ticket, check_in_booked_visit) ---------------------------------

# ORM: TicketCounter.objects.select_for_update().get_or_create(…) then F("last_number") + 1,
# three round trips instead of one. Parameters: office id, local day.
TICKET_COUNTER_UPSERT = (
    f"INSERT INTO {TicketCounter._meta.db_table} (office_id, local_day, last_number)"
    " VALUES (%s, %s, 1)"
    " ON CONFLICT (office_id, local_day)"
    f" DO UPDATE SET last_number = {TicketCounter._meta.db_table}.last_number + 1"
    " RETURNING last_number"
)


def next_ticket_number(*, office_id: int, day: dt.date) -> int:
    """Take the next number from the office's counter for `day`, atomically.

    One upsert statement: the first kiosk of the day inserts the row, every later one
    increments it under the row lock the UPDATE takes; concurrent kiosks queue on that lock
    and each gets its own number. Works on PostgreSQL and SQLite (>= 3.35).
    """
    with connection.cursor() as cursor:
        cursor.execute(TICKET_COUNTER_UPSERT, [office_id, day])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def _insert_columns(model: type[models.Model], *, leave_out: tuple[str, ...]) -> list[Any]:
    """The concrete fields an ORM `create` of `model` inserts (every one but the primary
    key), less `leave_out` (attnames the statement fills itself)."""
    return [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in leave_out
    ]


@functools.cache
def _ticket_statement() -> str:
    """`insert_ticket`'s statement (PostgreSQL): the counter's upsert (`TICKET_COUNTER_UPSERT`),
    the visit with the number it returns, the visit's first event with the visit's id; one
    statement, data-modifying CTEs. Parameters: office id, local day, then the visit's
    columns (`_insert_columns(Visit)`), then the event's (`_insert_columns(VisitEvent)`)."""
    visit_fields = _insert_columns(Visit, leave_out=("ticket_number",))
    event_fields = _insert_columns(VisitEvent, leave_out=("visit_id",))
    placeholders = ", ".join(["%s"] * len(visit_fields))
    return (
        f"WITH n AS ({TICKET_COUNTER_UPSERT}),"
        f" v AS (INSERT INTO {Visit._meta.db_table}"
        f" ({', '.join(f.column for f in visit_fields)}, ticket_number)"
        f" VALUES ({placeholders}, (SELECT last_number FROM n)) RETURNING id, ticket_number),"
        f" e AS (INSERT INTO {VisitEvent._meta.db_table}"
        f" ({', '.join(f.column for f in event_fields)}, visit_id)"
        f" VALUES ({', '.join(['%s'] * len(event_fields))}, (SELECT id FROM v)) RETURNING id)"
        " SELECT v.id, v.ticket_number, e.id FROM v, e"
    )


def insert_ticket(*, visit: Visit, event: VisitEvent) -> None:
    """Insert a new waiting visit with the next number of its office's counter for its day,
    and its first event (the ticket's issue), in one statement (PostgreSQL; the caller holds
    a transaction: the counter's row stays locked to its commit, as with
    `next_ticket_number`). Sets the visit's id and number and the event's id and visit.

    ORM: `Visit.objects.create(…, ticket_number=next_ticket_number(…))` then
    `VisitEvent.objects.create(visit=visit, …)`, three statements; the two ORM inserts cost
    more Python time than the database spent on all three (docs/benchmarks.md, branch
    kioskcpu). The columns and values are the ones those inserts send: every concrete field
    but the primary key, each value as `Field.pre_save` and `get_db_prep_save` give it
    (`queueing/tests/test_ticket_in_one_statement.py` compares the rows)."""
    params: list[Any] = [visit.office_id, visit.local_day]
    for model_object, leave_out in ((visit, ("ticket_number",)), (event, ("visit_id",))):
        params += [
            f.get_db_prep_save(f.pre_save(model_object, True), connection)
            for f in _insert_columns(type(model_object), leave_out=leave_out)
        ]
    with connection.cursor() as cursor:
        # the kiosk's transaction's first statement: its BEGIN in the same round trip
        execute_opening(cursor, _ticket_statement(), params)
        row = cursor.fetchone()
    assert row is not None
    visit.pk, visit.ticket_number, event.pk = row
    event.visit = visit
    for made in (visit, event):
        made._state.adding = False
        made._state.db = connection.alias


# --- the desk session, locked (call_next, call_visit, set_officer_status) --------------------


def desk_session_statement(*, columns: str = "s.*", for_update: bool = True) -> str:
    """The officer's desk session with `assigned` alongside. Parameter: officer id.

    ORM: `DeskSession.objects.select_for_update().get(officer=officer)` plus the assignment
    check. Nothing is joined, so `FOR UPDATE` locks only the session row (a joined office row
    would make every desk of the office queue behind one another). Whether the officer is
    busy must NOT ride along: a SELECT … FOR UPDATE that waited for the lock sees the row's
    new version but evaluates subqueries with its old snapshot, so a second tab would see
    "not busy" (the race test `test_races_postgres` caught exactly that). Ask after.
    """
    lock = " FOR UPDATE" if for_update else ""
    return (
        f"SELECT {columns}, {_assigned(user='s.officer_id', office='s.office_id')} AS assigned"
        f" FROM {DeskSession._meta.db_table} s WHERE s.officer_id = %s{lock}"
    )


def locked_desk_session(*, officer_id: int) -> tuple[DeskSession, bool] | None:
    """The officer's desk session, locked, and whether the officer is assigned to its office."""
    sql = _locked_session_statement(connection.features.has_select_for_update)
    with connection.cursor() as cursor:
        # often a transaction's first statement: its BEGIN in the same round trip
        execute_opening(cursor, sql, [officer_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return _from_row(DeskSession, row[:-1]), bool(row[-1])


@functools.lru_cache(maxsize=2)
def _locked_session_statement(for_update: bool) -> str:
    return desk_session_statement(columns=_columns(DeskSession, "s"), for_update=for_update)


# --- one visit, with the assignment check (start, finish, hold, …) ----------------------------

# ORM: `Visit.objects.select_related("service__agency").get(pk=visit_id)` plus the assignment
# check. Not locked: every change of a visit is a compare-and-swap on its state. Parameters:
# officer id, visit id.
VISIT_WITH_ASSIGNMENT = (
    f"SELECT {_columns(Visit, 'v')}, {_columns(Service, 's')}, {_columns(Agency, 'a')},"
    f" {_assigned(user='%s', office='v.office_id')} AS assigned"
    f" FROM {Visit._meta.db_table} v JOIN {Service._meta.db_table} s ON s.id = v.service_id"
    f" JOIN {Agency._meta.db_table} a ON a.id = s.agency_id WHERE v.id = %s"
)


def visit_with_assignment(*, visit_id: int, officer_id: int) -> tuple[Visit, bool] | None:
    """The visit (its service and agency attached), and whether the officer is assigned to
    its office; None if there is none."""
    with connection.cursor() as cursor:
        execute_opening(cursor, VISIT_WITH_ASSIGNMENT, [officer_id, visit_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return _with_service(row[:-1]), bool(row[-1])


# --- the officer's own visit (the desk's own-visit panel) ------------------------------------

# ORM: `queries.current_visit(officer=…)` (the visit with its service and agency) and, for the
# panel of a visit being served, `queries.recorded_errands(visit)` (its errands with their
# services and agencies, in order): two statements whose building cost more than the panel's
# render (the own-visit poll's, issue 13). Here one: the visit joined to its errands (none:
# one row, the errand's columns NULL), in the ORM's order (`Visit.Meta.ordering`, then the
# errands' position). Parameter: officer id.
CURRENT_VISIT = (
    f"SELECT {_columns(Visit, 'v')}, {_columns(Service, 's')}, {_columns(Agency, 'a')},"
    f" {_columns(Errand, 'r')}, {_columns(Service, 'rs')}, {_columns(Agency, 'ra')}"
    f" FROM {Visit._meta.db_table} v JOIN {Service._meta.db_table} s ON s.id = v.service_id"
    f" JOIN {Agency._meta.db_table} a ON a.id = s.agency_id"
    f" LEFT JOIN {Errand._meta.db_table} r ON r.visit_id = v.id"
    f" LEFT JOIN {Service._meta.db_table} rs ON rs.id = r.service_id"
    f" LEFT JOIN {Agency._meta.db_table} ra ON ra.id = rs.agency_id"
    f" WHERE v.officer_id = %s"
    f" AND v.state IN ('{VisitState.CALLED.value}', '{VisitState.SERVING.value}')"
    " ORDER BY v.office_id, v.local_day, v.ticket_number, v.id, r.position"
)


def current_visit(*, officer_id: int) -> tuple[Visit, list[Errand]] | None:
    """The visit the officer has called or is serving (`queries.current_visit`), its service
    and agency attached, and its errands so far, theirs attached, in order; None if the
    officer has none. One statement. The visit's desk (`service_point`) is not attached:
    reading it is a query."""
    with connection.cursor() as cursor:
        cursor.execute(CURRENT_VISIT, [officer_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    n_visit = len(_attnames(Visit)) + len(_attnames(Service)) + len(_attnames(Agency))
    first = rows[0][0]
    errands = [
        _errand_of(row[n_visit:]) for row in rows if row[0] == first and row[n_visit] is not None
    ]
    return _with_service(rows[0][:n_visit]), errands


# --- the call-next pick ----------------------------------------------------------------------

# The call order, as an ORDER BY of waiting visits `v` at the instant of its one parameter:
# booked visits from their time by booked time, then priority, time in line (the transfer
# time where the office says so: `queued_at`), id. `call_order.call_order_key` is the rule,
# `queries.in_call_order` its ORM form (`test_call_order_key`, `test_call_order` keep them
# equal). The pick, a desk's list and a ticket's place in line all use this one clause.
CALL_ORDER = (
    "CASE WHEN v.booked_start <= %s THEN v.booked_start END ASC NULLS LAST,"
    " v.priority DESC, v.queued_at ASC, v.id ASC"
)


def servable_services_sql(
    *, officer: str, service_point: str, desks: str = "", where: str = ""
) -> str:
    """SELECT of the ids of the services the officer (SQL expression `officer`) may serve at
    the desk (`service_point`): of an agency the officer is trained for, needing no equipment
    or equipment the desk has. ORM: `queries.servable_services`. The services `s`, the
    competences `c`. `desks`: a FROM item and `CROSS JOIN` before the services (the desks
    the expressions name); `where`: more conditions (" AND …")."""
    equipped = ServicePoint.capabilities.through._meta.db_table
    return (
        f"SELECT s.id FROM {desks}{Service._meta.db_table} s"
        f" JOIN {Competence._meta.db_table} c ON c.agency_id = s.agency_id"
        f" AND c.user_id = {officer}"
        " WHERE (s.required_capability_id IS NULL OR s.required_capability_id IN"
        f" (SELECT e.capability_id FROM {equipped} e WHERE e.servicepoint_id = {service_point})"
        f"){where}"
    )


# ORM: `queries.desk_session(officer=…)`, then `service_id in queries.servable_service_ids(…)`
# at its desk: two statements for one yes or no (the transfer's message, walk F18). Here
# one. Parameters: officer id, service id.
DESK_SERVES = (
    "SELECT EXISTS ("
    + servable_services_sql(
        officer="d.officer_id",
        service_point="d.service_point_id",
        desks=f"{DeskSession._meta.db_table} d CROSS JOIN ",
        where=" AND d.officer_id = %s AND d.service_point_id IS NOT NULL AND s.id = %s",
    )
    + ")"
)


def desk_serves(*, officer_id: int, service_id: int) -> bool:
    """Whether the officer may serve the service at the desk where the officer is signed in
    (False when signed in at no desk)."""
    with connection.cursor() as cursor:
        cursor.execute(DESK_SERVES, [officer_id, service_id])
        row = cursor.fetchone()
    return bool(row and row[0])


def pick_statement(
    *,
    columns: str = "v.*",
    skip_locked: bool = True,
    office: str = "%s",
    service_point: str = "%s",
    sources: str = "",
) -> str:
    """The next visit this desk can serve, in call order, as one statement.

    ORM: `in_call_order(waiting.filter(service__in=servable_services(…)), now=now).first()`
    (`queueing.queries`), with "the officer is not busy" folded in: same rows and order (the
    call-order property test `test_call_order` checks it). `FOR UPDATE OF v SKIP LOCKED`
    where the database has it. Parameters: officer (busy), office, officer (trained),
    service point (equipped), now. `office`, `service_point`: SQL for them instead of
    parameters, from `sources` (more FROM items, each after a comma, whose parameters come
    first).
    """
    lock = " FOR UPDATE OF v SKIP LOCKED" if skip_locked else ""
    visit = Visit._meta.db_table
    servable = servable_services_sql(officer="%s", service_point=service_point)
    return (
        f"SELECT {columns} FROM {visit} v{sources}"
        f" WHERE v.state = '{VisitState.WAITING.value}'"
        f" AND NOT EXISTS (SELECT 1 FROM {visit} b WHERE b.officer_id = %s"
        f" AND b.state IN ('{VisitState.CALLED.value}', '{VisitState.SERVING.value}'))"
        f" AND v.office_id = {office}"
        f" AND v.service_id IN ({servable})"
        f" ORDER BY {CALL_ORDER} LIMIT 1{lock}"
    )


def pick_next_visit(
    *, officer_id: int, office_id: int, service_point_id: int, now: dt.datetime
) -> Visit | None:
    """The visit call-next takes, locked (skipping rows other desks hold), or None."""
    features = connection.features
    sql = pick_statement(
        skip_locked=features.has_select_for_update_skip_locked and features.has_select_for_update_of
    )
    params = [
        officer_id,
        office_id,
        officer_id,
        service_point_id,
        sql_datetime(now),
    ]
    return next(iter(Visit.objects.raw(sql, params)), None)


# --- after a call: anyone waiting who asked to be told? --------------------------------------

# ORM: Visit.objects.filter(office_id=…, state=WAITING, notified_at__isnull=True)
# .exclude(notify_contact="").exists(). Usually nobody left a contact: one cheap statement
# and done. Parameters: office id, the waiting state.
WAITING_CONTACT = (
    f"SELECT 1 FROM {Visit._meta.db_table} WHERE office_id = %s AND state = %s"
    " AND notified_at IS NULL AND notify_contact <> '' LIMIT 1"
)


def anyone_waiting_with_contact(*, office_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(WAITING_CONTACT, [office_id, VisitState.WAITING.value])
        return cursor.fetchone() is not None


# --- the version of an office's queue (conditional polls: desk, live view, lobby) ------------

_LISTED = f"('{VisitState.WAITING.value}', '{VisitState.ON_HOLD.value}')"
# A visit enters or leaves the waiting list or the parked visits (what a desk's list shows).
_QUEUE_CHANGE = f"(from_state IN {_LISTED} OR to_state IN {_LISTED})"
# ORM: VisitEvent.objects.filter(office_id=…, at__gte=…).aggregate(Count("id"), Max("id"),
# Count("id", filter=…) …), whose building costs more than the index scan.
# Parameters: officer id, office id, start of the local day.
# The errands the officer recorded since the same time: recording one writes no event (the
# visit stays being served), but the officer's own panel lists them. Parameters: officer id,
# start of the local day.
_OFFICER_ERRANDS = (
    f"(SELECT count(*) FROM {Errand._meta.db_table} r"
    " WHERE r.officer_id = %s AND r.recorded_at >= %s)"
)
OFFICE_EVENTS_TODAY = (
    "SELECT count(*), coalesce(max(id), 0),"
    f" count(CASE WHEN {_QUEUE_CHANGE} THEN 1 END),"
    f" count(CASE WHEN {_QUEUE_CHANGE} OR action IN ('call', 'recall')"
    f" OR from_state = '{VisitState.CALLED.value}' THEN 1 END),"
    f" count(CASE WHEN officer_id = %s THEN 1 END), {_OFFICER_ERRANDS}"
    f" FROM {VisitEvent._meta.db_table} WHERE office_id = %s AND at >= %s"
)
# The same counts with the events as `e` of a LEFT JOIN (no event: no row of `e`).
_E_QUEUE_CHANGE = f"(e.from_state IN {_LISTED} OR e.to_state IN {_LISTED})"
_EVENT_COUNTS_OF_E = (
    "count(e.id), coalesce(max(e.id), 0),"
    f" count(CASE WHEN {_E_QUEUE_CHANGE} THEN 1 END),"
    f" count(CASE WHEN {_E_QUEUE_CHANGE} OR e.action IN ('call', 'recall')"
    f" OR e.from_state = '{VisitState.CALLED.value}' THEN 1 END),"
    " count(CASE WHEN e.officer_id = %s THEN 1 END)"
)


@dataclass(frozen=True)
class EventCounts:
    """Counts of an office's events since a time (one index scan, `office_events_today`)."""

    every: int  # every event
    largest_id: int
    queue: int  # a visit entered or left the waiting or parked visits
    board: int  # the same, a call or recall, or a called visit leaving that state (the board)
    officer: int  # events made by the given officer (their own visit's changes)
    officer_errands: int = 0  # errands the given officer recorded (their own visit's errands)


def office_events_today(
    *, office_id: int, since: dt.datetime, officer_id: int | None = None
) -> EventCounts:
    """The office's event counts since `since` (see `EventCounts`)."""
    with connection.cursor() as cursor:
        officer = officer_id or 0
        at = sql_datetime(since)
        cursor.execute(OFFICE_EVENTS_TODAY, [officer, officer, at, office_id, at])
        row = cursor.fetchone()
    assert row is not None
    return EventCounts(*(int(v) for v in row))


# Parameters: office id. The live view's staff half: who sits where, in which status since when.
OFFICE_DESK_SESSIONS = (
    f"SELECT id, officer_id, service_point_id, status, since FROM {DeskSession._meta.db_table}"
    " WHERE office_id = %s ORDER BY id"
)


def office_desk_sessions(*, office_id: int) -> list[tuple[object, ...]]:
    """The office's desk sessions as plain rows (id, officer, desk, status, since)."""
    with connection.cursor() as cursor:
        cursor.execute(OFFICE_DESK_SESSIONS, [office_id])
        return [tuple(row) for row in cursor.fetchall()]


# ORM: queries.desk_session(officer=…) (with the office, the desk and the officer joined),
# whose building was the largest part of a 304 answer to a desk's poll. Parameters: officer id.
DESK_SESSION_KEYS = (
    f"SELECT s.id, s.service_point_id, s.office_id, o.code, s.status"
    f" FROM {DeskSession._meta.db_table} s"
    f" JOIN {Office._meta.db_table} o ON o.id = s.office_id WHERE s.officer_id = %s"
)


@dataclass(frozen=True)
class DeskSessionKeys:
    session_id: int
    service_point_id: int
    office_id: int
    office_code: str
    status: str


def desk_session_keys(*, officer_id: int) -> DeskSessionKeys | None:
    """The officer's desk session as ids, the office code and the officer's status, or None
    if not signed in."""
    with connection.cursor() as cursor:
        cursor.execute(DESK_SESSION_KEYS, [officer_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return DeskSessionKeys(int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]))


# --- a desk's waiting list: what its shared fragment's key names (decision 0027) ------------

# ORM: `queries.servable_service_ids(officer_id=…, service_point_id=…)` and
# `queries.has_visit(officer_id=…)`, two statements whose building cost more than the shared
# fragment's read. The one-row select on the left keeps "busy" when the desk serves nothing.
# Parameters: officer id (busy), officer id (trained), service point id (equipped).
DESK_LIST_INPUTS = (
    "SELECT b.busy, x.id FROM (SELECT CASE WHEN EXISTS (SELECT 1"
    f" FROM {Visit._meta.db_table} v WHERE v.officer_id = %s"
    f" AND v.state IN ('{VisitState.CALLED.value}', '{VisitState.SERVING.value}'))"
    " THEN 1 ELSE 0 END AS busy) b"
    f" LEFT JOIN (SELECT DISTINCT s.id FROM {Service._meta.db_table} s"
    f" JOIN {Competence._meta.db_table} c ON c.agency_id = s.agency_id AND c.user_id = %s"
    " WHERE s.required_capability_id IS NULL OR s.required_capability_id IN"
    f" (SELECT e.capability_id FROM {ServicePoint.capabilities.through._meta.db_table} e"
    " WHERE e.servicepoint_id = %s)) x ON 1 = 1 ORDER BY x.id"
)


@dataclass(frozen=True)
class DeskListInputs:
    services: list[int]  # the ids of the services the desk may serve, ascending
    busy: bool  # the officer has called or is serving a visit


def desk_list_inputs(*, officer_id: int, service_point_id: int) -> DeskListInputs:
    """What a desk's waiting list is filtered by, in one statement: the services the officer
    may serve at the desk (`queries.servable_service_ids`) and whether the officer has a
    visit (`queries.has_visit`)."""
    with connection.cursor() as cursor:
        cursor.execute(DESK_LIST_INPUTS, [officer_id, officer_id, service_point_id])
        rows = cursor.fetchall()
    return DeskListInputs(
        services=[int(row[1]) for row in rows if row[1] is not None],
        busy=bool(rows[0][0]),
    )


# --- a desk's poll: its session and its office's versions in one statement ------------------

# `DESK_SESSION_KEYS` and `OFFICE_EVENTS_TODAY` of the session's office, joined: what a desk's
# conditional poll (waiting list, own visit) needs for its tag, in one round trip. Parameters:
# officer id (the officer's own events), start of the local day, officer id (the session).
DESK_POLL = (
    "SELECT s.id, s.service_point_id, s.office_id, o.code, s.status, "
    + _EVENT_COUNTS_OF_E
    + f", {_OFFICER_ERRANDS}"
    + f" FROM {DeskSession._meta.db_table} s"
    f" JOIN {Office._meta.db_table} o ON o.id = s.office_id"
    f" LEFT JOIN {VisitEvent._meta.db_table} e ON e.office_id = s.office_id AND e.at >= %s"
    " WHERE s.officer_id = %s GROUP BY s.id, s.service_point_id, s.office_id, o.code, s.status"
)


def desk_poll(*, officer_id: int, since: dt.datetime) -> tuple[DeskSessionKeys, EventCounts] | None:
    """`desk_session_keys(officer_id=…)` and `office_events_today` of its office since
    `since` (with the officer's own events), from one statement; None if not signed in."""
    with connection.cursor() as cursor:
        cursor.execute(DESK_POLL, _desk_poll_params(officer_id=officer_id, since=since))
        row = cursor.fetchone()
    return desk_poll_of(row)


def _desk_poll_params(*, officer_id: int, since: dt.datetime) -> list[Any]:
    at = sql_datetime(since)
    return [officer_id, officer_id, at, at, officer_id]


def desk_poll_of(row: Sequence[Any] | None) -> tuple[DeskSessionKeys, EventCounts] | None:
    """`desk_poll`'s answer from its row."""
    if row is None:
        return None
    keys = DeskSessionKeys(int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]))
    return keys, EventCounts(*(int(v) for v in row[5:]))


def desk_poll_with_commit(*, officer_id: int, since: dt.datetime) -> list[list[Any]] | None:
    """`desk_poll` read in the next COMMIT's round trip, after the transaction's writes
    (`core.postgresql`, decision 0092): the list returned gets its rows then (still empty if
    no transaction committed: ask `desk_poll`). None where the backend cannot."""
    ride = getattr(connection, "with_next_commit", None)
    if ride is None:
        return None
    into: list[list[Any]] = []
    ride(DESK_POLL, _desk_poll_params(officer_id=officer_id, since=since), into)
    return into


def drop_desk_poll_with_commit() -> None:
    drop = getattr(connection, "drop_next_commit", None)
    if drop is not None:
        drop()


# --- the waiting lists the push server sends (decision 0062) --------------------------------

# `DESK_POLL` and `DESK_LIST_INPUTS` for the named officers signed in at one office, in one
# statement (the office's events scanned once per session, as the desks' polls did one by
# one) plus one for the services each may serve. Parameters: start of the local day (errands),
# start of the local day (events), office id, then the officer ids.
_DESK_PUSHES = (
    "SELECT s.officer_id, s.id, s.service_point_id, s.office_id, o.code, s.status,"
    " count(e.id), coalesce(max(e.id), 0),"
    f" count(CASE WHEN {_E_QUEUE_CHANGE} THEN 1 END),"
    f" count(CASE WHEN {_E_QUEUE_CHANGE} OR e.action IN ('call', 'recall')"
    f" OR e.from_state = '{VisitState.CALLED.value}' THEN 1 END),"
    " count(CASE WHEN e.officer_id = s.officer_id THEN 1 END),"
    f" (SELECT count(*) FROM {Errand._meta.db_table} r"
    " WHERE r.officer_id = s.officer_id AND r.recorded_at >= %s),"
    f" CASE WHEN EXISTS (SELECT 1 FROM {Visit._meta.db_table} v"
    " WHERE v.officer_id = s.officer_id"
    f" AND v.state IN ('{VisitState.CALLED.value}', '{VisitState.SERVING.value}'))"
    " THEN 1 ELSE 0 END"
    f" FROM {DeskSession._meta.db_table} s"
    f" JOIN {Office._meta.db_table} o ON o.id = s.office_id"
    f" LEFT JOIN {VisitEvent._meta.db_table} e ON e.office_id = s.office_id AND e.at >= %s"
    " WHERE s.office_id = %s AND s.officer_id IN ({officers})"
    " GROUP BY s.officer_id, s.id, s.service_point_id, s.office_id, o.code, s.status"
)
_DESKS_SERVABLE = (
    f"SELECT DISTINCT d.officer_id, x.id FROM {DeskSession._meta.db_table} d"
    f" JOIN {Competence._meta.db_table} c ON c.user_id = d.officer_id"
    f" JOIN {Service._meta.db_table} x ON x.agency_id = c.agency_id"
    " WHERE d.office_id = %s AND d.officer_id IN ({officers})"
    " AND (x.required_capability_id IS NULL OR x.required_capability_id IN"
    f" (SELECT p.capability_id FROM {ServicePoint.capabilities.through._meta.db_table} p"
    " WHERE p.servicepoint_id = d.service_point_id))"
    " ORDER BY d.officer_id, x.id"
)


@dataclass(frozen=True)
class DeskPush:
    """What one desk's waiting list is keyed and filtered by (`desk_poll` and
    `desk_list_inputs` of its officer)."""

    officer_id: int
    keys: DeskSessionKeys
    counts: EventCounts
    inputs: DeskListInputs


def desk_pushes(*, office_id: int, officers: Sequence[int], since: dt.datetime) -> list[DeskPush]:
    """For each of `officers` signed in at a desk of `office_id` (the others are left out):
    its session, the office's event counts since `since` with the officer's own, and the
    list's inputs; two statements whatever the number of desks."""
    if not officers:
        return []
    marks = ", ".join(["%s"] * len(officers))
    at = sql_datetime(since)
    with connection.cursor() as cursor:
        cursor.execute(_DESK_PUSHES.replace("{officers}", marks), [at, at, office_id, *officers])
        rows = cursor.fetchall()
        cursor.execute(_DESKS_SERVABLE.replace("{officers}", marks), [office_id, *officers])
        servable: dict[int, list[int]] = {}
        for officer, service in cursor.fetchall():
            servable.setdefault(int(officer), []).append(int(service))
    found = []
    for row in rows:
        officer = int(row[0])
        keys = DeskSessionKeys(int(row[1]), int(row[2]), int(row[3]), str(row[4]), str(row[5]))
        counts = EventCounts(*(int(v) for v in row[6:12]))
        inputs = DeskListInputs(services=servable.get(officer, []), busy=bool(row[12]))
        found.append(DeskPush(officer, keys, counts, inputs))
    return found


# --- a visit's state change in one statement (PostgreSQL; the desk actions, decision 0035) --
#
# ORM (the path SQLite takes, `services._transition`): the compare-and-swap
# `Visit.objects.filter(pk=…, state=old, **guard).update(…)`, the desk-status row when the
# visit reaches or leaves the officer's desk (`DeskStatusEvent`, with the session's status
# read first when it leaves), the `VisitEvent`, then the rollups' read of the visit's events
# (`reports.rollups._events`): four or five round trips, each built by the ORM. Here they are
# one statement of data-modifying CTEs: the same rows, the same compare-and-swap (zero rows
# back: another desk or tab got there first), the visit's earlier events read from the same
# snapshot (the rows this statement inserts are not visible to its own reads, so they are the
# events *before* this one), and the visit's service and agency joined for the answer.
# Call-next's pick (`pick_statement`, the call order and who may serve, unchanged) is the
# target of the same statement, sent in one round trip after the session's lock
# (`SESSION_LOCK`, `SESSION_PICK`), so a call is one round trip before its rollups.


@dataclass(frozen=True)
class Transitioned:
    """What `transition` wrote and read: the visit as it is now (its service and agency
    attached), the event's id, and the visit's events before it (at, action, from_state,
    to_state, service_id, id), in log order. `waiting_contact`: whether, with this change, a
    visit of the office waits for its turn with a contact and has not been told (`contact`),
    else None. `errands`: the visit's errands (service and agency attached), in order, read
    right after the change (`errands`), else None."""

    visit: Visit
    event_id: int
    earlier_events: list[tuple[dt.datetime, str, str, str, int, int]]
    waiting_contact: bool | None = None
    errands: list[Errand] | None = None


# How the desk-status row is written: none, "serving" (the visit reached the desk), or the
# status of the officer's desk session ("ready" without one: the visit left the desk).
DESK_NONE, DESK_SERVING, DESK_SESSION = "", "serving", "session"

# `anyone_waiting_with_contact` as the change leaves the office, for the statement's last
# SELECT: another visit of the office (as the statement's snapshot has it) or the changed one
# (`u`, as the change leaves it: a transfer puts it back in line with its contact). The
# notification's check after commit read the same rows a moment later; a ticket committed in
# between is told at the next change that moves the line, as one committed just after that
# check was.
_WAITING_CONTACT_OF_U = (
    f"(EXISTS (SELECT 1 FROM {Visit._meta.db_table} w WHERE w.office_id = u.office_id"
    f" AND w.state = '{VisitState.WAITING.value}' AND w.notified_at IS NULL"
    " AND w.notify_contact <> '' AND w.id <> u.id)"
    f" OR (u.state = '{VisitState.WAITING.value}' AND u.notified_at IS NULL"
    " AND u.notify_contact <> ''))"
)

# The visit's errands with their services and agencies, in order (`desk._desk_context`'s
# `recorded`, `errands._written`). Sent in the same `execute` as `transition`'s statement but
# as a statement of its own: it takes its snapshot after the change holds the visit's row, so
# it sees the errands of a `record_errand` that held the row before (the change's own
# snapshot, taken before it waited, would not). Parameter: the visit id.
VISIT_ERRANDS = (
    f"SELECT {_columns(Errand, 'r')}, {_columns(Service, 's')}, {_columns(Agency, 'a')}"
    f" FROM {Errand._meta.db_table} r JOIN {Service._meta.db_table} s ON s.id = r.service_id"
    f" JOIN {Agency._meta.db_table} a ON a.id = s.agency_id"
    " WHERE r.visit_id = %s ORDER BY r.position"
)


def _errand_of(row: Sequence[Any]) -> Errand:
    n_errand, n_service = len(_attnames(Errand)), len(_attnames(Service))
    errand = _from_row(Errand, row[:n_errand])
    service = _from_row(Service, row[n_errand : n_errand + n_service])
    service.agency = _from_row(Agency, row[n_errand + n_service :])
    errand.service = service
    return errand


def transition_statement(
    *,
    sets: Sequence[str],
    guards: Sequence[str],
    pick: str | None,
    desk: str,
    contact: bool = False,
    assigned: bool = False,
    point_of_row: bool = False,
) -> str:
    """The statement `transition` sends. `pick`: call-next's pick (`pick_statement` with only
    the id) as the target instead of a visit id. `contact`: one more column, whether anyone
    waits with a contact (`_WAITING_CONTACT_OF_U`). `assigned`: one more guard, the officer
    is assigned to the visit's office (`_assigned`). `point_of_row`: the desk-status row's
    and the event's desk are the visit's own (`service_point_id`, which the change keeps),
    not parameters. Parameters, in order: the target (the pick's parameters, or the visit
    id); the SET values; the old state, the guards' values (and the officer, for
    `assigned`); the desk-status row's officer, desk, time (and officer again, and the
    fallback status, for DESK_SESSION); the event's time, action, from state, desk, officer,
    outcome. The same arguments give the same text, built once (`_statement`)."""
    return _statement(tuple(sets), tuple(guards), pick, desk, contact, assigned, point_of_row)


@functools.lru_cache(maxsize=256)
def _statement(
    sets: tuple[str, ...],
    guards: tuple[str, ...],
    pick: str | None,
    desk: str,
    contact: bool,
    assigned: bool,
    point_of_row: bool,
) -> str:
    visit, event = Visit._meta.db_table, VisitEvent._meta.db_table
    target = pick if pick is not None else "SELECT %s::bigint AS id"
    if assigned:
        guards = (*guards, _assigned(user="%s", office="v.office_id"))
    point = "u.service_point_id" if point_of_row else "%s"
    where = " AND ".join(["v.id = t.id", "v.state = %s", *guards])
    parts = [
        f"WITH t AS ({target}),",
        f" u AS (UPDATE {visit} v SET {', '.join(sets)} FROM t WHERE {where}"
        f" RETURNING {_columns(Visit, 'v')}),",
    ]
    if desk:
        status = (
            "%s"
            if desk == DESK_SERVING
            else f"coalesce((SELECT s.status FROM {DeskSession._meta.db_table} s"
            " WHERE s.officer_id = %s), %s)"
        )
        parts.append(
            f" d AS (INSERT INTO {DeskStatusEvent._meta.db_table}"
            " (officer_id, office_id, service_point_id, at, status)"
            f" SELECT %s, u.office_id, {point}, %s, {status} FROM u),"
        )
    parts.append(
        f" e AS (INSERT INTO {event} (visit_id, office_id, service_id, at, action, from_state,"
        " to_state, service_point_id, officer_id, outcome)"
        f" SELECT u.id, u.office_id, u.service_id, %s, %s, %s, u.state, {point}, %s, %s FROM u"
        " RETURNING id)"
    )
    parts.append(
        f" SELECT {_columns(Visit, 'u')}, e.id, {_columns(Service, 's')},"
        f" {_columns(Agency, 'a')}, p.at, p.action, p.from_state, p.to_state, p.service_id, p.id"
        f"{f', {_WAITING_CONTACT_OF_U}' if contact else ''}"
        f" FROM u CROSS JOIN e JOIN {Service._meta.db_table} s ON s.id = u.service_id"
        f" JOIN {Agency._meta.db_table} a ON a.id = s.agency_id"
        " LEFT JOIN LATERAL (SELECT array_agg(x.at ORDER BY x.at, x.id) AS at,"
        " array_agg(x.action ORDER BY x.at, x.id) AS action,"
        " array_agg(x.from_state ORDER BY x.at, x.id) AS from_state,"
        " array_agg(x.to_state ORDER BY x.at, x.id) AS to_state,"
        " array_agg(x.service_id ORDER BY x.at, x.id) AS service_id,"
        " array_agg(x.id ORDER BY x.at, x.id) AS id"
        f" FROM {event} x WHERE x.visit_id = u.id) p ON true"
    )
    return "".join(parts)


def one_statement_transitions() -> bool:
    """Whether `transition` is used: PostgreSQL (data-modifying CTEs, `FOR UPDATE … SKIP
    LOCKED`). SQLite takes the ORM path of `services._transition`."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Expression:
    """A value of `transition`'s `values` written as SQL (no parameters), e.g. a column of
    its target `t`."""

    sql: str


def _column(name: str) -> str:
    field = Visit._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def _prep(name: str, value: object) -> tuple[str, Any]:
    field = Visit._meta.get_field(name)
    assert isinstance(field, models.Field)
    if isinstance(value, models.Model):
        value = value.pk
    return str(field.column), field.get_db_prep_save(value, connection)


def transition(
    *,
    visit_id: int | None,
    old_state: str,
    values: dict[str, object],
    guard: dict[str, object],
    at: dt.datetime,
    action: str,
    officer_id: int | None,
    service_point_id: int | None,
    outcome: str,
    desk: str = DESK_NONE,
    pick: tuple[str, list[object]] | None = None,
    contact: bool = False,
    errands: bool = False,
    assigned: bool = False,
    point_of_row: bool = False,
    lead: tuple[str, list[object]] | None = None,
    led: list[tuple[Any, ...]] | None = None,
) -> Transitioned | None:
    """Compare-and-swap one visit from `old_state` to `values` (with `guard` on other
    columns), write its desk-status row (`desk`) and its event, and read its earlier events,
    in one statement; None if no visit matched (state changed, or nothing to pick).
    `contact`: also whether anyone waits with a contact (`Transitioned.waiting_contact`).
    `errands`: also the visit's errands (`VISIT_ERRANDS`, a second statement in the same
    round trip; a visit id, not a pick). `assigned`: only if the officer is assigned to the
    visit's office. `point_of_row`: the desk is the visit's own (`service_point_id` is not
    used). `lead`: a statement (and its parameters) sent before it in the same round trip,
    as a statement of its own (its own snapshot, its locks taken first); its rows go into
    `led`, whether or not a visit matched. A value given as `Expression` is SQL."""
    sets, set_params = [], []
    for name, value in values.items():
        if isinstance(value, Expression):
            sets.append(f"{_column(name)} = {value.sql}")
            continue
        column, prepared = _prep(name, value)
        sets.append(f"{column} = %s")
        set_params.append(prepared)
    guards, guard_params = [], []
    for name, value in guard.items():
        column, prepared = _prep(name, value)
        guards.append(f"v.{column} = %s")
        guard_params.append(prepared)
    statement = transition_statement(
        sets=sets,
        guards=guards,
        pick=pick[0] if pick else None,
        desk=desk,
        contact=contact,
        assigned=assigned,
        point_of_row=point_of_row,
    )
    when = sql_datetime(at)
    point = [] if point_of_row else [service_point_id]
    params: list[Any] = list(pick[1]) if pick else [visit_id]
    params += [*set_params, old_state, *guard_params]
    if assigned:
        params.append(officer_id)
    if desk == DESK_SERVING:
        params += [officer_id, *point, when, DESK_SERVING]
    elif desk == DESK_SESSION:
        params += [officer_id, *point, when, officer_id, OfficerStatus.IDLE.value]
    params += [when, action, old_state, *point, officer_id, outcome]
    read_errands = errands and visit_id is not None
    if read_errands:
        statement = f"{statement}; {VISIT_ERRANDS}"
        params.append(visit_id)
    if lead is not None:
        statement = f"{lead[0]}; {statement}"
        params = [*lead[1], *params]
    with connection.cursor() as cursor:
        execute_opening(cursor, statement, params)
        if lead is not None:
            lead_rows = cursor.fetchall()
            if led is not None:
                led.extend(lead_rows)
            cursor.nextset()
        row = cursor.fetchone()
        errand_rows = cursor.fetchall() if read_errands and cursor.nextset() else []
    if row is None:
        return None
    n_visit, n_service, n_agency = (len(_attnames(m)) for m in (Visit, Service, Agency))
    event_id = int(row[n_visit])
    visit = _with_service([*row[:n_visit], *row[n_visit + 1 :]])
    first = n_visit + 1 + n_service + n_agency
    arrays = row[first : first + 6]
    earlier = list(zip(*arrays, strict=True)) if arrays[0] is not None else []
    return Transitioned(
        visit=visit,
        event_id=event_id,
        earlier_events=earlier,
        waiting_contact=bool(row[first + 6]) if contact else None,
        errands=[_errand_of(r) for r in errand_rows] if read_errands else None,
    )


# Call-next in one round trip (`services.call_next`): the desk session's lock, then (as a
# statement of its own, so its snapshot is taken once the lock is held, see
# `desk_session_statement`) the pick with the session's office and desk read in it, only for
# a session that is ready ("idle") at an office its officer is assigned to. The pick's
# target carries the desk (`t.point`) for the call's SET. Parameters: officer (session),
# officer (busy), officer (trained), now.
SESSION_PICK = pick_statement(
    columns="v.id, d.service_point_id AS point",
    office="d.office_id",
    service_point="d.service_point_id",
    sources=(
        f", (SELECT s.office_id, s.service_point_id FROM {DeskSession._meta.db_table} s"
        f" WHERE s.officer_id = %s AND s.status = '{OfficerStatus.IDLE.value}'"
        f" AND {_assigned(user='s.officer_id', office='s.office_id')}) d"
    ),
)
# The lock that goes first: the session's keys, status and assignment. Parameter: officer.
SESSION_LOCK = desk_session_statement(columns="s.id, s.service_point_id, s.office_id, s.status")


def session_pick_params(*, officer_id: int, now: dt.datetime) -> list[object]:
    return [officer_id, officer_id, officer_id, sql_datetime(now)]


# --- the services a desk can add a walk-in for or transfer to (the own-visit panel) ---------

# ORM: `queries.walk_in_services(office=…, day=…)` (after reading the office's operating
# dates): the services offered at the office on the day (`Offering.objects.valid_on`, empty
# if the office is not operating: `Office.objects.operating_on`), not appointment-only, with
# their agency, by agency and service name. Two round trips through the ORM, one here;
# `test_walk_in_services_sql` keeps the two equal. Parameters: office id, day ×3.
WALK_IN_SERVICES = (
    f"SELECT {_columns(Service, 's')}, {_columns(Agency, 'a')}"
    f" FROM {Service._meta.db_table} s JOIN {Agency._meta.db_table} a ON a.id = s.agency_id"
    f" WHERE s.mode <> '{ServiceMode.APPOINTMENT_ONLY.value}' AND s.id IN (SELECT o.service_id"
    f" FROM {Offering._meta.db_table} o JOIN {Office._meta.db_table} f ON f.id = o.office_id"
    " WHERE o.office_id = %s AND o.valid_from <= %s AND (o.valid_to IS NULL OR o.valid_to >= %s)"
    " AND f.opened_on <= %s AND (f.closed_on IS NULL OR f.closed_on > %s))"
    " ORDER BY a.name_sv, s.name_sv, s.id"
)


def walk_in_services(*, office_id: int, day: dt.date) -> list[Service]:
    """`queries.walk_in_services` in one statement, each service with its agency attached."""
    with connection.cursor() as cursor:
        cursor.execute(WALK_IN_SERVICES, [office_id, day, day, day, day])
        rows = cursor.fetchall()
    n_service = len(_attnames(Service))
    out = []
    for row in rows:
        service = _from_row(Service, row[:n_service])
        service.agency = _from_row(Agency, row[n_service:])
        out.append(service)
    return out


# --- a waiting visit's place in line: the ticket page and "your turn is near" --------------
#
# Who is before a waiting visit `t` is who competes with it for the same desks: the desks
# that can serve it now (`OPEN_DESKS_OF_T`: a desk session of its office, ready, whose
# officer and desk may serve its service, the rule of call-next's pick,
# `servable_services_sql`), and of the visits those desks can serve, the ones call-next takes
# before it (`CALL_ORDER`, the pick's ORDER BY itself: `t`'s row number among them, less one).
# A visit that no such desk can serve (another agency, equipment those desks lack) is not
# before it, whenever it came. With no such desk open there is no line to stand in yet: then
# the visits the officers who would serve it can serve compete (`_FALLBACK_COMPETING_WITH_T`:
# the services of every agency an active officer of the office trained for `t`'s agency is
# trained for, and of `t`'s own agency), not everyone waiting at the office: a ticket for an
# agency whose desk has not opened does not stand behind the people the other agencies'
# open desks are serving (walk F5; decision 0103; the ticket page says nobody serves yet).
# For a single desk and no new arrivals the count is the number of visits that desk calls
# before `t` (`test_place_in_line`'s property).
# The outer visit is `t`; `v`, `d`, `q` (and `servable_services_sql`'s `s`, `c`, `e`, and
# the fallback's `ts`, `fs`, `c1`, `c2`, `oa`, `ou`) are taken. Parameter: now
# (`CALL_ORDER`'s).


def _may_serve(*, desk: str, service: str) -> str:
    """SQL: the desk session `desk` (alias) may serve the service id `service` (by the
    service's key: an index lookup, not a scan of the services)."""
    servable = servable_services_sql(
        officer=f"{desk}.officer_id",
        service_point=f"{desk}.service_point_id",
        where=f" AND s.id = {service}",
    )
    return f"EXISTS ({servable})"


_DESKS_OF_T = (
    "d.office_id = t.office_id"
    f" AND d.status = '{OfficerStatus.IDLE.value}'"
    f" AND {_may_serve(desk='d', service='t.service_id')}"
)
# The desks that can serve `t` now (the estimate's capacity).
OPEN_DESKS_OF_T = f"(SELECT COUNT(*) FROM {DeskSession._meta.db_table} d WHERE {_DESKS_OF_T})"
# The services those desks can serve: whose visits compete with `t` (one set per `t`).
_COMPETING_WITH_T = servable_services_sql(
    officer="d.officer_id",
    service_point="d.service_point_id",
    desks=f"{DeskSession._meta.db_table} d CROSS JOIN ",
    where=f" AND {_DESKS_OF_T}",
)
# With no desk open that can serve `t`: the services of `t`'s agency and of every agency an
# active officer assigned to `t`'s office, trained for `t`'s agency, is trained for (the
# visits such an officer would take too when the desk opens). ORM: `queries._desks_for`.
_FALLBACK_COMPETING_WITH_T = (
    f"SELECT fs.id FROM {Service._meta.db_table} fs WHERE fs.agency_id IN"
    f" (SELECT ts.agency_id FROM {Service._meta.db_table} ts WHERE ts.id = t.service_id"
    f" UNION SELECT c2.agency_id FROM {Service._meta.db_table} ts"
    f" JOIN {Competence._meta.db_table} c1 ON c1.agency_id = ts.agency_id"
    f" JOIN {OfficeAssignment._meta.db_table} oa ON oa.user_id = c1.user_id"
    " AND oa.office_id = t.office_id"
    f" JOIN {User._meta.db_table} ou ON ou.id = c1.user_id AND ou.is_active"
    f" JOIN {Competence._meta.db_table} c2 ON c2.user_id = c1.user_id"
    " WHERE ts.id = t.service_id)"
)
# The visits call-next takes before `t` among those competing with it (0 if `t` is not
# waiting).
AHEAD_OF_T = (
    "(SELECT COALESCE(MAX(q.n), 1) - 1 FROM"
    f" (SELECT v.id, ROW_NUMBER() OVER (ORDER BY {CALL_ORDER}) AS n"
    f" FROM {Visit._meta.db_table} v WHERE v.office_id = t.office_id"
    f" AND v.state = '{VisitState.WAITING.value}' AND (v.id = t.id"
    f" OR v.service_id IN ({_COMPETING_WITH_T})"
    f" OR (NOT EXISTS (SELECT 1 FROM {DeskSession._meta.db_table} d WHERE {_DESKS_OF_T})"
    f" AND v.service_id IN ({_FALLBACK_COMPETING_WITH_T})))) q WHERE q.id = t.id)"
)

# --- the kiosk's ticket page ------------------------------------------------------------------

# ORM: `Visit.objects.get(pk=…, office=…)` then `queries.wait_info(office=…, service=…,
# exclude=visit)`: the visit's place in line (`AHEAD_OF_T`), the desks that can serve it now
# (`OPEN_DESKS_OF_T`) and the number of the desk that called it. One statement;
# `test_kiosk_ticket_sql` and `test_place_in_line` keep it equal to the ORM.
# Parameters: now, visit id, office id.
KIOSK_TICKET = (
    f"SELECT {_columns(Visit, 't')}, {AHEAD_OF_T}, {OPEN_DESKS_OF_T},"
    # The number of the desk that called it (the lobby board's "desk 3").
    f" (SELECT sp.number FROM {ServicePoint._meta.db_table} sp WHERE sp.id = t.service_point_id)"
    f" FROM {Visit._meta.db_table} t WHERE t.id = %s AND t.office_id = %s"
)


def kiosk_ticket(
    *, visit_id: int, office_id: int, now: dt.datetime
) -> tuple[Visit, int, int, int | None] | None:
    """The visit (without its service), the visits before it in line at `now` (`AHEAD_OF_T`),
    the desks that can serve it now and the number of the visit's desk (None without one);
    None if no such visit there."""
    at = sql_datetime(now)
    with connection.cursor() as cursor:
        cursor.execute(KIOSK_TICKET, [at, visit_id, office_id])
        row = cursor.fetchone()
    if row is None:
        return None
    n_visit = len(_attnames(Visit))
    desk = row[n_visit + 2]
    return (
        _from_row(Visit, row[:n_visit]),
        int(row[n_visit]),
        int(row[n_visit + 1]),
        None if desk is None else int(desk),
    )


# --- "your turn is near": the waiting visits that asked to be told ---------------------------

# Each waiting visit of the office with a contact and not told yet, with its place in line
# (`AHEAD_OF_T`, what its ticket page shows). Parameters: now, office id.
WAITING_TO_TELL = (
    f"SELECT t.id, {AHEAD_OF_T} FROM {Visit._meta.db_table} t"
    f" WHERE t.office_id = %s AND t.state = '{VisitState.WAITING.value}'"
    " AND t.notified_at IS NULL AND t.notify_contact <> '' ORDER BY t.id"
)


def waiting_to_tell(*, office_id: int, now: dt.datetime) -> list[tuple[int, int]]:
    """(visit id, visits before it in line) of each waiting visit of the office that left a
    contact and has not been told yet, by id."""
    at = sql_datetime(now)
    with connection.cursor() as cursor:
        cursor.execute(WAITING_TO_TELL, [at, office_id])
        return [(int(pk), int(ahead)) for pk, ahead in cursor.fetchall()]


# --- a desk's waiting list (the list fragment, `desk/_waiting.html`) -------------------------

# ORM (`desk.views._waiting_context` before): `in_call_order(waiting.filter(service_id__in=…))
# [:50]`, `parked_visits(…).filter(service_id__in=…)` and `waiting_visits(…).count()`, three
# round trips each building full visits with their service and agency. Here one statement,
# only the columns the list shows: the office's waiting count (kind 0), the first 50 waiting
# of the desk's services in call order (kind 1; the order of `queries.in_call_order` and
# `pick_statement`, kept equal by `test_call_order_key`), the parked ones of those services
# by queue time (kind 2). Parameters: office id, office id, now, the service ids, office id,
# the service ids.
_LISTED = (
    "v.id, v.ticket_letter, v.ticket_number, v.booked_start, v.priority, v.arrived_at,"
    " s.name_sv, s.name_en"
)
_NO_VISIT = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"


def desk_waiting_list_statement(n_services: int) -> str:
    """The statement for `n_services` service ids (none: the count only)."""
    services = ", ".join(["%s"] * n_services) if n_services else "NULL"
    visit, service = Visit._meta.db_table, Service._meta.db_table
    return (
        f"SELECT 0, COUNT(*), {_NO_VISIT} FROM {visit} v"
        f" WHERE v.office_id = %s AND v.state = '{VisitState.WAITING.value}'"
        " UNION ALL SELECT * FROM ("
        f"SELECT 1, ROW_NUMBER() OVER (ORDER BY {CALL_ORDER}) AS n, {_LISTED}"
        f" FROM {visit} v JOIN {service} s ON s.id = v.service_id"
        f" WHERE v.office_id = %s AND v.state = '{VisitState.WAITING.value}'"
        f" AND v.service_id IN ({services})"
        " ORDER BY n LIMIT 50) w"
        " UNION ALL SELECT * FROM ("
        f"SELECT 2, ROW_NUMBER() OVER (ORDER BY v.queued_at, v.id) AS n, {_LISTED}"
        f" FROM {visit} v JOIN {service} s ON s.id = v.service_id"
        f" WHERE v.office_id = %s AND v.state = '{VisitState.ON_HOLD.value}'"
        f" AND v.service_id IN ({services})) p"
        " ORDER BY 1, 2"
    )


class ListedService:
    """A listed visit's service: its name only (`Service.name`, in the active language)."""

    __slots__ = ("name_en", "name_sv")

    def __init__(self, name_sv: str, name_en: str) -> None:
        self.name_sv, self.name_en = name_sv, name_en

    @property
    def name(self) -> str:
        return pick_language(self.name_sv, self.name_en)


class ListedVisit:
    """What a desk's waiting list shows of a visit (the names `Visit` gives them)."""

    __slots__ = (
        "arrived_at",
        "booked_start",
        "pk",
        "priority",
        "service",
        "ticket_letter",
        "ticket_number",
    )

    def __init__(self, row: Sequence[Any]) -> None:
        self.pk: int = row[0]
        self.ticket_letter: str = row[1]
        self.ticket_number: int | None = row[2]
        self.booked_start: dt.datetime | None = row[3]
        self.priority: int = row[4]
        self.arrived_at: dt.datetime = row[5]
        self.service = ListedService(row[6], row[7])

    @property
    def ticket(self) -> str:
        """`Visit.ticket`."""
        if self.ticket_number is None:
            return ""
        return f"{self.ticket_letter}-{self.ticket_number:03d}"


@dataclass(frozen=True)
class DeskWaitingList:
    waiting: list[ListedVisit]  # at most 50, of the desk's services, in call order
    parked: list[ListedVisit]  # of the desk's services, by queue time
    waiting_total: int  # everyone waiting at the office


def _datetime_converters() -> tuple[Any, list[Any]]:
    """The column and converters of a visit's datetime as the ORM applies them (SQLite hands
    back text; PostgreSQL has none)."""
    expression = Visit._meta.get_field("arrived_at").get_col(Visit._meta.db_table)
    converters = connection.ops.get_db_converters(expression)
    return expression, converters + expression.get_db_converters(connection)


def desk_waiting_list(*, office_id: int, services: list[int], now: dt.datetime) -> DeskWaitingList:
    """A desk's waiting list in one statement (`desk_waiting_list_statement`)."""
    moment = sql_datetime(now)
    params = [office_id, moment, office_id, *services, office_id, *services]
    with connection.cursor() as cursor:
        cursor.execute(desk_waiting_list_statement(len(services)), params)
        rows = cursor.fetchall()
    expression, converters = _datetime_converters()
    total = 0
    waiting: list[ListedVisit] = []
    parked: list[ListedVisit] = []
    for row in rows:
        if row[0] == 0:
            total = int(row[1])
            continue
        values = list(row[2:])
        for i in (3, 5):  # booked_start, arrived_at
            for converter in converters:
                values[i] = converter(values[i], expression, connection)
        (waiting if row[0] == 1 else parked).append(ListedVisit(values))
    return DeskWaitingList(waiting=waiting, parked=parked, waiting_total=total)


# --- the lobby board (`lobby/_board.html`) ----------------------------------------------------

# Typed NULLs for the kinds of a UNION ALL that have no value in a column (PostgreSQL resolves
# a UNION's column types pair by pair from the left: two bare NULLs would become text).
_NULL_INT = "CAST(NULL AS integer)"
_NULL_TEXT = "CAST(NULL AS text)"
_NULL_AT = "CAST(NULL AS timestamp with time zone)"

# ORM (`queries.recent_calls` and `queries.waiting_visits(…).count()` before): the office's
# latest CALL/RECALL events of the day at a desk, `select_related("visit", "service_point")`,
# newest first, `limit * 3` of them, and the office's waiting count: two round trips building
# an event, a visit and a desk per row. Here one statement and only what the board shows: the
# waiting count (kind 0), then per event (kind 1) its id, the visit, the ticket's letter and
# number, the desk's number, the time, and whether the visit is still called to that desk.
# `desk/tests/test_screen_rows.py` keeps it equal to the ORM (the old code is kept there).
# Parameters: office id, office id, start of the local day, the number of events.
LOBBY_BOARD = (
    f"SELECT 0, COUNT(*), {_NULL_INT}, {_NULL_TEXT}, {_NULL_INT}, {_NULL_INT}, {_NULL_AT},"
    f" {_NULL_INT} FROM {Visit._meta.db_table} v"
    f" WHERE v.office_id = %s AND v.state = '{VisitState.WAITING.value}'"
    " UNION ALL SELECT * FROM ("
    "SELECT 1, e.id, e.visit_id, v.ticket_letter, v.ticket_number, p.number, e.at,"
    f" CASE WHEN v.state = '{VisitState.CALLED.value}'"
    " AND v.service_point_id = e.service_point_id THEN 1 ELSE 0 END"
    f" FROM {VisitEvent._meta.db_table} e JOIN {Visit._meta.db_table} v ON v.id = e.visit_id"
    f" JOIN {ServicePoint._meta.db_table} p ON p.id = e.service_point_id"
    " WHERE e.office_id = %s AND e.at >= %s AND e.action IN"
    f" ('{VisitAction.CALL.value}', '{VisitAction.RECALL.value}')"
    " ORDER BY e.at DESC, e.id DESC LIMIT %s) c"
    " ORDER BY 1, 7 DESC, 2 DESC"
)


@dataclass(frozen=True)
class BoardEvent:
    """A call or recall as the board shows it."""

    visit_id: int
    ticket: str  # `Visit.ticket`
    desk: int
    at: dt.datetime
    active: bool  # the visit is still called, to this desk


def lobby_board(*, office_id: int, since: dt.datetime, events: int) -> tuple[int, list[BoardEvent]]:
    """The office's waiting count and its latest `events` calls and recalls at a desk since
    `since`, newest first (`LOBBY_BOARD`)."""
    params = [office_id, office_id, sql_datetime(since), events]
    with connection.cursor() as cursor:
        cursor.execute(LOBBY_BOARD, params)
        rows = cursor.fetchall()
    expression, converters = _datetime_converters()
    waiting = 0
    out: list[BoardEvent] = []
    for kind, n, visit_id, letter, number, desk, at, active in rows:
        if kind == 0:
            waiting = int(n)
            continue
        for converter in converters:
            at = converter(at, expression, connection)
        ticket = "" if number is None else f"{letter}-{number:03d}"
        out.append(BoardEvent(visit_id, ticket, desk, at, bool(active)))
    return waiting, out


# --- the manager's live view (`desk/_live_panel.html`) ---------------------------------------

# ORM (`queries.average_wait_minutes` before): per visit first called since the start of the
# day, its ISSUE/CHECK_IN time (the latest) and its first CALL, from all its events, ordered
# by visit. Columns: visit id, entered, first call. Parameters: office id, since, since.
# `queueing/tests/test_average_wait.py` checks the mean from these rows against every event
# read into Python; `desk/tests/test_screen_rows.py` against the ORM aggregate.
_VISIT_WAITS = (
    "SELECT w.visit_id, w.entered, w.first_call FROM (SELECT e.visit_id,"
    f" MAX(CASE WHEN e.action IN ('{VisitAction.ISSUE.value}', '{VisitAction.CHECK_IN.value}')"
    " THEN e.at END) AS entered,"
    f" MIN(CASE WHEN e.action = '{VisitAction.CALL.value}' THEN e.at END) AS first_call"
    f" FROM {VisitEvent._meta.db_table} e WHERE e.visit_id IN (SELECT c.visit_id"
    f" FROM {VisitEvent._meta.db_table} c WHERE c.office_id = %s"
    f" AND c.action = '{VisitAction.CALL.value}' AND c.at >= %s)"
    " GROUP BY e.visit_id) w WHERE w.entered IS NOT NULL AND w.first_call >= %s"
)
VISIT_WAITS = f"{_VISIT_WAITS} ORDER BY w.visit_id"

_ACTIVE = f"('{VisitState.CALLED.value}', '{VisitState.SERVING.value}')"
# ORM (`queries.office_overview` before): every waiting visit with its service and agency
# (`waiting_visits`), the count of today's FINISH events, the per-visit waits above, the desk
# sessions with officer and desk and the office's called or served visits: five round trips
# and a model instance per visit, service, agency, session, officer and desk. Here one
# statement of light rows, columns (kind, n, m, t1, t2, a, b, c, d, e, f):
# - kind 0, per service with someone waiting: n waiting, m the service id, t1 the earliest
#   arrival, a-d the agency's and the service's names (sv, en);
# - kind 1: n today's FINISH events of visits of today (`Visit.local_day`): the visits served
#   today, once each — the statistics' "served" of today (`DayFigures.served`, decision 0059);
# - kind 2, per visit first called today (`_VISIT_WAITS`): m the visit, t1 entered, t2 first
#   call;
# - kind 3, per desk session (and its officer's called or served visit of the office, if any):
#   m the desk's number, n the visit's ticket number, a-c the officer's first and last name
#   and username, d the status, e the visit's state, f its ticket letter;
# - kind 4, per parked (on hold) visit: n its ticket number, m the number of the desk that put
#   it on hold, t1 when (its latest event into the state), t2 its queue time, a-d the agency's
#   and the service's names (sv, en), e its ticket letter, f the officer who put it on hold
#   (first and last name, else the username).
# `desk/tests/test_screen_rows.py` keeps it equal to the ORM (the old code is kept there).
# Parameters: office id, office id, start of the day, the local day, office id, start of the
# day, start of the day, office id, office id.
_FULL_NAME = "TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, ''))"
LIVE_OVERVIEW = (
    f"SELECT 0, COUNT(*), s.id, MIN(v.arrived_at), {_NULL_AT},"
    f" a.name_sv, a.name_en, s.name_sv, s.name_en, {_NULL_TEXT}, {_NULL_TEXT}"
    f" FROM {Visit._meta.db_table} v JOIN {Service._meta.db_table} s ON s.id = v.service_id"
    f" JOIN {Agency._meta.db_table} a ON a.id = s.agency_id"
    f" WHERE v.office_id = %s AND v.state = '{VisitState.WAITING.value}'"
    " GROUP BY s.id, a.name_sv, a.name_en, s.name_sv, s.name_en"
    f" UNION ALL SELECT 1, COUNT(*), {_NULL_INT}, {_NULL_AT}, {_NULL_AT}, {_NULL_TEXT},"
    f" {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT}"
    f" FROM {VisitEvent._meta.db_table} f JOIN {Visit._meta.db_table} fv ON fv.id = f.visit_id"
    f" WHERE f.office_id = %s AND f.at >= %s AND f.action = '{VisitAction.FINISH.value}'"
    " AND fv.local_day = %s"
    f" UNION ALL SELECT 2, {_NULL_INT}, x.visit_id, x.entered, x.first_call, {_NULL_TEXT},"
    f" {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT}"
    f" FROM ({_VISIT_WAITS}) x"
    f" UNION ALL SELECT 3, v.ticket_number, p.number, {_NULL_AT}, {_NULL_AT},"
    " u.first_name, u.last_name, u.username, d.status, v.state, v.ticket_letter"
    f" FROM {DeskSession._meta.db_table} d JOIN {User._meta.db_table} u ON u.id = d.officer_id"
    f" JOIN {ServicePoint._meta.db_table} p ON p.id = d.service_point_id"
    f" LEFT JOIN {Visit._meta.db_table} v ON v.officer_id = d.officer_id"
    f" AND v.office_id = d.office_id AND v.state IN {_ACTIVE}"
    " WHERE d.office_id = %s"
    f" UNION ALL SELECT 4, v.ticket_number, p.number, h.at, v.queued_at,"
    " a.name_sv, a.name_en, s.name_sv, s.name_en, v.ticket_letter,"
    f" CASE WHEN {_FULL_NAME} = '' THEN u.username ELSE {_FULL_NAME} END"
    f" FROM {Visit._meta.db_table} v JOIN {Service._meta.db_table} s ON s.id = v.service_id"
    f" JOIN {Agency._meta.db_table} a ON a.id = s.agency_id"
    f" LEFT JOIN {VisitEvent._meta.db_table} h ON h.id = (SELECT h2.id"
    f" FROM {VisitEvent._meta.db_table} h2 WHERE h2.visit_id = v.id"
    f" AND h2.to_state = '{VisitState.ON_HOLD.value}' ORDER BY h2.at DESC, h2.id DESC LIMIT 1)"
    f" LEFT JOIN {ServicePoint._meta.db_table} p ON p.id = h.service_point_id"
    f" LEFT JOIN {User._meta.db_table} u ON u.id = h.officer_id"
    f" WHERE v.office_id = %s AND v.state = '{VisitState.ON_HOLD.value}'"
    " ORDER BY 1, 3, 2"
)


@dataclass(frozen=True)
class WaitingGroup:
    """The visits waiting for one service (kind 0 of `LIVE_OVERVIEW`)."""

    service_id: int
    waiting: int
    earliest_arrival: dt.datetime
    agency_sv: str
    agency_en: str
    service_sv: str
    service_en: str


@dataclass(frozen=True)
class ParkedVisit:
    """A parked (on hold) visit and who put it on hold (kind 4)."""

    ticket: str  # `Visit.ticket`
    agency_sv: str
    agency_en: str
    service_sv: str
    service_en: str
    since: dt.datetime  # put on hold (its queue time if no such event is recorded)
    desk: int | None  # the desk's number; None if not recorded
    officer: str  # "" if not recorded


@dataclass(frozen=True)
class DeskRow:
    """A desk session with its officer and the officer's called or served visit (kind 3)."""

    desk: int
    first_name: str
    last_name: str
    username: str
    status: str
    visit_state: str | None  # None: no called or served visit
    ticket: str  # `Visit.ticket` of that visit; "" if none


@dataclass(frozen=True)
class LiveRows:
    groups: list[WaitingGroup]  # by service id
    served: int
    waits: list[tuple[dt.datetime, dt.datetime]]  # (entered, first call) per visit, by visit
    desks: list[DeskRow]  # by desk number (a later row of a desk: a later visit)
    parked: list[ParkedVisit]  # the office's parked visits


def live_overview(*, office_id: int, since: dt.datetime, day: dt.date) -> LiveRows:
    """What the live view shows of the office since `since` (the start of the local `day`),
    in one statement (`LIVE_OVERVIEW`)."""
    at = sql_datetime(since)
    params = [office_id, office_id, at, day, office_id, at, at, office_id, office_id]
    with connection.cursor() as cursor:
        cursor.execute(LIVE_OVERVIEW, params)
        rows = cursor.fetchall()
    expression, converters = _datetime_converters()

    def when(value: Any) -> Any:
        for converter in converters:
            value = converter(value, expression, connection)
        return value

    groups: list[WaitingGroup] = []
    waits: list[tuple[dt.datetime, dt.datetime]] = []
    desks: list[DeskRow] = []
    parked: list[ParkedVisit] = []
    served = 0
    for kind, n, m, t1, t2, a, b, c, d, e, f in rows:
        if kind == 0:
            groups.append(WaitingGroup(m, int(n), when(t1), a, b, c, d))
        elif kind == 1:
            served = int(n)
        elif kind == 2:
            waits.append((when(t1), when(t2)))
        elif kind == 3:
            ticket = "" if n is None else f"{f}-{n:03d}"
            desks.append(DeskRow(m, a, b, c, d, e, ticket))
        else:
            ticket = "" if n is None else f"{e}-{n:03d}"
            since = when(t2) if t1 is None else when(t1)
            parked.append(ParkedVisit(ticket, a, b, c, d, since, m, f or ""))
    return LiveRows(groups=groups, served=served, waits=waits, desks=desks, parked=parked)


def visit_waits(*, office_id: int, since: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Kind 2 of `LIVE_OVERVIEW` alone (`VISIT_WAITS`): (entered, first call) per visit."""
    at = sql_datetime(since)
    with connection.cursor() as cursor:
        cursor.execute(VISIT_WAITS, [office_id, at, at])
        rows = cursor.fetchall()
    expression, converters = _datetime_converters()
    out = []
    for _visit, entered, called in rows:
        for converter in converters:
            entered = converter(entered, expression, connection)
            called = converter(called, expression, connection)
        out.append((entered, called))
    return out


# --- the live view's poll: the office, the asker's assignment and the two versions ---------

# ORM (`desk.views._managed_office` and the live view's tag before): `get_object_or_404(Office,
# code=…)`, `user.assignments.filter(office=…).exists()` (`permissions.can_manage`), then
# `OFFICE_EVENTS_TODAY` and `OFFICE_DESK_SESSIONS` of that office: four round trips, two of
# them built by the ORM, for a 304. Here one statement: kind 0 (none: no office has the code)
# is the office's id, its `_EVENT_COUNTS_OF_E` since the start of the day, and whether the user
# is assigned to it (`_assigned`); kind 1, per desk session of the office, by id, the columns of
# `OFFICE_DESK_SESSIONS` (id, officer, desk, status, since) as they come from the database.
# `desk/tests/test_live_poll.py` keeps it equal to the ORM and the two statements (the old
# functions are called there). Parameters: officer id (0: no own events counted), user id,
# start of the local day, office code, office code.
LIVE_POLL = (
    f"SELECT 0, o.id, {_EVENT_COUNTS_OF_E},"
    f" CASE WHEN {_assigned(user='%s', office='o.id')} THEN 1 ELSE 0 END,"
    f" {_NULL_TEXT}, {_NULL_AT}"
    f" FROM {Office._meta.db_table} o"
    f" LEFT JOIN {VisitEvent._meta.db_table} e ON e.office_id = o.id AND e.at >= %s"
    " WHERE o.code = %s GROUP BY o.id"
    " UNION ALL SELECT 1, d.id, d.officer_id, d.service_point_id, NULL, NULL, NULL, NULL,"
    f" d.status, d.since FROM {DeskSession._meta.db_table} d"
    f" JOIN {Office._meta.db_table} q ON q.id = d.office_id WHERE q.code = %s"
    " ORDER BY 1, 2"
)


@dataclass(frozen=True)
class LivePoll:
    office_id: int
    assigned: bool  # the user is assigned to the office
    counts: EventCounts  # since the start of the day (`officer`: 0)
    sessions: list[tuple[object, ...]]  # `office_desk_sessions(office_id=…)`


def live_poll(*, office_code: str, user_id: int, since: dt.datetime) -> LivePoll | None:
    """The office with the code, whether the user is assigned to it, its event counts since
    `since` and its desk sessions, from one statement (`LIVE_POLL`); None if no office has
    the code."""
    with connection.cursor() as cursor:
        cursor.execute(LIVE_POLL, [0, user_id, sql_datetime(since), office_code, office_code])
        rows = cursor.fetchall()
    if not rows or rows[0][0] != 0:
        return None
    head = rows[0]
    return LivePoll(
        office_id=int(head[1]),
        assigned=bool(head[7]),
        counts=EventCounts(*(int(v) for v in head[2:7])),
        sessions=[(*row[1:4], row[8], _as_declared(row[9])) for row in rows[1:]],
    )


def _as_declared(since: Any) -> Any:
    """A session's `since` as `OFFICE_DESK_SESSIONS` gives it. SQLite's driver converts a
    column by its declared type (Django registers `parse_datetime` for "datetime"); a
    UNION's column has none, so the text comes back: converted here the same way (naive, as
    the driver gives it). PostgreSQL: a datetime already."""
    return parse_datetime(since) if isinstance(since, str) else since
