"""Keeping the rollups equal to the visit log, and proving it.

Incremental path: the queue sends `visit_event_appended` / `errands_recorded` inside the
transaction of every change (queueing/signals.py). The receiver reads the visit's events
and errands (a handful of rows, by index), computes the visit's contributions before and
after the change with `measures.visit_contributions`, and adds the difference with one
`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` per rollup row (on PostgreSQL all of a
change's upserts in one round trip, run in order: `apply`). The upsert takes
the rollup row's lock until commit; two desks of one office serialise on it only for the
rest of their (short) transactions, and rows are always upserted in sorted key order, so two
transactions cannot deadlock on them. Why not a task after commit: decision 0014.

Recompute path: `recompute` streams the raw log of a period through the same function;
`compare` lists every row where the two differ; `rewrite` replaces the period's rollups.
"""

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db import connection, transaction
from django.dispatch import receiver

from servicekontor.catalog.models import Service
from servicekontor.core import bulk_indexes, clock
from servicekontor.core.sql_datetime import sql_datetime
from servicekontor.network import registry_cache
from servicekontor.queueing.models import DeskStatusEvent, Errand, Visit, VisitEvent, VisitSource
from servicekontor.queueing.signals import errands_recorded, visit_event_appended, visit_withdrawn
from servicekontor.reports import measures
from servicekontor.reports.models import (
    DayFigures,
    ErrandFigures,
    HourFigures,
    MonthFigures,
    MonthWaitFigures,
    OccupancyFigures,
    WaitFigures,
)

# rollup kind -> (model, key columns after office/service/local_day, value columns)
TABLES: dict[str, tuple[type[Any], tuple[str, ...], tuple[str, ...]]] = {
    "day": (DayFigures, (), measures.DAY_FIELDS),
    "errand": (ErrandFigures, ("outcome", "language"), ("errands",)),
    "hour": (HourFigures, ("hour",), ("arrivals",)),
    "wait": (WaitFigures, ("minute",), ("visits",)),
}

_EVENT_FIELDS = ("at", "action", "from_state", "to_state", "service_id")
_ERRAND_FIELDS = (
    "service_id",
    "outcome",
    "interpreter_used",
    "interpreter_language",
    "service_seconds",
    "first_for_agency",
)


def visit_row(visit: Visit) -> measures.VisitRow:
    return measures.VisitRow(
        visit_id=visit.pk,
        office_id=visit.office_id,
        local_day=visit.local_day,
        booked=visit.source == VisitSource.APPOINTMENT,
        arrived_at=visit.arrived_at,
        booked_start=visit.booked_start,
    )


def _events(visit_id: int) -> list[tuple[int, measures.EventRow]]:
    rows = VisitEvent.objects.filter(visit_id=visit_id).order_by("at", "id")
    return [(r[0], measures.EventRow(*r[1:])) for r in rows.values_list("id", *_EVENT_FIELDS)]


@receiver(visit_event_appended, dispatch_uid="reports.rollups.event")
def _on_event(
    sender: Any,
    *,
    visit: Visit,
    event: VisitEvent,
    events: list[tuple[Any, ...]] | None = None,
    **kwargs: Any,
) -> None:
    """The events' part of the visit's contributions before and after the new event (the
    errands' part does not depend on events). One indexed read of the visit's events, none
    for the event that creates the visit (the only one with no state before it: issue,
    check-in, a booked no-show), which is then the visit's only event, and none when the
    sender read them with its change (`events`: the visit's events with the new one, in log
    order, as (at, action, from_state, to_state, service_id, id): `queueing.sql.transition`)."""
    if events is not None:
        found = [(e[5], measures.EventRow(*e[:5])) for e in events]
    elif event.from_state == "":
        found = [(event.pk, measures.EventRow(*(getattr(event, f) for f in _EVENT_FIELDS)))]
    else:
        found = _events(visit.pk)
    row = visit_row(visit)
    earlier = [e for i, e in found if i != event.pk]
    now = [e for _, e in found]
    before = measures.event_contributions(row, earlier)
    after = measures.event_contributions(row, now)
    change = measures.difference(before, after)
    measures.add_into(change, _reach_change(row, earlier, now, visit=visit))
    apply(change)


def _reach_change(
    row: measures.VisitRow,
    earlier: list[measures.EventRow],
    now: list[measures.EventRow],
    *,
    visit: Visit | None = None,
) -> measures.Contributions:
    """What a new event changes in the visits that reached each agency
    (`measures.reach_contributions`): nothing unless it brings a service the visit had not
    had (its arrival, a transfer to a new service). The arrival: no errands yet and one
    service (its agency does not matter). A transfer to a new service: the visit's errands
    (those its change read with it, `queueing.queries.attach_errands`, else one read) and
    the services' agencies (from the registry cache, `_agencies_of`) — an agency reached
    through an added errand before is now reached through the transfer, if that comes first
    in the log. They were two reads on every transfer (issue 13's desk statements)."""
    services = {e.service_id for e in now}
    if services == {e.service_id for e in earlier}:
        return {}
    if not earlier:
        agency_of = dict.fromkeys(services, 0)
        return measures.reach_contributions(row, now, [], agency_of)
    attached = getattr(visit, "_prefetched_objects_cache", {}).get("errands") if visit else None
    if attached is not None:
        errands = [measures.ErrandRow(*(getattr(e, f) for f in _ERRAND_FIELDS)) for e in attached]
    else:
        errands = [
            measures.ErrandRow(*r)
            for r in Errand.objects.filter(visit_id=row.visit_id)
            .order_by("position")
            .values_list(*_ERRAND_FIELDS)
        ]
    agency_of = _agencies_of(services | {e.service_id for e in errands})
    return measures.difference(
        measures.reach_contributions(row, earlier, errands, agency_of),
        measures.reach_contributions(row, now, errands, agency_of),
    )


