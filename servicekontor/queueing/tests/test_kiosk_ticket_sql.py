"""The kiosk ticket page's written-out statement (`sql.kiosk_ticket`, via
`queries.kiosk_ticket`) gives the visit and the wait that the ORM's `Visit.objects.get` and
`queries.wait_info` give, whoever waits and whoever serves."""

import pytest

from servicekontor.queueing import queries, services
from servicekontor.queueing.models import OfficerStatus, Visit
from tests.factories import make_offering


def _both(world, visit: Visit):
    by_orm = Visit.objects.select_related("service__agency").get(pk=visit.pk, office=world.office)
    wait_orm = queries.wait_info(office=world.office, service=by_orm.service, exclude=by_orm)
    found = queries.kiosk_ticket(office=world.office, visit_id=visit.pk)
    assert found is not None
    by_sql, wait_sql = found
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
    # the last tax ticket: the id card ticket before it (the first tax one is called)
    assert _both(world, tickets[3])[1].waiting == 1
    assert _both(world, tickets[4])[1].waiting == 1  # the first parental ticket


def test_kiosk_ticket__sql__another_offices_visit__none(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    assert queries.kiosk_ticket(office=world.other_office, visit_id=visit.pk) is None
    assert queries.kiosk_ticket(office=world.office, visit_id=visit.pk + 1000) is None
