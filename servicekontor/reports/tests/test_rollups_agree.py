"""The rollups kept in step by the queue equal a recomputation from the raw log, after every
kind of visit change: issue, check-in, booked no-show, call, recall, start, hold, requeue,
transfer, errand, finish, no-show (left), recall into no-show, closing."""

import datetime as dt
from typing import Any

import pytest

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import services
from servicekontor.queueing.errands import ErrandPart
from servicekontor.queueing.models import QueueSettings
from servicekontor.reports import rollups
from servicekontor.reports.models import MonthFigures, MonthWaitFigures

DAY = dt.date(2026, 11, 25)


def _agree() -> dict:
    stored = rollups.stored(start=DAY, end=DAY)
    raw = rollups.recompute(start=DAY, end=DAY)
    assert rollups.compare(stored, raw) == []
    # the set-based rebuild in SQL writes exactly the rows of the Python recompute
    rollups.rebuild(start=DAY, end=DAY)
    assert rollups.compare(rollups.stored(start=DAY, end=DAY), raw) == []
    return stored


def _step(clock_at, minutes=1):
    clock_at.shift(dt.timedelta(minutes=minutes))


def test_rollups__agree_with_the_log_after_every_change(world, clock_at):
    QueueSettings.objects.create(office=world.office, max_calls=2, min_recall_seconds=30)
    a = services.issue_ticket(office=world.office, service=world.tax)
    _agree()
    booked = services.check_in_booked_visit(
        office=world.office,
        service=world.parental,
        booked_start=dt.datetime(2026, 11, 25, 10, 45, tzinfo=STOCKHOLM),
        booking_reference="B-1",
    )
    _agree()
    services.record_booked_no_show(
        office=world.office,
        service=world.tax,
        booked_start=dt.datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM),
        booking_reference="B-2",
    )
    _agree()
    _step(clock_at, 20)
    services.call_next(officer=world.alice)  # the booked one is due first
    _agree()
    _step(clock_at)
    services.recall_visit(officer=world.alice, visit_id=booked.pk)
    _agree()
    services.start_service(officer=world.alice, visit_id=booked.pk)
    _step(clock_at, 3)
    services.hold_visit(officer=world.alice, visit_id=booked.pk)
    _agree()
    services.call_next(officer=world.bob)  # a
    services.start_service(officer=world.bob, visit_id=a.pk)
    _step(clock_at, 2)
    services.transfer_visit(officer=world.bob, visit_id=a.pk, service=world.parental)
    _agree()
    services.requeue_visit(officer=world.alice, visit_id=booked.pk)
    _agree()
    services.call_visit(officer=world.alice, visit_id=a.pk)
    services.start_service(officer=world.alice, visit_id=a.pk)
    _step(clock_at, 4)
    services.record_errand(
        officer=world.alice,
        visit_id=a.pk,
        service=world.parental,
        outcome="resolved",
        interpreter_used=True,
        interpreter_language="ti",
    )
    _agree()
    _step(clock_at, 2)
    services.finish_visit(
        officer=world.alice,
        visit_id=a.pk,
        outcome="e_service",
        split=[ErrandPart(service=world.tax, outcome="e_service", interpreter_used=True)],
    )
    _agree()
    gone = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.bob)  # gone (bob serves Skatteverket only)
    _agree()
    _step(clock_at)
    services.mark_no_show(officer=world.bob, visit_id=gone.pk)  # left before being served
    _agree()
    twice = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.bob)
    _step(clock_at)
    services.recall_visit(officer=world.bob, visit_id=twice.pk)
    _step(clock_at)
    services.recall_visit(officer=world.bob, visit_id=twice.pk)  # third call: no-show
    _agree()
    services.issue_ticket(office=world.office, service=world.id_card)
    clock_at.move_to(dt.datetime(2026, 11, 25, 16, 5, tzinfo=STOCKHOLM))
    assert services.close_queues() == 2  # the booked one and the id-card ticket
    stored = _agree()
    month = rollups.stored(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert (
        rollups.compare(
            month, rollups.recompute(start=DAY.replace(day=1), end=dt.date(2026, 11, 30))
        )
        == []
    )
    assert {k[0] for k in month} == {"day", "hour", "wait", "errand", "month", "wait_month"}

    day = {k: v for k, v in stored.items() if k[0] == "day"}
    tax = day[("day", world.office.pk, world.tax.pk, DAY)]
    parental = day[("day", world.office.pk, world.parental.pk, DAY)]
    # the booking nobody came to (B-2) is a no-show, not a booked visit (decision 0059)
    assert tax["visits_walk_in"] == 3 and "visits_booked" not in tax
    assert (tax["no_show"], tax["left_queue"], tax["transfers"]) == (1, 2, 1)
    assert parental["served"] == 1 and parental["not_served"] == 1
    # the part handed on by the transfer is tax's handled time, not its errand nor its served
    # visit; the split part is (decision 0053)
    assert parental["errands"] == 1 and tax["errands"] == 1
    assert parental["errand_visits"] == 1 and tax["errand_visits"] == 1
    assert tax["handled_seconds"] >= 120
    assert tax["interpreter_errands"] == 1 and parental["interpreter_errands"] == 1


@pytest.mark.parametrize("clear", ["day", "wait", "errand", "hour", "month", "wait_month"])
def test_rollups__reconcile_finds_and_repairs_a_difference(world, clock_at, clear):
    a = services.issue_ticket(office=world.office, service=world.tax)
    _step(clock_at, 3)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=a.pk)
    services.finish_visit(officer=world.alice, visit_id=a.pk, outcome="resolved")
    model: Any = {"month": MonthFigures, "wait_month": MonthWaitFigures}.get(clear)
    (model or rollups.TABLES[clear][0]).objects.all().delete()
    start, end = DAY.replace(day=1), dt.date(2026, 11, 30)

    raw = rollups.recompute(start=start, end=end)
    assert rollups.compare(rollups.stored(start=start, end=end), raw) != []
    rollups.rewrite(start=start, end=end, raw=raw)
    assert rollups.compare(rollups.stored(start=start, end=end), raw) == []