def _agencies_of(ids: set[int]) -> dict[int, int]:
    """Each service's agency: every service's, kept under the registry version
    (`network.registry_cache.cached_here`: a service's change retires it); a service not
    in it (created a moment ago, seen before the version moved) is read."""
    known: dict[int, int] = registry_cache.cached_here(
        "service-agencies", (), lambda: dict(Service.objects.values_list("id", "agency_id"))
    )
    found = {i: known[i] for i in ids if i in known}
    missing = ids - found.keys()
    if missing:
        found |= dict(Service.objects.filter(pk__in=missing).values_list("id", "agency_id"))
    return found


@receiver(errands_recorded, dispatch_uid="reports.rollups.errands")
def _on_errands(sender: Any, *, visit: Visit, errands: list[Errand], **kwargs: Any) -> None:
    """New errands add their own contributions (each errand counts on its own); no read."""
    rows = [
        measures.ErrandRow(
            e.service_id,
            e.outcome,
            e.interpreter_used,
            e.interpreter_language,
            e.service_seconds,
            e.first_for_agency,
        )
        for e in errands
    ]
    row = visit_row(visit)
    change = measures.errand_contributions(row, rows)
    measures.add_into(change, _reach_by_errands(row, visit, errands))
    apply(change)


def _reach_by_errands(
    row: measures.VisitRow, visit: Visit, errands: list[Errand]
) -> measures.Contributions:
    """New served errands reach an agency (`measures.reach_contributions`) only if no event
    of the visit has a service of it; an errand of the visit's own service never does (the
    visit arrived for it or was transferred to it), so the usual finish reads nothing. An
    errand added for another service: the agencies of the visit's events are read."""
    added = [
        e
        for e in errands
        if e.first_for_agency
        and e.outcome != measures.HANDED_ON
        and e.service_id != visit.service_id
    ]
    if not added:
        return {}
    reached = set(
        VisitEvent.objects.filter(visit_id=visit.pk)
        .values_list("service__agency_id", flat=True)
        .distinct()
    )
    out: measures.Contributions = {}
    for errand in added:
        if errand.service.agency_id not in reached:  # one errand per agency is its first
            measures.add_into(
                out, {("day", row.office_id, errand.service_id, row.local_day): {"reached": 1}}
            )
    return out


@receiver(visit_withdrawn, dispatch_uid="reports.rollups.withdrawn")
def _on_withdrawn(sender: Any, *, visit: Visit, **kwargs: Any) -> None:
    """A visit about to be deleted (a no-show record the late citizen's check-in replaces):
    its whole contribution is taken back."""
    events = [e for _, e in _events(visit.pk)]
    errands = [
        measures.ErrandRow(*r)
        for r in Errand.objects.filter(visit_id=visit.pk)
        .order_by("position")
        .values_list(*_ERRAND_FIELDS)
    ]
    apply(measures.difference(measures.visit_contributions(visit_row(visit), events, errands), {}))


def _upsert_sql(kind: str) -> str:
    return _upsert_text(kind, connection.vendor)


@functools.lru_cache(maxsize=16)
def _upsert_text(kind: str, vendor: str) -> str:
    """`_upsert_sql`, built once per kind and database (every change sends a few of them;
    a profile of 40 calls found 4,560 `quote_name` calls, most of them here: decision 0071)."""
    model, extra, values = TABLES[kind]
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    keys = [q(k) for k in ("office_id", "service_id", "local_day", *extra)]
    columns = [*keys, q("agency_id"), *[q(v) for v in values]]
    placeholders = ["%s"] * len(keys)
    placeholders.append(f"(SELECT agency_id FROM {q(Service._meta.db_table)} WHERE id = %s)")
    placeholders += ["%s"] * len(values)
    updates = ", ".join(f"{q(v)} = {table}.{q(v)} + excluded.{q(v)}" for v in values)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(placeholders)})"
        f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def _month_upsert_sql(kind: str) -> str:
    """The coarser grains: MonthFigures (office, service, month) for "day" rows and
    MonthWaitFigures (office, agency, month, minute) for "wait" rows."""
    return _month_upsert_text(kind, connection.vendor)


