import pytest

from servicekontor.queueing import services
from servicekontor.queueing.errors import InvalidTransition, NotAllowed
from tests.factories import make_offering


def test_visit__call_visit__success_picks_a_parked_visit(world):
    parked = services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=parked.pk)
    services.hold_visit(officer=world.alice, visit_id=parked.pk)

    called = services.call_visit(officer=world.bob, visit_id=parked.pk)

    assert called.state == "called"
    assert called.officer == world.bob
    assert called.service_point == world.desk2


def test_visit__call_visit__not_trained_refused(world):
    visit = services.issue_ticket(office=world.office, service=world.parental)

    with pytest.raises(NotAllowed):
        services.call_visit(officer=world.bob, visit_id=visit.pk)

    visit.refresh_from_db()
    assert visit.state == "waiting"


def test_visit__call_visit__another_office_refused(world):
    make_offering(office=world.other_office, service=world.tax)
    services.sign_in_at_desk(
        officer=world.charlie, service_point=world.other_office.service_points.first()
    )
    visit = services.issue_ticket(office=world.office, service=world.tax)

    with pytest.raises(NotAllowed):
        services.call_visit(officer=world.charlie, visit_id=visit.pk)


def test_visit__call_visit__already_called_by_someone_else(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=visit.pk)

    with pytest.raises(InvalidTransition):
        services.call_visit(officer=world.bob, visit_id=visit.pk)
    visit.refresh_from_db()
    assert visit.officer == world.alice


def test_visit__call_visit__finished_visit_refused(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=visit.pk)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    with pytest.raises(InvalidTransition):
        services.call_visit(officer=world.alice, visit_id=visit.pk)
