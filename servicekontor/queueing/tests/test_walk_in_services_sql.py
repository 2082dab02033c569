"""The desk's written-out statement for the services offered today (`sql.walk_in_services`,
decision 0035) returns what the ORM's `queries.walk_in_services` does, in the same order."""

import datetime as dt

import pytest

from servicekontor.core import clock
from servicekontor.queueing import queries, sql
from tests.factories import make_agency, make_offering, make_office, make_service


def _both(office, day):
    by_orm = list(queries.walk_in_services(office=office, day=day))
    by_sql = sql.walk_in_services(office_id=office.pk, day=day)
    return by_orm, by_sql


def test_walk_in_services__sql__same_services_and_order_as_the_orm(world):
    today = clock.local_today()
    # appointment-only: never offered at the kiosk; an ended and a future offering
    make_offering(
        office=world.office,
        service=make_service(agency=world.skatteverket, mode="appointment_only"),
    )
    make_offering(
        office=world.office,
        service=make_service(agency=world.skatteverket, code="ended"),
        valid_to=today - dt.timedelta(days=1),
    )
    make_offering(
        office=world.office,
        service=make_service(agency=world.skatteverket, code="future"),
        valid_from=today + dt.timedelta(days=1),
    )
    by_orm, by_sql = _both(world.office, today)
    assert [s.pk for s in by_sql] == [s.pk for s in by_orm]
    assert len(by_sql) == 3  # tax, id card, parental
    # the agency comes with each service, no read when it is shown
    assert [s.agency.name for s in by_sql] == [s.agency.name for s in by_orm]


@pytest.mark.parametrize("closed", ["today", "tomorrow", "not yet open"])
def test_walk_in_services__sql__office_not_operating__as_the_orm(world, closed):
    today = clock.local_today()
    office = make_office()
    make_offering(office=office, service=make_service(agency=make_agency()))
    if closed == "today":
        office.closed_on = today  # closed from today on: not operating today
    elif closed == "tomorrow":
        office.closed_on = today + dt.timedelta(days=1)  # still operating today
    else:
        office.opened_on = today + dt.timedelta(days=1)
    office.save()
    by_orm, by_sql = _both(office, today)
    assert [s.pk for s in by_sql] == [s.pk for s in by_orm]
    assert len(by_sql) == (1 if closed == "tomorrow" else 0)