@functools.lru_cache(maxsize=16)
def _month_upsert_text(kind: str, vendor: str) -> str:
    q = connection.ops.quote_name
    agency = f"(SELECT agency_id FROM {q(Service._meta.db_table)} WHERE id = %s)"
    if kind == "day":
        table = q(MonthFigures._meta.db_table)
        values = [q(v) for v in measures.DAY_FIELDS]
        keys = [q("office_id"), q("service_id"), q("month")]
        columns = [*keys, q("agency_id"), *values]
        placeholders = ["%s", "%s", "%s", agency, *["%s"] * len(values)]
    else:
        table = q(MonthWaitFigures._meta.db_table)
        values = [q("visits")]
        keys = [q("office_id"), q("agency_id"), q("month"), q("minute")]
        columns = keys + values
        placeholders = ["%s", agency, "%s", "%s", "%s"]
    updates = ", ".join(f"{v} = {table}.{v} + excluded.{v}" for v in values)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(placeholders)})"
        f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def apply(delta: measures.Contributions) -> None:
    """Add `delta` to the rollups, one upsert per row (and one per month row for the "day"
    and "wait" kinds), in sorted key order, so two transactions lock rows in the same order
    and cannot deadlock on them. On PostgreSQL with client-side binding (Django's default)
    the upserts go in one round trip, run one after the other in that order: the next
    statement's or the COMMIT's, in a transaction (`core.postgresql`, decision 0092)."""
    statements: list[tuple[str, list[Any]]] = []
    for key in sorted(delta, key=repr):
        kind, office_id, service_id, day, *extra = key
        kind = str(kind)
        values = [delta[key].get(v, 0) for v in TABLES[kind][2]]
        params: list[Any] = [office_id, service_id, day, *extra, service_id, *values]
        statements.append((_upsert_sql(kind), params))
        assert isinstance(day, dt.date)
        month = day.replace(day=1)
        if kind == "day":
            month_params = [office_id, service_id, month, service_id, *values]
            statements.append((_month_upsert_sql(kind), month_params))
        elif kind == "wait":
            month_params = [office_id, service_id, month, extra[0], *values]
            statements.append((_month_upsert_sql(kind), month_params))
    if not statements:
        return
    write_later = getattr(connection, "write_later", None)
    if write_later is not None and _several_per_execute():
        # Sent in the round trip of the transaction's next statement, or of its COMMIT
        # (decision 0092); at once outside a transaction. In this order, before anything
        # else the transaction sends after it.
        joined = "; ".join(statement for statement, _params in statements)
        params = [p for _statement, params in statements for p in params]
        write_later(joined, params, results=len(statements))
        return
    with connection.cursor() as cursor:
        if len(statements) > 1 and _several_per_execute():
            joined = "; ".join(statement for statement, _params in statements)
            cursor.execute(joined, [p for _statement, params in statements for p in params])
            return
        for statement, params in statements:
            cursor.execute(statement, params)


def _several_per_execute() -> bool:
    """Whether one `execute` may carry several statements with parameters: PostgreSQL with
    client-side binding (psycopg's ClientCursor, Django's default), not server-side binding
    (one statement per prepared query) and not SQLite."""
    if connection.vendor != "postgresql":
        return False
    return not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")


# --- recompute, compare, rewrite -----------------------------------------------------------


def _visits_in(start: dt.date, end: dt.date, office_ids: Iterable[int] | None) -> Any:
    visits = Visit.objects.filter(local_day__gte=start, local_day__lte=end)
    if office_ids is not None:
        visits = visits.filter(office_id__in=list(office_ids))
    return visits


def _stream(rows: Any, width: int) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    for visit_id, group in groupby(rows.iterator(chunk_size=20_000), key=lambda r: r[0]):
        yield visit_id, [r[1 : 1 + width] for r in group]


def recompute(
    *, start: dt.date, end: dt.date, office_ids: Iterable[int] | None = None
) -> measures.Contributions:
    """The rollups of visits of local days `start`…`end`, computed from the raw log."""
    office_ids = list(office_ids) if office_ids is not None else None
    visits = _visits_in(start, end, office_ids)
    ids = visits.values("id")
    events = _stream(
        VisitEvent.objects.filter(visit_id__in=ids)
        .order_by("visit_id", "at", "id")
        .values_list("visit_id", *_EVENT_FIELDS),
        len(_EVENT_FIELDS),
    )
    errands = _stream(
        Errand.objects.filter(visit_id__in=ids)
        .order_by("visit_id", "position")
        .values_list("visit_id", *_ERRAND_FIELDS),
        len(_ERRAND_FIELDS),
    )
    total: measures.Contributions = {}
    agency_of = dict(Service.objects.values_list("id", "agency_id"))
    next_events = next(events, None)
    next_errands = next(errands, None)
    fields = ("id", "office_id", "local_day", "source", "arrived_at", "booked_start")
    for vid, office, day, source, arrived, booked in (
        visits.order_by("id").values_list(*fields).iterator(chunk_size=20_000)
    ):
        visit_events: list[tuple[Any, ...]] = []
        visit_errands: list[tuple[Any, ...]] = []
        while next_events is not None and next_events[0] < vid:
            next_events = next(events, None)
        if next_events is not None and next_events[0] == vid:
            visit_events = next_events[1]
            next_events = next(events, None)
        while next_errands is not None and next_errands[0] < vid:
            next_errands = next(errands, None)
        if next_errands is not None and next_errands[0] == vid:
            visit_errands = next_errands[1]
            next_errands = next(errands, None)
        row = measures.VisitRow(
            vid, office, day, source == VisitSource.APPOINTMENT, arrived, booked
        )
        measures.add_into(
            total,
            measures.visit_contributions(
                row,
                [measures.EventRow(*e) for e in visit_events],
                [measures.ErrandRow(*e) for e in visit_errands],
                agency_of,
            ),
        )
    return with_months(total, start=start, end=end)


