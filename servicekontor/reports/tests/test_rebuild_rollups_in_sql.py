"""The set-based rebuild of the rollups in SQL (`rollups.rebuild`, used after a bulk load)
writes exactly the rows of the Python recompute (`rollups.recompute`, the definitions in
`measures`), on hand-made logs with the awkward cases: both DST changes, fractions of a
second at minute edges, a booked visit early, late and called before its time, transfer,
left, booked no-show, closing, events at the same instant, errands with and without an
interpreter language, and a visit whose log starts mid-way (not counted as an arrival)."""

import datetime as dt

import pytest

from servicekontor.reports import rollups

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SPRING = dt.date(2026, 3, 29)  # CET → CEST at 01:00 UTC
AUTUMN = dt.date(2026, 10, 25)  # CEST → CET at 01:00 UTC


def _at(day: dt.date, h: int, m: int, s: int = 0, us: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, h, m, s, us, tzinfo=UTC)


def _visit(world, day, arrived, events, *, booked_start=None, errands=(), service=None):
    from servicekontor.queueing.models import Errand, Visit, VisitEvent

    service = service or world.tax
    visit = Visit.objects.create(
        office=world.office,
        service=service,
        local_day=day,
        ticket_letter="S",
        ticket_number=Visit.objects.count() + 1,
        state=events[-1][3] if events else "waiting",
        source="appointment" if booked_start else "kiosk",
        arrived_at=arrived,
        queued_at=arrived,
        booked_start=booked_start,
        outcome="resolved" if events and events[-1][3] == "finished" else "",
    )
    for at, action, from_state, to_state, svc in events:
        VisitEvent.objects.create(
            visit=visit,
            office=world.office,
            service=svc or service,
            at=at,
            action=action,
            from_state=from_state,
            to_state=to_state,
        )
    for position, (svc, outcome, used, language, seconds, first) in enumerate(errands):
        Errand.objects.create(
            visit=visit,
            position=position,
            service=svc,
            outcome=outcome,
            interpreter_used=used,
            interpreter_language=language,
            service_seconds=seconds,
            first_for_agency=first,
            recorded_at=arrived,
        )
    return visit


def _log(world) -> None:
    tax, parental = world.tax, world.parental
    for day in (SPRING, AUTUMN):
        # around the change: 00:30 and 01:30 UTC, and a fraction of a second before an hour
        for arrived in (_at(day, 0, 30), _at(day, 1, 30), _at(day, 7, 59, 59, 999_700)):
            call = arrived + dt.timedelta(seconds=59, microseconds=999_999)
            _visit(
                world,
                day,
                arrived,
                [
                    (arrived, "issue", "", "waiting", None),
                    (call, "call", "waiting", "called", None),
                    (call, "start", "called", "serving", None),  # same instant: by id
                    (call + dt.timedelta(minutes=4), "finish", "serving", "finished", None),
                ],
                errands=[(tax, "resolved", False, "", 240, True)],
            )
        # a fraction of a second decides the minute and the second
        arrived = _at(day, 9, 0, 0, 500_000)
        _visit(
            world,
            day,
            arrived,
            [
                (arrived, "issue", "", "waiting", None),
                (_at(day, 9, 1, 0, 400_000), "call", "waiting", "called", None),
                (_at(day, 9, 2, 0, 0), "no_show", "called", "no_show", None),  # left
            ],
        )
        # booked: early (waits from the booked time), late, and called before its time
        booked = _at(day, 10, 0)
        for arrived, call in (
            (_at(day, 9, 50), _at(day, 10, 5, 30, 1)),
            (_at(day, 10, 10, 0, 999_999), _at(day, 10, 12)),
            (_at(day, 9, 40), _at(day, 9, 55)),
        ):
            _visit(
                world,
                day,
                arrived,
                [
                    (arrived, "check_in", "", "waiting", None),
                    (call, "call", "waiting", "called", None),
                    (call, "start", "called", "serving", None),
                    (call + dt.timedelta(minutes=1), "finish", "serving", "finished", None),
                ],
                booked_start=booked,
                errands=[
                    (tax, "resolved", True, "ti", 30, True),
                    (tax, "e_service", True, "", 20, False),
                    (parental, "referred", False, "", 10, True),
                ],
            )
        # a booking nobody came to
        _visit(
            world,
            day,
            booked,
            [(booked, "no_show", "", "no_show", None)],
            booked_start=booked,
        )
        # transfer (counts for the service it left), recall, hold, requeue, finish
        t0 = _at(day, 11, 0)
        _visit(
            world,
            day,
            t0,
            [
                (t0, "issue", "", "waiting", None),
                (t0 + dt.timedelta(minutes=20), "call", "waiting", "called", None),
                (t0 + dt.timedelta(minutes=21), "recall", "called", "called", None),
                (t0 + dt.timedelta(minutes=22), "start", "called", "serving", None),
                (t0 + dt.timedelta(minutes=25), "transfer", "serving", "waiting", parental),
                (t0 + dt.timedelta(minutes=40), "call", "waiting", "called", parental),
                (t0 + dt.timedelta(minutes=41), "start", "called", "serving", parental),
                (t0 + dt.timedelta(minutes=50), "finish", "serving", "finished", parental),
            ],
            errands=[
                (tax, "transferred", False, "", 180, True),
                (parental, "resolved", True, "ar", 540, True),
            ],
        )
        # not served at closing
        _visit(
            world,
            day,
            _at(day, 14, 55),
            [
                (_at(day, 14, 55), "issue", "", "waiting", parental),
                (_at(day, 15, 5), "close", "waiting", "not_served", parental),
            ],
            service=parental,
        )
        # a log that starts mid-way: no arrival, but its call and ending count
        _visit(
            world,
            day,
            _at(day, 12, 0),
            [
                (_at(day, 12, 3), "call", "waiting", "called", None),
                (_at(day, 12, 4), "no_show", "called", "no_show", None),
            ],
        )


