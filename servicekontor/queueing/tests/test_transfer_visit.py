import datetime as dt

import pytest

from servicekontor.queueing import services
from servicekontor.queueing.errors import NotOffered
from servicekontor.queueing.models import QueueSettings
from tests.factories import make_service


def test_visit__transfer_visit__success_keeps_arrival(world, clock_at):
    first = services.issue_ticket(office=world.office, service=world.tax)
    clock_at.shift(dt.timedelta(minutes=1))
    later = services.issue_ticket(office=world.office, service=world.parental)
    services.call_next(officer=world.bob)
    services.start_service(officer=world.bob, visit_id=first.pk)
    clock_at.shift(dt.timedelta(minutes=5))

    moved = services.transfer_visit(officer=world.bob, visit_id=first.pk, service=world.parental)

    assert moved.state == "waiting"
    assert moved.service == world.parental
    assert moved.officer is None
    assert moved.queued_at == moved.arrived_at
    event = moved.events.latest("id")
    assert (event.action, event.service, event.from_state) == (
        "transfer",
        world.parental,
        "serving",
    )
    # Försäkringskassan now: alice gets the transferred visit before the later walk-in.
    assert services.call_next(officer=world.alice) == first
    assert later.pk != first.pk


def test_visit__transfer_visit__office_may_send_transfers_to_the_back(world, clock_at):
    QueueSettings.objects.create(office=world.office, transfer_keeps_arrival=False)
    first = services.issue_ticket(office=world.office, service=world.tax)
    clock_at.shift(dt.timedelta(minutes=1))
    later = services.issue_ticket(office=world.office, service=world.parental)
    services.call_next(officer=world.bob)
    clock_at.shift(dt.timedelta(minutes=1))

    services.transfer_visit(officer=world.bob, visit_id=first.pk, service=world.parental)

    assert services.call_next(officer=world.alice) == later


def test_visit__transfer_visit__to_a_service_not_offered_today_is_400(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    elsewhere = make_service(agency=world.fk)

    with pytest.raises(NotOffered) as excinfo:
        services.transfer_visit(officer=world.alice, visit_id=visit.pk, service=elsewhere)

    assert excinfo.value.http_status == 400
    visit.refresh_from_db()
    assert (visit.state, visit.service) == ("called", world.tax)