def full_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first days of the first and last whole months inside `start`…`end`, or None."""
    first = (
        start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    )
    if (end + dt.timedelta(days=1)).day == 1:
        last = end.replace(day=1)
    else:
        last = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return (first, last) if first <= last else None


def with_months(
    contributions: measures.Contributions, *, start: dt.date, end: dt.date
) -> measures.Contributions:
    """`contributions` plus the month rows they sum to, for the whole months of the period:
    ("month", office, service, month) and ("wait_month", office, agency, month, minute)."""
    months = full_months(start, end)
    out: measures.Contributions = {}
    measures.add_into(out, contributions)
    if months is None:
        return out
    agency_of = dict(Service.objects.values_list("id", "agency_id"))
    for key, fields in contributions.items():
        kind, office_id, service_id, day, *extra = key
        assert isinstance(day, dt.date)
        month = day.replace(day=1)
        if not months[0] <= month <= months[1]:
            continue
        if kind == "day":
            measures.add_into(out, {("month", office_id, service_id, month): fields})
        elif kind == "wait":
            agency = agency_of[int(str(service_id))]
            measures.add_into(out, {("wait_month", office_id, agency, month, *extra): fields})
    return out


def stored(
    *, start: dt.date, end: dt.date, office_ids: Iterable[int] | None = None
) -> measures.Contributions:
    """The rollups as stored for local days `start`…`end` (and the month rows of its whole
    months), zero rows left out."""
    office_ids = list(office_ids) if office_ids is not None else None
    out: measures.Contributions = {}
    months = full_months(start, end)
    if months is not None:
        month_tables: tuple[tuple[str, Any, str, tuple[str, ...], tuple[str, ...]], ...] = (
            ("month", MonthFigures, "service_id", (), measures.DAY_FIELDS),
            ("wait_month", MonthWaitFigures, "agency_id", ("minute",), ("visits",)),
        )
        for kind, model, second, extra, values in month_tables:
            rows = model.objects.filter(month__gte=months[0], month__lte=months[1])
            if office_ids is not None:
                rows = rows.filter(office_id__in=office_ids)
            for r in rows.values_list("office_id", second, "month", *extra, *values):
                fields = {v: n for v, n in zip(values, r[3 + len(extra) :], strict=True) if n}
                if fields:
                    measures.add_into(out, {(kind, *r[: 3 + len(extra)]): fields})
    for kind, (model, extra, values) in TABLES.items():
        rows = model.objects.filter(local_day__gte=start, local_day__lte=end)
        if office_ids is not None:
            rows = rows.filter(office_id__in=office_ids)
        for r in rows.values_list("office_id", "service_id", "local_day", *extra, *values):
            key = (kind, *r[: 3 + len(extra)])
            fields = {v: n for v, n in zip(values, r[3 + len(extra) :], strict=True) if n}
            if fields:
                measures.add_into(out, {key: fields})
    return out


@dataclass(frozen=True)
class Difference:
    key: tuple[object, ...]
    field: str
    stored: int
    from_log: int


def compare(stored_rows: measures.Contributions, raw: measures.Contributions) -> list[Difference]:
    """Every (row, figure) where the stored rollups and the raw log disagree."""
    out = []
    for key in sorted(set(stored_rows) | set(raw), key=repr):
        a, b = stored_rows.get(key, {}), raw.get(key, {})
        for field in sorted(set(a) | set(b)):
            if a.get(field, 0) != b.get(field, 0):
                out.append(Difference(key, field, a.get(field, 0), b.get(field, 0)))
    return out


@transaction.atomic
def rewrite(
    *, start: dt.date, end: dt.date, raw: measures.Contributions, office_ids: Any = None
) -> None:
    """Replace the stored rollups of the period with `raw` (from `recompute`).

    Lock: none beyond the rows written; run it for closed days (a change to a day being
    rewritten could be lost: the rewrite reads the log before its delete).
    """
    agency_of = dict(Service.objects.values_list("id", "agency_id"))
    for kind, (model, extra, values) in TABLES.items():
        rows = model.objects.filter(local_day__gte=start, local_day__lte=end)
        if office_ids is not None:
            rows = rows.filter(office_id__in=list(office_ids))
        rows.delete()
        objs = []
        for key, fields in raw.items():
            if key[0] != kind:  # month rows are rebuilt from the day rows below
                continue
            _, office_id, service_id, day, *rest = key
            objs.append(
                model(
                    office_id=office_id,
                    service_id=service_id,
                    agency_id=agency_of[int(str(service_id))],
                    local_day=day,
                    **dict(zip(extra, rest, strict=True)),
                    **{v: fields.get(v, 0) for v in values},
                )
            )
        model.objects.bulk_create(objs, batch_size=5_000)
    rebuild_months(start=start, end=end, office_ids=office_ids)


def rebuild_months(*, start: dt.date, end: dt.date, office_ids: Any = None) -> None:
    """Recompute the month rows of every month touched by `start`…`end` from the day rows
    (plain SQL sums). Caller is atomic."""
    first, last = start.replace(day=1), end.replace(day=1)
    after = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    q = connection.ops.quote_name
    office_sql = ""
    params: list[Any] = [first, after]
    if office_ids is not None:
        ids = [int(i) for i in office_ids]
        office_sql = f" AND office_id IN ({', '.join(['%s'] * len(ids))})" if ids else " AND false"
        params += ids
    for model in (MonthFigures, MonthWaitFigures):
        model.objects.filter(month__gte=first, month__lt=after).filter(
            **({"office_id__in": list(office_ids)} if office_ids is not None else {})
        ).delete()
    fields = ", ".join(q(f) for f in measures.DAY_FIELDS)
    sums = ", ".join(f"SUM({q(f)})" for f in measures.DAY_FIELDS)
    month_of = _month_sql("local_day")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(MonthFigures._meta.db_table)}"
            f" (office_id, service_id, agency_id, month, {fields})"
            f" SELECT office_id, service_id, MIN(agency_id), {month_of}, {sums}"
            f" FROM {q(DayFigures._meta.db_table)}"
            f" WHERE local_day >= %s AND local_day < %s{office_sql}"
            f" GROUP BY office_id, service_id, {month_of}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {q(MonthWaitFigures._meta.db_table)}"
            " (office_id, agency_id, month, minute, visits)"
            f" SELECT office_id, agency_id, {month_of}, minute, SUM(visits)"
            f" FROM {q(WaitFigures._meta.db_table)}"
            f" WHERE local_day >= %s AND local_day < %s{office_sql}"
            f" GROUP BY office_id, agency_id, {month_of}, minute",
            params,
        )


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


# --- occupancy ------------------------------------------------------------------------------


def occupancy_from_log(
    *, start: dt.date, end: dt.date, office_ids: Iterable[int] | None = None
) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """Signed-in and serving seconds per (office, local day) from the desk-status log, for
    local days `start`…`end` (today's open intervals up to now)."""
    first, _ = clock.local_day_bounds(start - dt.timedelta(days=1))
    _, last = clock.local_day_bounds(end)
    rows = DeskStatusEvent.objects.filter(at__gte=first, at__lt=last, officer__isnull=False)
    if office_ids is not None:
        rows = rows.filter(office_id__in=list(office_ids))
    desk_rows = [
        measures.DeskRow(*r) for r in rows.values_list("officer_id", "office_id", "at", "status")
    ]
    found = measures.occupancy(desk_rows, until=min(clock.now(), last))
    return {k: v for k, v in found.items() if start <= k[1] <= end}


@transaction.atomic
def roll_up_occupancy(*, start: dt.date, end: dt.date) -> int:
    """Rewrite the occupancy rollup of closed days `start`…`end` from the log; rows written.

    On PostgreSQL one `INSERT … SELECT` (`_occupancy_sql`, the same rows as
    `measures.occupancy`, which other databases run in Python). Raises ValueError for today
    or later (today is read live)."""
    if end >= clock.local_today():
        raise ValueError("only closed days are rolled up; today is read live")
    if connection.vendor == "postgresql":
        OccupancyFigures.objects.filter(local_day__gte=start, local_day__lte=end).delete()
        sql, params = _occupancy_sql(start, end)
        with connection.cursor() as cursor, _keys_checked_once(cursor):
            # the officers' rows sorted once (a simulated year: 4 M rows) in memory
            cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
            cursor.execute("SET LOCAL jit = off")  # as in `rebuild`
            cursor.execute(sql, params)
            written = cursor.rowcount
            _check_keys(cursor, OccupancyFigures, start, end, None)
        return int(written)
    found = occupancy_from_log(start=start, end=end)
    OccupancyFigures.objects.filter(local_day__gte=start, local_day__lte=end).delete()
    OccupancyFigures.objects.bulk_create(
        OccupancyFigures(office_id=o, local_day=d, signed_in_seconds=s, serving_seconds=v)
        for (o, d), (s, v) in found.items()
    )
    return len(found)


def _occupancy_sql(start: dt.date, end: dt.date) -> tuple[str, list[Any]]:
    """PostgreSQL: `INSERT INTO` the occupancy rollup `SELECT` of closed local days
    `start`…`end`, the definition of `measures.occupancy` in SQL: each desk-status row that
    is not `signed_out` lasts until the officer's next row (`LEAD` over the officer's rows
    by `at`, `id`, the log's order) or, without one, until the end of its local day or the
    end of `end`, whichever is first; the interval is cut at local midnights (one piece per
    local day it covers, `generate_series`), each piece counted in whole seconds (truncated,
    as `int(timedelta.total_seconds())`), summed per (office, local day); serving seconds
    are the pieces of `serving` rows. The log is read from the start of the day before
    `start`, as `occupancy_from_log` reads it."""
    q = connection.ops.quote_name
    desk = q(DeskStatusEvent._meta.db_table)
    table = q(OccupancyFigures._meta.db_table)
    first, _ = clock.local_day_bounds(start - dt.timedelta(days=1))
    _, last = clock.local_day_bounds(end)
    until = min(clock.now(), last)
    tz = "'Europe/Stockholm'"
    midnight = f"(p.day AT TIME ZONE {tz})"
    next_midnight = f"((p.day + INTERVAL '1 day') AT TIME ZONE {tz})"
    piece = f"(LEAST(r.stop, {next_midnight}) - GREATEST(r.at, {midnight}))"
    seconds = f"FLOOR(EXTRACT(EPOCH FROM {piece}))::bigint"
    sql = (
        f"INSERT INTO {table} (office_id, local_day, signed_in_seconds, serving_seconds)"
        f" SELECT r.office_id, p.day::date, SUM({seconds}),"
        f" SUM(CASE WHEN r.status = 'serving' THEN {seconds} ELSE 0 END)"
        " FROM (SELECT d.office_id, d.status, d.at, COALESCE(LEAD(d.at) OVER ("
        "PARTITION BY d.officer_id ORDER BY d.at, d.id), LEAST(%s::timestamptz,"
        f" (((d.at AT TIME ZONE {tz})::date + 1)::timestamp AT TIME ZONE {tz}))) AS stop"
        f" FROM {desk} d WHERE d.at >= %s AND d.at < %s AND d.officer_id IS NOT NULL) r"
        f" CROSS JOIN LATERAL generate_series((r.at AT TIME ZONE {tz})::date::timestamp,"
        f" (r.stop AT TIME ZONE {tz})::date::timestamp, INTERVAL '1 day') AS p(day)"
        f" WHERE r.status <> 'signed_out' AND GREATEST(r.at, {midnight})"
        f" < LEAST(r.stop, {next_midnight})"
        " AND p.day >= %s AND p.day <= %s"
        " GROUP BY r.office_id, p.day"
    )
    return sql, [sql_datetime(until), sql_datetime(first), sql_datetime(last), start, end]


# --- foreign keys of rebuilt rows, checked once -----------------------------------------------
#
# Rollup rows written set-based (a simulated year: millions) would each queue one deferred
# foreign-key trigger per key (office, service, agency), run at commit one by one — minutes
# for a year (docs/benchmarks.md). A PostgreSQL superuser's rebuild skips them
# (`session_replication_role = replica` for the statements that write the rows) and checks
# the written rows' keys once, set-based, before commit; other roles keep the triggers.


def _is_superuser(cursor: Any) -> bool:
    if connection.vendor != "postgresql":
        return False
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


class _keys_checked_once:
    """Context (inside a transaction): on PostgreSQL as a superuser, the per-row
    foreign-key triggers are off for the rows written inside it (whether a trigger fires is
    decided when the row is written, so the role's setting is restored on leaving); the
    caller checks the keys with `_check_keys`. Elsewhere it does nothing."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.previous: str | None = None

    def __enter__(self) -> "_keys_checked_once":
        if _is_superuser(self.cursor):
            self.cursor.execute("SHOW session_replication_role")
            self.previous = str(self.cursor.fetchone()[0])
            self.cursor.execute("SET LOCAL session_replication_role = replica")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None and exc[0] is None:
            self.cursor.execute(f"SET LOCAL session_replication_role = {self.previous}")


def _check_keys(
    cursor: Any,
    model: type[Any],
    start: dt.date,
    end: dt.date,
    office_ids: list[int] | None,
    *,
    day_column: str = "local_day",
) -> None:
    """PostgreSQL: the foreign keys of `model`'s rows of days `start`…`end` (and offices),
    checked set-based — per key one `NOT EXISTS` count and a `FOR KEY SHARE` lock on the
    rows pointed to (the lock the per-row triggers take, so none is deleted before commit).
    Raises ValueError naming the table and column of a key that points nowhere."""
    if connection.vendor != "postgresql":
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    where = f"c.{q(day_column)} >= %s AND c.{q(day_column)} <= %s"
    params: list[Any] = [start, end]
    if office_ids is not None:
        where += (
            f" AND c.office_id IN ({', '.join(['%s'] * len(office_ids))})"
            if office_ids
            else " AND false"
        )
        params += office_ids
    for field in model._meta.concrete_fields:
        if not field.is_relation or not getattr(field, "db_constraint", False):
            continue
        target = field.target_field
        parent = q(target.model._meta.db_table)
        col, pk = q(field.column), q(target.column)
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} c WHERE {where} AND c.{col} IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{pk} = c.{col})",
            params,
        )
        row = cursor.fetchone()
        if row and row[0]:
            raise ValueError(f"{row[0]} rows of {table} point nowhere in {field.column}")
        cursor.execute(
            f"SELECT 1 FROM {parent} p WHERE p.{pk} IN"
            f" (SELECT DISTINCT c.{col} FROM {table} c WHERE {where}) FOR KEY SHARE",
            params,
        )


# --- rebuild in SQL -------------------------------------------------------------------------
#
# The same definitions as `measures.visit_contributions`, written as set-based SQL so a bulk
# load (a simulated year is millions of visits) rebuilds its rollups inside the database
# instead of streaming every event through Python. `test_rebuild_rollups_in_sql.py` proves
# the two give exactly the same rows (hand-made logs; simulated days in
# simulation/tests/test_rebuild_rollups_after_load.py).


def _sqlite_local_hour(column: str, start: dt.date, end: dt.date) -> str:
    """SQL for the Stockholm local hour of a UTC `column` on SQLite (no time zones there):
    a CASE over the UTC-offset changes of Europe/Stockholm between `start` − 2 and `end` + 2
    days (every instant of a visit of local days `start`…`end` lies inside), from zoneinfo.
    Offsets are whole minutes and change on a quarter hour (Stockholm's change at 01:00 UTC;
    the 15-minute scan would misplace any other); instants outside the window take the
    nearest edge's offset."""
    instant = dt.datetime.combine(start - dt.timedelta(days=2), dt.time(), dt.UTC)
    stop = dt.datetime.combine(end + dt.timedelta(days=3), dt.time(), dt.UTC)

    def offset(at: dt.datetime) -> int:
        found = at.astimezone(measures.STOCKHOLM).utcoffset()
        assert found is not None
        return int(found.total_seconds() // 60)

    current = offset(instant)
    branches: list[str] = []
    while instant < stop:
        later = instant + dt.timedelta(minutes=15)
        if offset(later) != current:
            bound = sql_datetime(later)
            branches.append(f"WHEN {column} < '{bound}' THEN '{current:+d} minutes'")
            current = offset(later)
        instant = later
    modifier = (
        f"CASE {' '.join(branches)} ELSE '{current:+d} minutes' END"
        if branches
        else (f"'{current:+d} minutes'")
    )
    # the whole seconds only: strftime rounds a fraction to milliseconds (59.9996 s → next)
    return f"CAST(strftime('%%H', substr({column}, 1, 19), {modifier}) AS INTEGER)"


# The span's events with their visit's fields and window columns, written once per rebuild
# (a temporary table: the window sort is done once, not once per rollup table).
SPAN_EVENTS = "rollup_span_events"
REBUILD_WORK_MEM = "256MB"  # PostgreSQL, for the rebuild's transaction only (SET LOCAL)


def _rebuild_sql(
    start: dt.date, end: dt.date, ids: list[int] | None
) -> dict[str, tuple[str, list[Any]]]:
    """SQL and parameters: under "events" the `CREATE TEMPORARY TABLE {SPAN_EVENTS} AS …`
    of the span's events in log order, each with its visit's fields, its position (`n`), the
    service before it and the number of calls up to it (window functions); under each
    day-grain rollup kind its `INSERT INTO … SELECT … GROUP BY`, reading that table as `e`,
    so no statement joins two derived tables (SQLite has no index on them)."""
    q = connection.ops.quote_name
    visit, event = q(Visit._meta.db_table), q(VisitEvent._meta.db_table)
    errand, service = q(Errand._meta.db_table), q(Service._meta.db_table)
    office_sql = ""
    if ids is not None:
        office_sql = (
            f" AND vi.office_id IN ({', '.join(['%s'] * len(ids))})" if ids else " AND 1 = 0"
        )
    span_sql = f"vi.local_day >= %s AND vi.local_day <= %s{office_sql}"
    span: list[Any] = [start, end, *(ids or [])]
    ws = (
        "CASE WHEN e.booked AND e.booked_start IS NOT NULL AND e.booked_start > e.arrived_at"
        " THEN e.booked_start ELSE e.arrived_at END"
    )
    if connection.vendor == "postgresql":
        waited = f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (e.at - {ws}))))::bigint"
        hour = "EXTRACT(HOUR FROM e.arrived_at AT TIME ZONE 'Europe/Stockholm')::integer"
    else:
        # whole seconds, truncated like int(timedelta.total_seconds()); Django stores SQLite
        # datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC), the fraction from character 21
        def micro(x: str) -> str:
            # strftime rounds a fraction to milliseconds: give it the whole seconds only
            return (
                f"(CAST(strftime('%%s', substr({x}, 1, 19)) AS INTEGER) * 1000000"
                f" + CAST(substr({x}, 21) AS INTEGER))"
            )

        waited = f"MAX(0, ({micro('e.at')} - {micro(ws)}) / 1000000)"
        hour = _sqlite_local_hour("e.arrived_at", start, end)
    order = "OVER (PARTITION BY ev.visit_id ORDER BY ev.at, ev.id"
    ctes = (
        f"CREATE TEMPORARY TABLE {SPAN_EVENTS} AS"
        " SELECT ev.visit_id, ev.at, ev.action, ev.from_state, ev.service_id,"
        " vi.office_id, vi.local_day, vi.arrived_at, vi.booked_start,"
        " (vi.source = %s) AS booked,"
        f" ROW_NUMBER() {order}) AS n,"
        f" COALESCE(LAG(ev.service_id) {order}), ev.service_id) AS previous_service,"
        # the default frame (RANGE … CURRENT ROW) is the rows up to this one, as `id` makes
        # every (at, id) unique: one window for all three, so one sort and one WindowAgg
        f" SUM(CASE WHEN ev.action = 'call' THEN 1 ELSE 0 END) {order}) AS calls"
        f" FROM {event} ev JOIN {visit} vi ON vi.id = ev.visit_id WHERE {span_sql}"
    )
    ctes_params: list[Any] = [VisitSource.APPOINTMENT.value, *span]
    # a booking recorded as nobody came is a no-show, not an arrival (decision 0059)
    arrival = "(e.n = 1 AND e.from_state = '' AND e.action <> 'no_show')"
    first_call = "(e.action = 'call' AND e.calls = 1)"
    event_values = {
        "visits_walk_in": f"CASE WHEN {arrival} AND NOT e.booked THEN 1 ELSE 0 END",
        "visits_booked": f"CASE WHEN {arrival} AND e.booked THEN 1 ELSE 0 END",
        "served": "CASE WHEN e.action = 'finish' THEN 1 ELSE 0 END",
        "no_show": "CASE WHEN e.action = 'no_show' AND e.from_state <> 'called' THEN 1 ELSE 0 END",
        "left_queue": "CASE WHEN e.action = 'no_show' AND e.from_state = 'called' THEN 1 ELSE 0 END",
        "not_served": "CASE WHEN e.action = 'close' THEN 1 ELSE 0 END",
        "transfers": "CASE WHEN e.action = 'transfer' THEN 1 ELSE 0 END",
        "called": f"CASE WHEN {first_call} THEN 1 ELSE 0 END",
        "wait_seconds": f"CASE WHEN {first_call} THEN {waited} ELSE 0 END",
    }
    # a part handed on by a transfer: its seconds only (`measures.errand_contributions`)
    served = f"r.outcome <> '{measures.HANDED_ON}'"
    errand_values = {
        "errands": f"CASE WHEN {served} THEN 1 ELSE 0 END",
        "errand_visits": f"CASE WHEN {served} AND r.first_for_agency THEN 1 ELSE 0 END",
        "handled_seconds": "r.service_seconds",
        "interpreter_errands": f"CASE WHEN {served} AND r.interpreter_used THEN 1 ELSE 0 END",
    }
    fields = measures.DAY_FIELDS
    event_part = ", ".join(f"{event_values.get(f, '0')} AS {q(f)}" for f in fields)
    errand_part = ", ".join(f"{errand_values.get(f, '0')} AS {q(f)}" for f in fields)
    from_errands = f" FROM {errand} r JOIN {visit} vi ON vi.id = r.visit_id WHERE {span_sql}"
    # only the events that add to some day measure (the others — starts, holds, recalls —
    # would add zeros: a group of only such rows is dropped by the HAVING anyway)
    counted = f"{arrival} OR {first_call} OR e.action IN ('finish', 'no_show', 'close', 'transfer')"
    day_rows = (
        "SELECT e.office_id, CASE WHEN e.action = 'transfer' THEN e.previous_service"
        f" ELSE e.service_id END AS service_id, e.local_day, {event_part} FROM {SPAN_EVENTS} e"
        f" WHERE {counted}"
        f" UNION ALL SELECT vi.office_id, r.service_id, vi.local_day, {errand_part}"
        f"{from_errands}"
    )
    # the visits that reached each agency (`measures.reach_contributions`): per visit and
    # agency the first of its events with a service of the agency (such an event is the
    # visit's first or changes its service), else its first served errand of the agency
    reach_part = ", ".join(f"{'1' if f == 'reached' else '0'} AS {q(f)}" for f in fields)
    day_rows += (
        f" UNION ALL SELECT c.office_id, c.service_id, c.local_day, {reach_part} FROM ("
        "SELECT y.office_id, y.service_id, y.local_day, ROW_NUMBER() OVER ("
        "PARTITION BY y.visit_id, y.agency_id ORDER BY y.kind, y.ord) AS k FROM ("
        "SELECT e.visit_id, s.agency_id, e.office_id, e.service_id, e.local_day,"
        f" 0 AS kind, e.n AS ord FROM {SPAN_EVENTS} e JOIN {service} s ON s.id = e.service_id"
        " WHERE (e.n = 1 AND NOT (e.from_state = '' AND e.action = 'no_show'))"
        " OR e.service_id <> e.previous_service"
        " UNION ALL SELECT r.visit_id, s.agency_id, vi.office_id, r.service_id, vi.local_day,"
        f" 1, r.position FROM {errand} r JOIN {visit} vi ON vi.id = r.visit_id"
        f" JOIN {service} s ON s.id = r.service_id WHERE {span_sql} AND {served}"
        " AND r.first_for_agency) y) c WHERE c.k = 1"
    )
    sums = ", ".join(f"SUM(x.{q(f)})" for f in fields)
    nonzero = " OR ".join(f"SUM(x.{q(f)}) <> 0" for f in fields)
    names = ", ".join(q(f) for f in fields)
    language = (
        "CASE WHEN r.interpreter_used THEN COALESCE(NULLIF(r.interpreter_language, ''),"
        f" '{measures.UNKNOWN_LANGUAGE}') ELSE '' END"
    )

    def insert(model: type[Any], columns: str, select: str) -> str:
        return f"INSERT INTO {q(model._meta.db_table)} ({columns}) {select}"

    return {
        "events": (ctes, ctes_params),
        "day": (
            insert(
                DayFigures,
                f"office_id, service_id, agency_id, local_day, {names}",
                f"SELECT x.office_id, x.service_id, s.agency_id, x.local_day, {sums}"
                f" FROM ({day_rows}) x JOIN {service} s ON s.id = x.service_id"
                f" GROUP BY x.office_id, x.service_id, s.agency_id, x.local_day"
                f" HAVING {nonzero}",
            ),
            [*span, *span],
        ),
        "hour": (
            insert(
                HourFigures,
                "office_id, service_id, agency_id, local_day, hour, arrivals",
                "SELECT x.office_id, x.service_id, s.agency_id, x.local_day, x.hour, COUNT(*)"
                f" FROM (SELECT e.office_id, e.service_id, e.local_day, {hour} AS hour"
                f" FROM {SPAN_EVENTS} e WHERE {arrival}) x JOIN {service} s ON s.id = x.service_id"
                " GROUP BY x.office_id, x.service_id, s.agency_id, x.local_day, x.hour",
            ),
            [],
        ),
        "wait": (
            insert(
                WaitFigures,
                "office_id, service_id, agency_id, local_day, minute, visits",
                "SELECT x.office_id, x.service_id, s.agency_id, x.local_day, x.minute, COUNT(*)"
                f" FROM (SELECT e.office_id, e.service_id, e.local_day, ({waited}) / 60 AS minute"
                f" FROM {SPAN_EVENTS} e WHERE {first_call}) x JOIN {service} s ON s.id = x.service_id"
                " GROUP BY x.office_id, x.service_id, s.agency_id, x.local_day, x.minute",
            ),
            [],
        ),
        "errand": (
            insert(
                ErrandFigures,
                "office_id, service_id, agency_id, local_day, outcome, language, errands",
                "SELECT x.office_id, x.service_id, s.agency_id, x.local_day, x.outcome,"
                " x.language, COUNT(*) FROM (SELECT vi.office_id, r.service_id, vi.local_day,"
                f" r.outcome, {language} AS language{from_errands} AND {served}) x"
                f" JOIN {service} s ON s.id = x.service_id"
                " GROUP BY x.office_id, x.service_id, s.agency_id, x.local_day, x.outcome,"
                " x.language",
            ),
            span,
        ),
    }


