import pytest

from servicekontor.queueing import services
from servicekontor.queueing.errors import InvalidTransition, NotAllowed
from servicekontor.queueing.models import DeskSession
from tests.factories import make_user


def test_desk_session__sign_in_at_desk__moves_the_officer(world):
    third = world.office.service_points.create(number=3)

    session = services.sign_in_at_desk(officer=world.alice, service_point=third)

    assert session.service_point == third
    assert DeskSession.objects.filter(officer=world.alice).count() == 1


def test_desk_session__sign_in_at_desk__taken_desk_is_409(world):
    with pytest.raises(InvalidTransition) as excinfo:
        services.sign_in_at_desk(officer=world.alice, service_point=world.desk2)

    assert excinfo.value.http_status == 409
    assert DeskSession.objects.get(officer=world.alice).service_point == world.desk1


def test_desk_session__sign_in_at_desk__other_office_is_403(world):
    with pytest.raises(NotAllowed):
        services.sign_in_at_desk(
            officer=world.charlie, service_point=world.office.service_points.create(number=7)
        )


def test_desk_session__sign_in_at_desk__analyst_may_not_serve(world):
    analyst = make_user(role="agency_analyst", offices=[world.office])

    with pytest.raises(NotAllowed):
        services.sign_in_at_desk(
            officer=analyst, service_point=world.office.service_points.create(number=8)
        )


def test_desk_session__set_officer_status__success(world):
    session = services.set_officer_status(officer=world.alice, status="back_office")

    assert session.status == "back_office"


def test_desk_session__set_officer_status__unknown_refused(world):
    with pytest.raises(NotAllowed):
        services.set_officer_status(officer=world.alice, status="asleep")


def test_desk_session__sign_out_of_desk__not_with_a_visit_at_the_desk(world):
    services.issue_ticket(office=world.office, service=world.tax)
    visit = services.call_next(officer=world.alice)

    with pytest.raises(InvalidTransition):
        services.sign_out_of_desk(officer=world.alice)

    services.start_service(officer=world.alice, visit_id=visit.pk)
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    services.sign_out_of_desk(officer=world.alice)
    assert not DeskSession.objects.filter(officer=world.alice).exists()


def test_desk_session__assignment_removed__officer_can_no_longer_call(world):
    services.issue_ticket(office=world.office, service=world.tax)
    world.alice.assignments.all().delete()

    with pytest.raises(NotAllowed):
        services.call_next(officer=world.alice)


@pytest.mark.parametrize("state", ["called", "serving"])
def test_desk_session__sign_in_at_desk__no_move_with_a_visit_open(world, state):
    services.issue_ticket(office=world.office, service=world.tax)
    visit = services.call_next(officer=world.alice)
    if state == "serving":
        services.start_service(officer=world.alice, visit_id=visit.pk)
    third = world.office.service_points.create(number=3)

    with pytest.raises(InvalidTransition) as refused:
        services.sign_in_at_desk(officer=world.alice, service_point=third)

    assert refused.value.http_status == 409
    assert DeskSession.objects.get(officer=world.alice).service_point == world.desk1
    # the desk the visit was called to keeps its officer: nobody else can sign in there
    with pytest.raises(InvalidTransition):
        services.sign_in_at_desk(officer=world.bob, service_point=world.desk1)
    # signing in again at the same desk (a second tab) is no move
    assert services.sign_in_at_desk(officer=world.alice, service_point=world.desk1)


def test_desk_session__sign_in_at_desk__moves_once_the_visit_is_parked(world):
    services.issue_ticket(office=world.office, service=world.tax)
    visit = services.call_next(officer=world.alice)
    services.hold_visit(officer=world.alice, visit_id=visit.pk)
    third = world.office.service_points.create(number=3)

    assert services.sign_in_at_desk(officer=world.alice, service_point=third).service_point == third
