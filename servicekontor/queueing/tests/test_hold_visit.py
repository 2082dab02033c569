import pytest

from servicekontor.queueing import services
from servicekontor.queueing.errors import InvalidTransition


def test_visit__hold_visit__success_and_requeue_keeps_place(world, clock_at):
    first = services.issue_ticket(office=world.office, service=world.tax)
    second = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=first.pk)

    parked = services.hold_visit(officer=world.alice, visit_id=first.pk)
    assert (parked.state, parked.officer) == ("on_hold", None)

    services.requeue_visit(officer=world.bob, visit_id=first.pk)
    assert services.call_next(officer=world.bob) == first
    assert second.pk != first.pk


def test_visit__hold_visit__waiting_visit_refused(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)

    with pytest.raises(InvalidTransition):
        services.hold_visit(officer=world.alice, visit_id=visit.pk)