@pytest.mark.parametrize("offices", [None, "mine", "other"])
def test_rebuild__writes_the_rows_of_the_python_recompute(world, offices):
    _log(world)
    office_ids = {None: None, "mine": [world.office.pk], "other": [world.other_office.pk]}[offices]
    start, end = dt.date(2026, 3, 1), dt.date(2026, 10, 31)
    raw = rollups.recompute(start=start, end=end, office_ids=office_ids)
    rollups.rebuild(start=start, end=end, office_ids=office_ids)
    stored = rollups.stored(start=start, end=end, office_ids=office_ids)
    assert rollups.compare(stored, raw) == []
    if offices == "other":
        assert stored == {}
        return
    assert {k[0] for k in stored} == {"day", "hour", "wait", "errand", "month", "wait_month"}
    o, tax = world.office.pk, world.tax.pk
    # local hours across the changes: 00:30/01:30 UTC are 01:30/03:30 CEST in spring,
    # 02:30 CEST / 02:30 CET in autumn; 07:59:59.9997 UTC is still 09 (spring) / 08 local
    assert {k[4] for k in stored if k[0] == "hour" and k[3] == SPRING} >= {1, 3, 9}
    assert stored[("hour", o, tax, AUTUMN, 2)] == {"arrivals": 2}
    assert stored[("hour", o, tax, AUTUMN, 8)] == {"arrivals": 1}
    day = stored[("day", o, tax, AUTUMN)]
    # waits: 3 × 59 s, 59 s (left), booked 330 + 119 + 0, transfer 1200, mid-way (12:00→12:03
    # counts from arrival: 180)
    assert day["wait_seconds"] == 3 * 59 + 59 + 330 + 119 + 0 + 1200 + 180
    assert (day["left_queue"], day["no_show"], day["transfers"]) == (2, 1, 1)


def test_rebuild__replaces_stale_rows_and_leaves_other_days(world):
    _log(world)
    rollups.rebuild(start=SPRING, end=SPRING)
    rollups.rebuild(start=AUTUMN, end=AUTUMN)
    before = rollups.stored(start=SPRING, end=SPRING)
    rollups.rebuild(start=AUTUMN, end=AUTUMN)  # twice: no doubled rows
    assert rollups.stored(start=SPRING, end=SPRING) == before
    assert (
        rollups.compare(
            rollups.stored(start=AUTUMN, end=AUTUMN), rollups.recompute(start=AUTUMN, end=AUTUMN)
        )
        == []
    )
