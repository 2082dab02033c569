"""Every hand-written statement that compares the log with the start of a local day counts an
event for its Stockholm day: 00:00 and 00:30 local (23:00/23:30 UTC the UTC day before in
winter, 22:00/22:30 in summer) are today, 23:30 local yesterday is not, on SQLite (UTC naive
text, compared as text) and on PostgreSQL. The datetimes go through `core.sql_datetime`;
before, an aware parameter reached SQLite as text with its offset and left events out."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection

from servicekontor.core import clock
from servicekontor.core.clock import STOCKHOLM
from servicekontor.core.sql_datetime import sql_datetime
from servicekontor.queueing import queries, services, sql
from servicekontor.queueing.models import VisitAction, VisitEvent
from servicekontor.queueing.tests.conftest import World
from tests.factories import make_user, open_around_the_clock

WINTER = dt.date(2026, 12, 1)  # CET, UTC+1
SUMMER = dt.date(2026, 7, 1)  # CEST, UTC+2


@pytest.fixture(autouse=True)
def open_all_day(world):
    open_around_the_clock(world.office)


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=STOCKHOLM)


def _served_visit(world: World, at: dt.datetime) -> int:
    """A visit issued, called, started and finished at `at` (all its events then)."""
    with time_machine.travel(at, tick=False):
        visit = services.issue_ticket(office=world.office, service=world.tax)
        services.call_next(officer=world.alice)
        services.start_service(officer=world.alice, visit_id=visit.pk)
        services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    return visit.pk


def _seen_by_every_statement(world: World, manager, since: dt.datetime) -> dict[str, Any]:
    """What each statement reads of the office since `since` (passed as given)."""
    office = world.office
    counts = sql.office_events_today(office_id=office.pk, since=since, officer_id=world.alice.pk)
    polled = sql.desk_poll(officer_id=world.alice.pk, since=since)
    assert polled is not None
    live = sql.live_poll(office_code=office.code, user_id=manager.pk, since=since)
    assert live is not None
    _waiting, board = sql.lobby_board(office_id=office.pk, since=since, events=50)
    overview = sql.live_overview(office_id=office.pk, since=since, day=clock.local_date_of(since))
    return {
        "office_events_today": counts,
        "desk_poll": polled[1],
        "live_poll": live.counts,
        "lobby_board": sorted({e.visit_id for e in board}),
        "live_overview served": overview.served,
        "live_overview waits": len(overview.waits),
        "visit_waits": len(sql.visit_waits(office_id=office.pk, since=since)),
    }


def _expected(world: World, day: dt.date) -> dict[str, Any]:
    """The same figures from the events read into Python, by each event's local day."""
    events = [
        e
        for e in VisitEvent.objects.filter(office=world.office)
        if clock.local_date_of(e.at) == day
    ]
    mine = sum(1 for e in events if e.officer_id == world.alice.pk)
    called = sorted({e.visit_id for e in events if e.action == VisitAction.CALL})
    finished = sum(1 for e in events if e.action == VisitAction.FINISH)
    every = len(events)
    largest = max((e.id for e in events), default=0)
    return {
        "every": every,
        "largest": largest,
        "officer": mine,
        "lobby_board": called,
        "live_overview served": finished,
        "live_overview waits": len(called),
        "visit_waits": len(called),
    }


def _check(world: World, manager, day: dt.date) -> None:
    start, _end = clock.local_day_bounds(day)
    want = _expected(world, day)
    assert want["every"] > 0
    # the start as the callers give it (UTC), and the same instant in Stockholm's offset
    for since in (start, start.astimezone(STOCKHOLM)):
        got = _seen_by_every_statement(world, manager, since)
        for name in ("office_events_today", "desk_poll"):
            counts = got[name]
            assert (counts.every, counts.largest_id, counts.officer) == (
                want["every"],
                want["largest"],
                want["officer"],
            ), (name, since)
        live = got["live_poll"]
        assert (live.every, live.largest_id) == (want["every"], want["largest"]), since
        for name in ("lobby_board", "live_overview served", "live_overview waits", "visit_waits"):
            assert got[name] == want[name], (name, since)


@pytest.mark.parametrize("day", [WINTER, SUMMER], ids=["winter", "summer"])
def test_the_local_day_from_its_first_to_its_last_minute(world, day):
    manager = make_user(role="office_manager", offices=[world.office])
    yesterday, tomorrow = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    late_yesterday = _served_visit(world, _local(yesterday, 23, 30))
    at_midnight = _served_visit(world, _local(day, 0, 0))
    early = _served_visit(world, _local(day, 0, 30))
    late = _served_visit(world, _local(day, 23, 30))
    # 00:30 local is the UTC day before: the case text comparison got wrong
    assert _local(day, 0, 30).astimezone(dt.UTC).date() == yesterday
    assert {clock.local_date_of(_local(day, 0, 30))} == {day}

    with time_machine.travel(_local(day, 23, 45), tick=False):
        _check(world, manager, day)
        versions = queries.queue_versions(office_id=world.office.pk)
        assert versions["every"].startswith(f"{day:%Y%m%d}.12.")  # 3 visits × 4 events
        board = queries.board(office=world.office, limit=10)[0]
        assert len(board) == 3
        assert queries.office_overview(office=world.office).served_today == 3

    first_of_tomorrow = _served_visit(world, _local(tomorrow, 0, 5))
    with time_machine.travel(_local(tomorrow, 0, 10), tick=False):
        _check(world, manager, tomorrow)
        assert queries.queue_versions(office_id=world.office.pk)["every"].startswith(
            f"{tomorrow:%Y%m%d}.4."
        )
        assert queries.office_overview(office=world.office).served_today == 1
    assert len({late_yesterday, at_midnight, early, late, first_of_tomorrow}) == 5


def test_sql_datetime_is_what_the_orm_sends(world):
    """The parameter equals the ORM's for the column, whatever the value's offset; a naive
    datetime is refused (it names no instant)."""
    instant = _local(WINTER, 0, 30)
    field = VisitEvent._meta.get_field("at")
    orm = field.get_db_prep_value(instant, connection)
    assert sql_datetime(instant) == orm
    assert sql_datetime(instant.astimezone(dt.UTC)) == orm
    if connection.vendor == "sqlite":
        assert sql_datetime(instant) == "2026-11-30 23:30:00"
    with pytest.raises(ValueError, match="naive"):
        sql_datetime(instant.replace(tzinfo=None))
