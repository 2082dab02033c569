"""Registry in, simulated history out: the thin Django side of the simulator.

Reads offices, their opening hours (as of each day: holidays, eves, exceptions applied by
`network.opening_hours`), offerings (as of each day) and the catalogue; builds the scenarios
(`simulation.calibration`), simulates them in parallel (`simulation.model`) and writes
`queueing.Visit` and `queueing.VisitEvent` rows with the same values the queue's services
write for a real visit, marked ``simulated=True``. PostgreSQL gets a binary COPY
(`simulation.pgcopy`); other databases get ``executemany``.

Simulated officers are staff accounts ``sim-<office>-NN`` (inactive: nobody can sign in as
them), assigned to their office with the simulated competences, at the office's desks.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q

from servicekontor.accounts.models import Competence, OfficeAssignment, Role, User
from servicekontor.catalog.models import Agency, Service
from servicekontor.core import bulk_indexes, clock
from servicekontor.core.sql_datetime import sql_datetime
from servicekontor.network import opening_hours
from servicekontor.network.models import Offering, Office, ServicePoint
from servicekontor.network.queries import schedule_of, with_schedules
from servicekontor.queueing.models import DeskStatusEvent, Errand, Visit, VisitEvent
from servicekontor.simulation import calibration, pgcopy
from servicekontor.simulation.codes import OUT_TRANSFERRED
from servicekontor.simulation.model import (
    ACTIONS,
    DESK_STATUSES,
    OUTCOMES,
    SOURCES,
    STATES,
    OfficeResult,
    OfficeScenario,
    simulate_offices,
)

UNIX_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
SIM_USER_PREFIX = "sim-"
# PostgreSQL settings of the load's transaction only (SET LOCAL); the machine has 23 GB
LOAD_MAINTENANCE_WORK_MEM = "512MB"  # each index built after the COPY sorts in memory
LOAD_WORK_MEM = "128MB"  # the key checks' hash anti-joins


@dataclass
class LoadReport:
    offices: int = 0
    days: int = 0
    skipped_days: int = 0  # office-days that already have real visits
    removed: int = 0
    visits: int = 0
    events: int = 0
    simulate_seconds: float = 0.0
    write_seconds: float = 0.0  # everything after the simulation, commit included
    encode_seconds: float = 0.0  # turning arrays into COPY streams (PostgreSQL)
    commit_seconds: float = 0.0  # the commit: deferred foreign-key checks on PostgreSQL
    copy_seconds: float = 0.0  # building the rows and writing them (COPY or INSERT)
    key_check_seconds: float = 0.0  # `check_keys` (PostgreSQL, per-row checks skipped)
    index_seconds: float = 0.0  # secondary indexes built after the COPY (PostgreSQL)
    indexes_rebuilt: int = 0  # how many were dropped before the COPY and built after it
    analyze_seconds: float = 0.0  # ANALYZE of the four tables (PostgreSQL)
    rollup_seconds: float = 0.0  # the statistics' rollups rebuilt for the span (all)
    occupancy_seconds: float = 0.0  # of which the occupancy rollup


def _seconds(t: dt.time) -> float:
    return t.hour * 3600.0 + t.minute * 60.0 + t.second


def registry_inputs(
    *, first: dt.date, last: dt.date
) -> tuple[list[calibration.OfficeInput], list[calibration.ServiceInput], list[Office]]:
    """The registry as plain data for ``first..last`` (inclusive), as of each day.

    Every office operating in the span (the network, for the calibration's scale); the
    caller picks ``office_codes`` from it.
    """
    offices_qs = Office.objects.filter(opened_on__lte=last).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=first)
    )
    offices = list(with_schedules(offices_qs.order_by("code")))
    desks = {
        row["office_id"]: row["n"]
        for row in ServicePoint.objects.filter(is_active=True)
        .desks()
        .values("office_id")
        .annotate(n=Count("id"))
    }
    offerings: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}
    for off in Offering.objects.filter(office__in=offices, valid_from__lte=last).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=first)
    ):
        offerings.setdefault(off.office_id, []).append(
            (off.valid_from, off.valid_to, off.service_id)
        )
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    inputs = []
    for office in offices:
        schedule = schedule_of(office)
        rows = offerings.get(office.pk, [])
        office_days = []
        for day in days:
            hours = opening_hours.day_hours(schedule, day)
            if not hours.intervals:
                continue
            offered = tuple(sorted(s for f, t, s in rows if f <= day and (t is None or day <= t)))
            if not offered:
                continue
            office_days.append(
                calibration.OfficeDay(
                    day=day,
                    intervals=tuple((_seconds(o), _seconds(c)) for o, c in hours.intervals),
                    service_ids=offered,
                )
            )
        inputs.append(
            calibration.OfficeInput(
                office_id=office.pk,
                code=office.code,
                desks=desks.get(office.pk, 0),
                days=tuple(office_days),
            )
        )
    services = [
        calibration.ServiceInput(
            service_id=s.pk,
            agency_code=s.agency.code,
            handling_minutes=float(s.handling_minutes),
            mode=s.mode,
        )
        for s in Service.objects.select_related("agency").order_by("pk")
    ]
    return inputs, services, offices


def _utc_offsets(ordinals: Iterable[int]) -> dict[int, float]:
    """Seconds to subtract from local clock time on each day (offset at noon; offices are
    never open across the DST switch at night)."""
    out = {}
    for o in ordinals:
        noon = dt.datetime.combine(dt.date.fromordinal(o), dt.time(12), tzinfo=clock.STOCKHOLM)
        offset = noon.utcoffset()
        assert offset is not None
        out[o] = offset.total_seconds()
    return out


def _unix(day: np.ndarray, seconds: np.ndarray, offsets: dict[int, float]) -> np.ndarray:
    uniq, inv = np.unique(day, return_inverse=True)
    off = np.array([offsets[int(d)] for d in uniq])[inv]
    return (day.astype(np.int64) - UNIX_EPOCH_ORDINAL) * 86400.0 + seconds - off


def _sim_officers(
    scenario: OfficeScenario, office: Office, agency_ids: dict[int, int]
) -> list[int]:
    """User ids of the office's simulated officers (created when missing), by officer index."""
    count = max((len(d.officers) for d in scenario.days), default=0)
    competences: list[set[int]] = [set() for _ in range(count)]
    for d in scenario.days:
        for k, o in enumerate(d.officers):
            competences[k] |= {agency_ids[a] for a in o.agencies}
    ids = []
    for k in range(count):
        user, created = User.objects.get_or_create(
            username=f"{SIM_USER_PREFIX}{office.code}-{k + 1:02d}",
            defaults={
                "role": Role.SERVICE_OFFICER,
                "is_active": False,
                "first_name": "Simulerad",
                "last_name": f"{office.name} {k + 1}",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        OfficeAssignment.objects.get_or_create(user=user, office=office)
        have = set(Competence.objects.filter(user=user).values_list("agency_id", flat=True))
        Competence.objects.bulk_create(
            [Competence(user=user, agency_id=a) for a in sorted(competences[k] - have)]
        )
        ids.append(user.pk)
    return ids


@dataclass
class _Rows:
    visits: dict[str, pgcopy.Column]
    events: dict[str, pgcopy.Column]
    errands: dict[str, pgcopy.Column]
    desk: dict[str, pgcopy.Column]
    n_visits: int
    n_events: int
    n_errands: int
    n_desk: int


def _rows(
    result: OfficeResult,
    scenario: OfficeScenario,
    first_id: int,
    first_event_id: int,
    first_errand_id: int,
    first_desk_id: int,
    officer_ids: list[int],
    desk_ids: list[int],
    letters: dict[int, bytes],
    agency_of: dict[int, int],
) -> _Rows:
    v = result.visits
    n = result.visit_count
    offsets = _utc_offsets(np.unique(np.r_[v["day"], result.desk[:, 0]]).astype(int).tolist())
    service_ids = np.array([s.service_id for s in scenario.services], dtype=np.int64)
    ids = first_id + np.arange(n, dtype=np.int64)
    officer_map = np.array([*officer_ids, 0], dtype=np.int64)  # index -1 -> placeholder
    desk_map = np.array(
        [desk_ids[k % len(desk_ids)] if desk_ids else 0 for k in range(len(officer_ids))] + [0],
        dtype=np.int64,
    )
    no_officer = v["officer"] < 0
    no_desk = no_officer | (not desk_ids)
    booked = ~np.isnan(v["booked"])
    letter_arr = np.array([letters[int(s)] for s in service_ids], dtype="S1")
    ref = np.char.add(
        np.char.add(b"SIM-%d-" % scenario.office_id, np.char.zfill(v["day"].astype("S"), 6)),
        np.char.add(b"-", np.char.zfill(np.arange(n).astype("S"), 7)),
    )
    visits = {
        "id": pgcopy.Column(ids),
        "office_id": pgcopy.Column(np.full(n, scenario.office_id, dtype=np.int64)),
        "service_id": pgcopy.Column(service_ids[v["final_service"]]),
        "local_day": pgcopy.Column(v["day"]),
        "ticket_letter": pgcopy.Column(letter_arr[v["service"]]),
        "ticket_number": pgcopy.Column(np.maximum(v["ticket"], 0), null=v["ticket"] < 0),
        "state": pgcopy.Column(np.array([s.value.encode() for s in STATES])[v["state"]]),
        "source": pgcopy.Column(np.array([s.encode() for s in SOURCES])[v["source"]]),
        "priority": pgcopy.Column(v["priority"]),
        "arrived_at": pgcopy.Column(_unix(v["day"], v["arrived"], offsets)),
        "queued_at": pgcopy.Column(_unix(v["day"], v["queued"], offsets)),
        "booked_start": pgcopy.Column(
            _unix(v["day"], np.nan_to_num(v["booked"]), offsets), null=~booked
        ),
        "booking_reference": pgcopy.Column(np.where(booked, ref, b"")),
        "service_point_id": pgcopy.Column(desk_map[v["officer"]], null=no_desk),
        "officer_id": pgcopy.Column(officer_map[v["officer"]], null=no_officer),
        "called_at": pgcopy.Column(
            _unix(v["day"], np.nan_to_num(v["last_call"]), offsets), null=np.isnan(v["last_call"])
        ),
        "call_count": pgcopy.Column(v["call_count"]),
        "outcome": pgcopy.Column(np.array([o.encode() for o in OUTCOMES])[v["outcome"]]),
        "note": pgcopy.Column(b""),
        "notify_contact": pgcopy.Column(b""),
        "notify_language": pgcopy.Column(b""),
        "notified_at": pgcopy.Column(np.zeros(n), null=np.ones(n, dtype=bool)),
        "simulated": pgcopy.Column(np.ones(n, dtype=bool)),
    }
    e = result.events
    m = e.shape[0]
    # ids in time order (as a real office's events get them); emission order breaks ties,
    # and the stream is grouped by layout on PostgreSQL, so the ids must carry the order
    e = e[np.lexsort((np.arange(m), e[:, 1], v["day"][e[:, 0].astype(np.int64)]))]
    e_visit = e[:, 0].astype(np.int64)
    e_officer = e[:, 5].astype(np.int64)
    e_from = e[:, 3].astype(np.int64)
    state_bytes = np.array([s.value.encode() for s in STATES] + [b""])  # -1 -> ""
    events = {
        "id": pgcopy.Column(first_event_id + np.arange(m, dtype=np.int64)),
        "visit_id": pgcopy.Column(ids[e_visit]),
        "office_id": pgcopy.Column(np.full(m, scenario.office_id, dtype=np.int64)),
        "service_id": pgcopy.Column(service_ids[e[:, 6].astype(np.int64)]),
        "at": pgcopy.Column(_unix(v["day"][e_visit], e[:, 1], offsets)),
        "action": pgcopy.Column(np.array([a.value.encode() for a in ACTIONS])[e[:, 2].astype(int)]),
        "from_state": pgcopy.Column(state_bytes[e_from]),
        "to_state": pgcopy.Column(state_bytes[e[:, 4].astype(np.int64)]),
        "service_point_id": pgcopy.Column(
            desk_map[e_officer], null=(e_officer < 0) | (not desk_ids)
        ),
        "officer_id": pgcopy.Column(officer_map[e_officer], null=e_officer < 0),
        "outcome": pgcopy.Column(np.array([o.encode() for o in OUTCOMES])[e[:, 7].astype(int)]),
    }
    # errands: position within the visit, first served errand per agency (as `write_errands`
    # does: a part handed on by a transfer is never first and does not count as seen)
    r = result.errands
    r = r[np.lexsort((r[:, 3], r[:, 0]))]
    k = r.shape[0]
    r_visit = r[:, 0].astype(np.int64)
    r_service = service_ids[r[:, 1].astype(np.int64)]
    starts = np.r_[0, np.flatnonzero(np.diff(r_visit)) + 1] if k else np.empty(0, np.int64)
    group_start = np.repeat(starts, np.diff(np.r_[starts, k])) if k else starts
    position = np.arange(k) - group_start + 1
    r_agency = np.array([agency_of[int(x)] for x in r_service], dtype=np.int64)
    served = np.flatnonzero(r[:, 5].astype(int) != OUT_TRANSFERRED)
    _, first_index = np.unique(r_visit[served] * 1_000_003 + r_agency[served], return_index=True)
    first_for_agency = np.zeros(k, dtype=bool)
    first_for_agency[served[first_index]] = True
    r_officer = r[:, 2].astype(np.int64)
    r_day = v["day"][r_visit]
    errands = {
        "id": pgcopy.Column(first_errand_id + np.arange(k, dtype=np.int64)),
        "visit_id": pgcopy.Column(ids[r_visit]),
        "position": pgcopy.Column(position),
        "service_id": pgcopy.Column(r_service),
        "outcome": pgcopy.Column(np.array([o.encode() for o in OUTCOMES])[r[:, 5].astype(int)]),
        "interpreter_used": pgcopy.Column(np.zeros(k, dtype=bool)),
        "interpreter_language": pgcopy.Column(b""),
        # whole seconds; consecutive errands share their boundaries, so they add up
        "service_seconds": pgcopy.Column(np.rint(r[:, 4]) - np.rint(r[:, 3])),
        "first_for_agency": pgcopy.Column(first_for_agency),
        "recorded_at": pgcopy.Column(_unix(r_day, r[:, 4], offsets)),
        "officer_id": pgcopy.Column(officer_map[r_officer], null=r_officer < 0),
    }
    d = result.desk
    q = d.shape[0]
    d = d[np.lexsort((np.arange(q), d[:, 2], d[:, 0]))]
    d_officer = d[:, 1].astype(np.int64)
    desk = {
        "id": pgcopy.Column(first_desk_id + np.arange(q, dtype=np.int64)),
        "officer_id": pgcopy.Column(officer_map[d_officer]),
        "office_id": pgcopy.Column(np.full(q, scenario.office_id, dtype=np.int64)),
        "service_point_id": pgcopy.Column(desk_map[d_officer], null=np.full(q, not desk_ids)),
        "at": pgcopy.Column(_unix(d[:, 0].astype(np.int64), d[:, 2], offsets)),
        "status": pgcopy.Column(np.array([x.encode() for x in DESK_STATUSES])[d[:, 3].astype(int)]),
    }
    return _Rows(
        visits=visits,
        events=events,
        errands=errands,
        desk=desk,
        n_visits=n,
        n_events=m,
        n_errands=k,
        n_desk=q,
    )


def _column_types(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [table],
        )
        return dict(cursor.fetchall())


def _reserve_ids(table: str, n: int) -> int:
    """The first of ``n`` consecutive new ids of ``table`` (caller holds the table lock)."""
    if n <= 0:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            row = cursor.fetchone()
            assert row is not None
            sequence = row[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            row = cursor.fetchone()
            assert row is not None
            top = row[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            row = cursor.fetchone()
            assert row is not None
            nxt = row[0]
            start = max(int(nxt), int(top) + 1)
            cursor.execute("SELECT setval(%s, %s)", [sequence, start + n - 1])
            return start
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        row = cursor.fetchone()
        assert row is not None
        top = row[0]
        return int(top) + 1


def check_keys(
    model: type[Any],
    first_id: int,
    end_id: int,
    new_rows: dict[type[Any], tuple[int, int]] | None = None,
) -> None:
    """Check the foreign keys of `model`'s rows with ids `first_id`…`end_id − 1`, set-based
    (instead of one trigger call per row and key), and lock the rows they point to against
    deletion until commit (FOR KEY SHARE, what the triggers take). For a load run with the
    per-row checks off (`skip_fk_checks`). Raises ValueError naming the table, column and
    number of rows whose key points nowhere.

    ``new_rows``: parent model -> id range ``[first, end)`` written by the caller's own
    transaction, every id of it (the loader's visits); those parents are checked but not
    locked (no other transaction sees them before commit, so none can delete them), e.g. a
    year's 2 M new visits.

    One pass over the rows (PostgreSQL): their distinct combinations of the other keys
    (offices, services, desks, officers: a few thousand), with the number of rows of each
    and of those whose key to a ``new_rows`` parent lies outside its range; then per key one
    lookup of its distinct values in the parent table, which also locks them. A key outside
    its ``new_rows`` range is checked by an anti-join (none in a load). A range is complete
    when the parent table holds ``end − first`` ids in it (one index range count).
    """
    if end_id <= first_id:
        return
    new_rows = new_rows or {}
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    span = "c.id >= %s AND c.id < %s"
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and getattr(f, "db_constraint", False)
    ]
    new_fields = [f for f in fields if f.target_field.model in new_rows]
    small = [f for f in fields if f not in new_fields]

    def fail(count: int, field: Any) -> None:
        raise ValueError(f"{count} rows of {table} point nowhere in {field.column}")

    def dangling(cursor: Any, field: Any, extra: str = "", params: Sequence[Any] = ()) -> int:
        target = field.target_field
        parent, col = q(target.model._meta.db_table), q(field.column)
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} c WHERE {span} AND c.{col} IS NOT NULL{extra}"
            f" AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{q(target.column)} = c.{col})",
            [first_id, end_id, *params],
        )
        row = cursor.fetchone()
        assert row is not None
        return int(row[0])

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # no locks to take: one anti-join per key
            for field in fields:
                if count := dangling(cursor, field):
                    fail(count, field)
            return
        outside = [
            f"COUNT(*) FILTER (WHERE c.{q(f.column)} IS NOT NULL AND NOT"
            f" (c.{q(f.column)} >= %s AND c.{q(f.column)} < %s))"
            for f in new_fields
        ]
        columns = [f"c.{q(f.column)}" for f in small]
        select = ", ".join([*columns, "COUNT(*)", *outside])
        group = f" GROUP BY {', '.join(columns)}" if columns else ""
        bounds = [b for f in new_fields for b in new_rows[f.target_field.model]]
        cursor.execute(
            f"SELECT {select} FROM {table} c WHERE {span}{group}", [*bounds, first_id, end_id]
        )
        groups = cursor.fetchall()
        for k, field in enumerate(new_fields):
            if any(g[len(small) + 1 + k] for g in groups):
                lo, hi = new_rows[field.target_field.model]
                col = q(field.column)
                extra = f" AND NOT (c.{col} >= %s AND c.{col} < %s)"
                if count := dangling(cursor, field, extra, [lo, hi]):
                    fail(count, field)
                cursor.execute(
                    f"SELECT 1 FROM {q(field.target_field.model._meta.db_table)} p"
                    f" WHERE p.{q(field.target_field.column)} IN (SELECT DISTINCT c.{col}"
                    f" FROM {table} c WHERE {span} AND c.{col} IS NOT NULL{extra}) FOR KEY SHARE",
                    [first_id, end_id, lo, hi],
                )
        for target_model, (lo, hi) in new_rows.items():
            if not any(f.target_field.model is target_model for f in new_fields):
                continue
            pk = q(target_model._meta.pk.column)
            cursor.execute(
                f"SELECT COUNT(*) FROM {q(target_model._meta.db_table)}"
                f" WHERE {pk} >= %s AND {pk} < %s",
                [lo, hi],
            )
            row = cursor.fetchone()
            assert row is not None
            if int(row[0]) != hi - lo:
                raise ValueError(
                    f"{target_model._meta.db_table} lacks {hi - lo - int(row[0])} of the ids"
                    f" {lo}…{hi - 1} the load wrote"
                )
        for k, field in enumerate(small):
            wanted: dict[Any, int] = {}
            for g in groups:
                if g[k] is not None:
                    wanted[g[k]] = wanted.get(g[k], 0) + int(g[len(small)])
            if not wanted:
                continue
            target = field.target_field
            cursor.execute(
                f"SELECT {q(target.column)} FROM {q(target.model._meta.db_table)}"
                f" WHERE {q(target.column)} = ANY(%s) FOR KEY SHARE",
                [list(wanted)],
            )
            found = {r[0] for r in cursor.fetchall()}
            if missing := sum(n for key, n in wanted.items() if key not in found):
                fail(missing, field)


def _rows_now(table: str) -> float:
    """The planner's row estimate of `table` (PostgreSQL; an exact count if never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
        assert row is not None
        if row[0] >= 0:
            return float(row[0])
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        row = cursor.fetchone()
        assert row is not None
        return float(row[0])


def _copy(table: str, types: dict[str, str], columns: dict[str, pgcopy.Column], n: int) -> float:
    """COPY the rows; returns the seconds spent encoding them."""
    started = time.perf_counter()
    body = pgcopy.encode(types, columns, n)
    encoded = time.perf_counter() - started
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        with raw.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
            copy.write(pgcopy.HEADER)
            view = memoryview(body)
            step = 8 << 20
            for i in range(0, len(body), step):
                copy.write(view[i : i + step])
            copy.write(pgcopy.TRAILER)
    return encoded


def _python_values(col: pgcopy.Column, n: int) -> list[object]:
    """Column values as Python objects for executemany (SQLite and others)."""
    values = col.values
    if isinstance(values, bytes):
        out: list[object] = [values.decode()] * n
    else:
        arr = np.asarray(values)
        out = [b.decode() for b in arr.tolist()] if arr.dtype.kind == "S" else arr.tolist()
    if col.null is not None:
        out = [None if isnull else x for x, isnull in zip(out, col.null.tolist(), strict=True)]
    return out


def _insert(
    table: str, columns: dict[str, pgcopy.Column], n: int, converters: dict[str, Callable]
) -> None:
    lists = []
    for name, col in columns.items():
        values = _python_values(col, n)
        if name in converters:
            values = [None if x is None else converters[name](x) for x in values]
        lists.append(values)
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})", list(zip(*lists, strict=True))
        )


def _sqlite_converters(columns: Iterable[str]) -> dict[str, Callable]:
    ops = connection.ops

    def stamp(x: float) -> object:
        return sql_datetime(dt.datetime.fromtimestamp(x, dt.UTC))

    def day(x: int) -> object:
        return ops.adapt_datefield_value(dt.date.fromordinal(x))

    out: dict[str, Callable] = {}
    for name in columns:
        if name in ("arrived_at", "queued_at", "booked_start", "called_at", "notified_at", "at"):
            out[name] = stamp
        elif name == "local_day":
            out[name] = day
    return out


def _is_superuser() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _rebuild_statistics(
    *,
    first: dt.date,
    last: dt.date,
    office_ids: Sequence[int],
    log: Callable[[str], None] = lambda _m: None,
) -> float:
    """Rebuild the statistics' rollups of the span from the raw log, if `reports` is installed.

    Real visits keep the rollups in step through the queue's signals, one change at a time;
    a bulk load (or removal) bypasses them, so the rollups of the span are recomputed from the
    log, set-based in SQL (`rollups.rebuild`, the same rows as
    `manage.py reconcile_statistics --fix`). Returns the seconds the occupancy rollup took.
    """
    if not apps.is_installed("servicekontor.reports"):
        return 0.0
    from servicekontor.reports import rollups

    started = time.perf_counter()
    rollups.rebuild(start=first, end=last, office_ids=office_ids or None)
    log(f"rollups rebuilt in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    closed_end = min(last, clock.local_today() - dt.timedelta(days=1))
    if closed_end >= first:
        rollups.roll_up_occupancy(start=first, end=closed_end)
    return time.perf_counter() - started


def remove_simulated(
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    office_ids: Sequence[int] = (),
    rebuild_statistics: bool = True,
) -> int:
    """Delete simulated visits (with their events, errands and any row that cascades from a
    visit) and the simulated officers' desk-status rows of the span; then rebuild the
    statistics' rollups of the span. Without bounds and offices, also the simulated officers.
    Returns visits removed. Raw SQL: the ORM would load millions of rows to cascade.
    """
    where = ["simulated"]
    params: list[Any] = []
    if first is not None:
        where.append("local_day >= %s")
        params.append(first)
    if last is not None:
        where.append("local_day <= %s")
        params.append(last)
    if office_ids:
        where.append("office_id IN (" + ", ".join(["%s"] * len(office_ids)) + ")")
        params.extend(office_ids)
    visit_table = Visit._meta.db_table
    chosen = f"SELECT id FROM {visit_table} WHERE " + " AND ".join(where)
    span = Visit.objects.filter(simulated=True)
    if first is not None:
        span = span.filter(local_day__gte=first)
    if last is not None:
        span = span.filter(local_day__lte=last)
    if office_ids:
        span = span.filter(office_id__in=office_ids)
    bounds = span.aggregate(first=Min("local_day"), last=Max("local_day"))
    desk_rows = DeskStatusEvent.objects.filter(
        officer__username__startswith=SIM_USER_PREFIX, officer__is_active=False
    )
    if first is not None:
        desk_rows = desk_rows.filter(at__gte=clock.local_day_bounds(first)[0])
    if last is not None:
        desk_rows = desk_rows.filter(at__lt=clock.local_day_bounds(last)[1])
    if office_ids:
        desk_rows = desk_rows.filter(office_id__in=office_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        desk_rows.delete()  # nothing depends on these rows: one DELETE statement
        for rel in Visit._meta.related_objects:
            model = rel.related_model
            field = rel.field
            table = model._meta.db_table
            column = field.column
            on_delete = getattr(rel, "on_delete", None)
            if getattr(on_delete, "__name__", "") == "SET_NULL":
                cursor.execute(
                    f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({chosen})", params
                )
            else:
                cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({chosen})", params)
        cursor.execute(f"DELETE FROM {visit_table} WHERE " + " AND ".join(where), params)
        removed = cursor.rowcount
        if first is None and last is None and not office_ids:
            User.objects.filter(username__startswith=SIM_USER_PREFIX, is_active=False).delete()
    if rebuild_statistics and removed and bounds["first"] is not None:
        _rebuild_statistics(first=bounds["first"], last=bounds["last"], office_ids=list(office_ids))
    return int(removed)


def load(
    *,
    first: dt.date,
    last: dt.date,
    office_codes: Sequence[str] | None = None,
    seed: int = 0,
    processes: int | None = None,
    log: Callable[[str], None] = lambda _m: None,
    skip_fk_checks: bool | None = None,
    rebuild_statistics: bool = True,
) -> LoadReport:
    """Simulate ``first..last`` and write it; earlier simulated rows of that span are replaced.

    Office-days that already have real (not simulated) visits are left alone. Raises
    ValueError for an empty or future span (today's ticket numbers belong to the kiosks).

    ``skip_fk_checks`` (PostgreSQL, superuser only; None, the default: when the role is a
    PostgreSQL superuser, else False): the load's transaction runs with
    ``session_replication_role = replica``, so the foreign-key triggers do not re-check every
    row (more than half of a year's load time, measured in docs/benchmarks.md). The rows are
    the same; their keys are valid by construction (ids reserved here, offices, services,
    desks and officers read from the database), which the loader tests check row by row, and
    are checked once more set-based before commit (`check_keys`: one anti-join per key).

    ``rebuild_statistics=False`` leaves the statistics' rollups of the span stale (for
    measuring the write alone; `manage.py reconcile_statistics --fix` rebuilds them).
    """
    if last < first:
        raise ValueError("the last day is before the first")
    if last >= clock.local_today():
        raise ValueError("only days before today can be simulated")
    report = LoadReport()
    network, services, offices = registry_inputs(first=first, last=last)
    inputs = network
    if office_codes:
        missing = set(office_codes) - {o.code for o in offices}
        if missing:
            raise ValueError("unknown or closed offices: " + ", ".join(sorted(missing)))
        inputs = [o for o in network if o.code in set(office_codes)]
        offices = [o for o in offices if o.code in set(office_codes)]
    real = set(
        Visit.objects.filter(
            simulated=False, local_day__gte=first, local_day__lte=last, office__in=offices
        )
        .values_list("office_id", "local_day")
        .distinct()
    )
    if real:
        trimmed = []
        for o in inputs:
            keep = tuple(d for d in o.days if (o.office_id, d.day) not in real)
            report.skipped_days += len(o.days) - len(keep)
            trimmed.append(
                calibration.OfficeInput(
                    office_id=o.office_id, code=o.code, desks=o.desks, days=keep
                )
            )
        inputs = trimmed
    scenarios = calibration.build_scenarios(inputs, services, seed=seed, network=network)
    report.offices = len(scenarios)
    report.days = sum(len(s.days) for s in scenarios)
    log(f"{report.offices} offices, {report.days} office-days: simulating")
    started = time.perf_counter()
    results = simulate_offices(scenarios, processes=processes)
    report.simulate_seconds = time.perf_counter() - started
    report.visits = sum(r.visit_count for r in results)
    report.events = sum(int(r.events.shape[0]) for r in results)
    log(f"{report.visits} visits, {report.events} events in {report.simulate_seconds:.1f} s")

    started = time.perf_counter()
    by_id = {o.pk: o for o in offices}
    service_agency = dict(Service.objects.values_list("pk", "agency_id"))
    letters = {a.pk: a.ticket_letter.encode() for a in Agency.objects.all()}
    service_letters = {s: letters[a] for s, a in service_agency.items()}
    desks: dict[int, list[int]] = {}
    for office_id, pk in (
        ServicePoint.objects.filter(is_active=True)
        .desks()
        .order_by("office_id", "number")
        .values_list("office_id", "pk")
    ):
        desks.setdefault(office_id, []).append(pk)
    tables = {
        "visits": Visit._meta.db_table,
        "events": VisitEvent._meta.db_table,
        "errands": Errand._meta.db_table,
        "desk": DeskStatusEvent._meta.db_table,
    }
    counts = {
        "visits": report.visits,
        "events": report.events,
        "errands": sum(int(r.errands.shape[0]) for r in results),
        "desk": sum(int(r.desk.shape[0]) for r in results),
    }
    postgres = connection.vendor == "postgresql"
    dropped: list[str] = []  # CREATE INDEX statements of indexes dropped for the COPY
    if skip_fk_checks and not _is_superuser():
        raise ValueError("skipping the foreign-key checks needs PostgreSQL and a superuser")
    if skip_fk_checks is None:  # the default: set-based checks where the role allows it
        skip_fk_checks = _is_superuser()
    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                # for this transaction only: index builds and the key checks' hash joins in
                # memory; the commit does not wait for the WAL flush (a crash loses the whole
                # load, never part of it)
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{LOAD_MAINTENANCE_WORK_MEM}'")
                cursor.execute(f"SET LOCAL work_mem = '{LOAD_WORK_MEM}'")
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL jit = off")  # compile time > gain (0036)
        if skip_fk_checks:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        report.removed = remove_simulated(
            first=first, last=last, office_ids=list(by_id), rebuild_statistics=False
        )
        types: dict[str, dict[str, str]] = {}
        if postgres:
            # the ids are reserved below: no other writer in between (the queue waits)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {', '.join(tables.values())} IN SHARE ROW EXCLUSIVE MODE"
                )
            types = {name: _column_types(table) for name, table in tables.items()}
            # a load at least as big as the table: its secondary indexes are dropped now and
            # built once after the COPY (a sort of the whole table) instead of maintained row
            # by row; inside this transaction, so a failed load leaves them as they were.
            # Not with the per-row key checks (the index would wait for them at commit).
            for name, table in tables.items():
                if skip_fk_checks and counts[name] and counts[name] >= _rows_now(table):
                    dropped += bulk_indexes.drop_secondary_indexes(table)
        next_ids = {name: _reserve_ids(tables[name], counts[name]) for name in tables}
        first_ids = dict(next_ids)
        copying = time.perf_counter()
        for scenario, result in zip(scenarios, results, strict=True):
            if result.visit_count == 0 and result.desk.shape[0] == 0:
                continue
            agency_of_index = {s.agency: service_agency[s.service_id] for s in scenario.services}
            officer_ids = _sim_officers(scenario, by_id[scenario.office_id], agency_of_index)
            rows = _rows(
                result,
                scenario,
                next_ids["visits"],
                next_ids["events"],
                next_ids["errands"],
                next_ids["desk"],
                officer_ids,
                desks.get(scenario.office_id, []),
                service_letters,
                service_agency,
            )
            sizes = {
                "visits": rows.n_visits,
                "events": rows.n_events,
                "errands": rows.n_errands,
                "desk": rows.n_desk,
            }
            for name, table in tables.items():
                columns = getattr(rows, name)
                if postgres:
                    report.encode_seconds += _copy(table, types[name], columns, sizes[name])
                else:
                    _insert(table, columns, sizes[name], _sqlite_converters(columns))
                next_ids[name] += sizes[name]
        report.copy_seconds = time.perf_counter() - copying
        log(f"rows built and written in {report.copy_seconds:.1f} s")
        started_checks = time.perf_counter()
        if skip_fk_checks:
            models = {"visits": Visit, "events": VisitEvent, "errands": Errand}
            models["desk"] = DeskStatusEvent
            new_visits = {Visit: (first_ids["visits"], next_ids["visits"])}
            for name, model in models.items():
                check_keys(model, first_ids[name], next_ids[name], new_rows=new_visits)
        report.key_check_seconds = time.perf_counter() - started_checks
        log(f"keys checked in {report.key_check_seconds:.1f} s")
        started_indexes = time.perf_counter()
        bulk_indexes.build(dropped)
        report.indexes_rebuilt = len(dropped)
        report.index_seconds = time.perf_counter() - started_indexes
        log(f"{len(dropped)} indexes built in {report.index_seconds:.1f} s")
        if postgres:
            started_analyze = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(tables.values())}")
            report.analyze_seconds = time.perf_counter() - started_analyze
            log(f"ANALYZE in {report.analyze_seconds:.1f} s")
        committing = time.perf_counter()
    report.commit_seconds = time.perf_counter() - committing
    log(f"committed in {report.commit_seconds:.1f} s")
    started_rollups = time.perf_counter()
    if rebuild_statistics:
        report.occupancy_seconds = _rebuild_statistics(
            first=first, last=last, office_ids=list(by_id), log=log
        )
    report.rollup_seconds = time.perf_counter() - started_rollups
    report.write_seconds = time.perf_counter() - started
    log(
        f"written in {report.write_seconds:.1f} s (rows built and written "
        f"{report.copy_seconds:.1f} s, of which encoding {report.encode_seconds:.1f} s; "
        f"key checks {report.key_check_seconds:.1f} s; {report.indexes_rebuilt} indexes "
        f"built in {report.index_seconds:.1f} s; ANALYZE {report.analyze_seconds:.1f} s; "
        f"commit {report.commit_seconds:.1f} s; statistics' rollups rebuilt in "
        f"{report.rollup_seconds:.1f} s, of which occupancy {report.occupancy_seconds:.1f} s)"
    )
    return report
