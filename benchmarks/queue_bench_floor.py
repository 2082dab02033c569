"""The floor of the queue benchmark: the office day's transactions as bare SQL (psycopg), with
the hand-written statements taken from the app (`servicekontor.queueing.sql`). Needs Django
set up (the statements are built from the models' tables).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from bench_harness import Samples, pause, run_desks


@dataclass
class World:
    office_code: str
    office_id: int
    agency_codes: list[str]
    service_ids: list[int]
    desk_cookies: list[str]  # Cookie header per officer
    officer_ids: list[int]
    csrf: str


@dataclass
class DayResult:
    issue: Samples
    call: Samples
    other: Samples
    wall: float
    visits: int
    empty: int
    client_cpu: float = float("nan")  # client CPU ms per request


# --- the same transactions as bare SQL -------------------------------------------------------

# The offering check is ORM in the app (`Offering.objects.valid_on(day)…exists()`); this is
# what it sends.
OFFERED_SQL = (
    "SELECT 1 FROM network_offering WHERE office_id = %(office)s AND service_id = %(service)s"
    " AND valid_from <= %(day)s AND (valid_to IS NULL OR valid_to >= %(day)s) LIMIT 1"
)
INSERT_VISIT = (
    "INSERT INTO queueing_visit (office_id, service_id, local_day, ticket_letter, ticket_number,"
    " state, source, priority, arrived_at, queued_at, booking_reference, call_count, outcome,"
    " note, notify_contact) VALUES (%(office)s, %(service)s, %(day)s, 'S', %(number)s,"
    " 'waiting', 'kiosk', 0, now(), now(), '', 0, '', '', '') RETURNING id"
)
INSERT_EVENT = (
    "INSERT INTO queueing_visitevent (visit_id, office_id, service_id, at, action, from_state,"
    " to_state, service_point_id, officer_id, outcome) VALUES (%(visit)s, %(office)s,"
    " %(service)s, now(), %(action)s, %(from)s, %(to)s, %(point)s, %(officer)s, %(outcome)s)"
)


def sql_day(world: World, *, dsn: str, cycles: int, procs: int, think: float = 0.0) -> DayResult:
    """The office day as bare SQL: the same transactions, one psycopg connection per desk."""
    # The hand-written statements the app sends (ticket number, desk-session lock, call-next
    # pick) come from the app's one home for them, `servicekontor.queueing.sql`.
    from servicekontor.core import clock
    from servicekontor.queueing import sql

    ticket_sql = sql.TICKET_COUNTER_UPSERT
    session_sql = sql.desk_session_statement(columns="s.id, s.service_point_id")
    pick_sql = sql.pick_statement(columns="v.id, v.service_id")
    issue, call, other = Samples(), Samples(), Samples()
    empty = [0]

    def desk(i: int) -> None:
        officer = world.officer_ids[i]
        service = world.service_ids[i % 3]
        base = {"office": world.office_id, "officer": officer, "outcome": ""}
        # autocommit: each `conn.transaction()` is then a real BEGIN … COMMIT, not a savepoint
        with psycopg.connect(dsn, autocommit=True) as conn:
            day = conn.execute("SELECT (now() AT TIME ZONE 'Europe/Stockholm')::date").fetchone()
            assert day is not None
            for _ in range(cycles):
                pause(think)
                t0 = time.perf_counter()
                with conn.transaction():
                    conn.execute(OFFERED_SQL, {**base, "service": service, "day": day[0]})
                    number = conn.execute(ticket_sql, (world.office_id, day[0])).fetchone()
                    assert number is not None
                    row = conn.execute(
                        INSERT_VISIT,
                        {**base, "service": service, "day": day[0], "number": number[0]},
                    ).fetchone()
                    assert row is not None
                    conn.execute(
                        INSERT_EVENT,
                        {
                            **base,
                            "visit": row[0],
                            "service": service,
                            "action": "issue",
                            "from": "",
                            "to": "waiting",
                            "point": None,
                            "officer": None,
                        },
                    )
                issue.add(time.perf_counter() - t0)
                pause(think)
                t0 = time.perf_counter()
                with conn.transaction():
                    session = conn.execute(session_sql, (officer,)).fetchone()
                    assert session is not None and session[2]
                    picked = conn.execute(
                        pick_sql,
                        (officer, world.office_id, officer, session[1], clock.now()),
                    ).fetchone()
                    if picked is not None:
                        conn.execute(
                            "UPDATE queueing_visit SET state = 'called', officer_id = %s,"
                            " service_point_id = %s, called_at = now(), call_count = 1,"
                            " notify_contact = '' WHERE id = %s AND state = 'waiting'",
                            (officer, session[1], picked[0]),
                        )
                        conn.execute(
                            INSERT_EVENT,
                            {
                                **base,
                                "visit": picked[0],
                                "service": picked[1],
                                "action": "call",
                                "from": "waiting",
                                "to": "called",
                                "point": session[1],
                            },
                        )
                call.add(time.perf_counter() - t0)
                if picked is None:
                    empty[0] += 1
                    continue
                for action, old, new, outcome in (
                    ("start", "called", "serving", ""),
                    ("finish", "serving", "finished", "resolved"),
                ):
                    pause(think)
                    t0 = time.perf_counter()
                    with conn.transaction():
                        conn.execute(
                            "UPDATE queueing_visit SET state = %s, outcome = %s"
                            " WHERE id = %s AND state = %s",
                            (new, outcome, picked[0], old),
                        )
                        conn.execute(
                            INSERT_EVENT,
                            {
                                **base,
                                "visit": picked[0],
                                "service": picked[1],
                                "action": action,
                                "from": old,
                                "to": new,
                                "point": session[1],
                                "outcome": outcome,
                            },
                        )
                    other.add(time.perf_counter() - t0)

    n = len(world.officer_ids)
    wall, cpu = run_desks(n, desk, procs=procs, samples=(issue, call, other), counters=empty)
    return DayResult(issue, call, other, wall, len(call.values) - empty[0], empty[0], cpu)
