"""The kiosk ticket page's written-out statement (`sql.kiosk_ticket`, via
`queries.kiosk_ticket`) gives the visit and the wait that the ORM's `Visit.objects.get` and
`queries.wait_info` give, whoever waits and whoever serves."""

import datetime as dt
import random

import pytest

from servicekontor.core import clock
from servicekontor.queueing import queries, services
from servicekontor.queueing.call_order import CallOrderKey, call_order_key
from servicekontor.queueing.models import OfficerStatus, Priority, Visit
from tests.factories import make_offering


def _both(world, visit: Visit):
    by_orm = Visit.objects.select_related("service__agency").get(pk=visit.pk, office=world.office)
    wait_orm = queries.wait_info(office=world.office, service=by_orm.service, exclude=by_orm)
    found = queries.kiosk_ticket(office=world.office, visit_id=visit.pk)
    assert found is not None
    by_sql, wait_sql, _desk = found
    assert [getattr(by_sql, f.attname) for f in Visit._meta.concrete_fields] == [
        getattr(by_orm, f.attname) for f in Visit._meta.concrete_fields
    ]
    assert (by_sql.service.pk, by_sql.service.agency.name) == (
        by_orm.service.pk,
        by_orm.service.agency.name,
    )
    assert by_sql.ticket == by_orm.ticket
    return wait_orm, wait_sql


@pytest.mark.parametrize("serving", ["both", "alice on a break", "bob signed out", "nobody"])
def test_kiosk_ticket__sql__same_visit_and_wait_as_the_orm(world, clock_at, serving):
    tickets = [
        services.issue_ticket(office=world.office, service=s)
        for s in (world.tax, world.parental, world.id_card, world.tax, world.parental)
    ]
    make_offering(office=world.other_office, service=world.tax)
    other = services.issue_ticket(office=world.other_office, service=world.tax)
    caller = world.alice if serving == "bob signed out" else world.bob
    called = services.call_next(officer=caller)  # no longer waiting: not before anyone
    assert called.pk == tickets[0].pk and other.office_id != world.office.pk
    if serving == "alice on a break":
        services.set_officer_status(officer=world.alice, status=OfficerStatus.BREAK)
    elif serving == "bob signed out":
        services.sign_out_of_desk(officer=world.bob)
    elif serving == "nobody":
        services.set_officer_status(officer=world.alice, status=OfficerStatus.BREAK)
        services.set_officer_status(officer=world.bob, status=OfficerStatus.BACK_OFFICE)
    for visit in tickets:
        wait_orm, wait_sql = _both(world, visit)
        assert wait_sql == wait_orm
    if serving == "both":
        # The last tax ticket: alice and bob can serve it; alice serves parental too, so the
        # parental ticket is before it; the id card ticket needs the photo station no desk
        # has (the first tax ticket is called).
        assert _both(world, tickets[3])[1].waiting == 1
        # The last parental ticket: only alice can serve it, and she serves tax too: the
        # parental ticket and the tax ticket before it.
        assert _both(world, tickets[4])[1].waiting == 2


def test_kiosk_ticket__sql__another_offices_visit__none(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    assert queries.kiosk_ticket(office=world.other_office, visit_id=visit.pk) is None
    assert queries.kiosk_ticket(office=world.office, visit_id=visit.pk + 1000) is None


def _ahead(world, visit: Visit) -> int:
    wait_orm, wait_sql = _both(world, visit)
    assert wait_sql.waiting == wait_orm.waiting
    return wait_sql.waiting


def test_kiosk_ticket__priority_ticket__counts_only_those_called_before_it(world, clock_at):
    """A priority ticket is called before those who came earlier: nobody is before it, and
    it is before every ordinary ticket (the walk found "1 person before you" on a priority
    ticket that was called first, and ordinary tickets not counting it)."""
    first, second = (services.issue_ticket(office=world.office, service=world.tax) for _ in "12")
    urgent = services.issue_ticket(
        office=world.office, service=world.tax, priority=Priority.ACCESSIBILITY
    )
    last = services.issue_ticket(office=world.office, service=world.tax)
    assert [_ahead(world, v) for v in (urgent, first, second, last)] == [0, 1, 2, 3]
    assert services.call_next(officer=world.alice).pk == urgent.pk  # the order it promised


def test_kiosk_ticket__due_booking__before_walk_ins_not_yet_due_after(world, clock_at):
    walk_in = services.issue_ticket(office=world.office, service=world.tax)
    due, later = (services.issue_ticket(office=world.office, service=world.tax) for _ in "12")
    now = clock.now()
    Visit.objects.filter(pk=due.pk).update(booked_start=now - dt.timedelta(minutes=5))
    Visit.objects.filter(pk=later.pk).update(booked_start=now + dt.timedelta(minutes=30))
    assert [_ahead(world, v) for v in (due, walk_in, later)] == [0, 1, 2]


@pytest.mark.parametrize("seed", range(6))
def test_kiosk_ticket__people_before__is_the_call_order(world, clock_at, seed):
    """Random lines (priorities, bookings due or not, equal times in line): the count before
    each ticket is the number of the waiting visits competing for its desks with a smaller
    `call_order_key`, in the statement and in the ORM's `wait_info`. Alice (desk 1: tax,
    parental) and bob (desk 2: tax) are ready; neither desk has the photo station."""
    competing: dict[int, set[int] | None] = {
        world.tax.pk: {world.tax.pk, world.parental.pk},  # alice and bob; alice serves both
        world.parental.pk: {world.tax.pk, world.parental.pk},  # alice
        world.id_card.pk: None,  # no desk can serve it: everyone before it in line
    }
    rng = random.Random(seed)
    now = clock.now()
    visits = []
    for _ in range(8):
        service = rng.choice([world.tax, world.tax, world.id_card, world.parental])
        visit = services.issue_ticket(
            office=world.office,
            service=service,
            priority=rng.choice([Priority.NORMAL, Priority.NORMAL, Priority.ACCESSIBILITY]),
        )
        booked = rng.choice([None, None, now - dt.timedelta(minutes=rng.randint(0, 30))])
        if booked is None and rng.random() < 0.3:
            booked = now + dt.timedelta(minutes=rng.randint(1, 30))
        queued = now - dt.timedelta(minutes=rng.choice([1, 2, 3]))  # ties on purpose
        Visit.objects.filter(pk=visit.pk).update(booked_start=booked, queued_at=queued)
        visits.append(Visit.objects.select_related("service").get(pk=visit.pk))

    def key(v: Visit) -> CallOrderKey:
        return call_order_key(
            booked_start=v.booked_start,
            priority=v.priority,
            queued_at=v.queued_at,
            visit_id=v.pk,
            now=now,
        )

    for visit in visits:
        rivals = competing[visit.service_id]
        expected = sum(
            1
            for other in visits
            if other.pk != visit.pk
            and (rivals is None or other.service_id in rivals)
            and key(other) < key(visit)
        )
        assert _ahead(world, visit) == expected