@transaction.atomic
def rebuild(*, start: dt.date, end: dt.date, office_ids: Iterable[int] | None = None) -> None:
    """Replace the stored rollups of local days `start`…`end` (and the month rows of the
    months touched) with the figures of the raw log, computed in the database: the same rows
    as `rewrite(raw=recompute(...))`, without reading the log into Python.

    Lock: none beyond the rows written; run it for closed days, like `rewrite`.
    """
    ids = [int(i) for i in office_ids] if office_ids is not None else None
    statements = _rebuild_sql(start, end, ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the span's events are sorted once (window functions) and grouped four ways:
            # in memory rather than in temporary files (a simulated year: 7.7 M events)
            cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
            # no JIT: its compile time (a second and more per statement, measured) is more
            # than it saves on these scans (docs/benchmarks.md)
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {SPAN_EVENTS}")
        cursor.execute(*statements["events"])
        with _keys_checked_once(cursor) as keys:
            dropped: list[str] = []
            for kind, (model, _extra, _values) in TABLES.items():
                rows = model.objects.filter(local_day__gte=start, local_day__lte=end)
                if ids is not None:
                    rows = rows.filter(office_id__in=ids)
                rows.delete()
                if keys.previous is not None and not model.objects.exists():
                    # the span was all the table held (a first load): its secondary indexes
                    # are built once after the insert, not maintained row by row (0036)
                    dropped += bulk_indexes.drop_secondary_indexes(model._meta.db_table)
                sql, params = statements[kind]
                cursor.execute(sql, params)
            cursor.execute(f"DROP TABLE {SPAN_EVENTS}")
            rebuild_months(start=start, end=end, office_ids=ids)
            bulk_indexes.build(dropped)
            if keys.previous is not None:
                for model, *_rest in TABLES.values():
                    _check_keys(cursor, model, start, end, ids)
                months = (start.replace(day=1), end.replace(day=1))
                for model in (MonthFigures, MonthWaitFigures):
                    _check_keys(cursor, model, *months, ids, day_column="month")
