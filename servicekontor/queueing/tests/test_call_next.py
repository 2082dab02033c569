import datetime as dt

import pytest

from servicekontor.queueing import services
from servicekontor.queueing.errors import EmptyQueue, InvalidTransition, NotAllowed
from servicekontor.queueing.models import Priority, Visit, VisitEvent
from tests.factories import make_capability, make_offering


def _issue(world, service, clock_at, **kwargs):
    visit = services.issue_ticket(office=world.office, service=service, **kwargs)
    clock_at.shift(dt.timedelta(seconds=30))
    return visit


def test_visit__call_next__success(world, clock_at):
    first = _issue(world, world.tax, clock_at)
    _issue(world, world.tax, clock_at)

    called = services.call_next(officer=world.alice)

    assert called == first
    called.refresh_from_db()
    assert called.state == "called"
    assert called.officer == world.alice
    assert called.service_point == world.desk1
    assert called.call_count == 1
    event = VisitEvent.objects.get(visit=called, action="call")
    assert (event.from_state, event.to_state) == ("waiting", "called")
    assert (event.officer, event.service_point) == (world.alice, world.desk1)


def test_visit__call_next__empty_queue(world):
    with pytest.raises(EmptyQueue) as excinfo:
        services.call_next(officer=world.alice)

    assert excinfo.value.http_status == 409


def test_visit__call_next__takes_only_visits_of_the_desks_office(world, clock_at):
    make_offering(office=world.other_office, service=world.tax)
    services.issue_ticket(office=world.other_office, service=world.tax)  # earlier, elsewhere
    clock_at.shift(dt.timedelta(seconds=30))
    here = _issue(world, world.tax, clock_at)

    assert services.call_next(officer=world.alice) == here
    with pytest.raises(EmptyQueue):
        services.call_next(officer=world.bob)


def test_visit__call_next__skips_agencies_the_officer_is_not_trained_for(world, clock_at):
    _issue(world, world.parental, clock_at)  # Försäkringskassan: bob is not trained
    tax = _issue(world, world.tax, clock_at)

    assert services.call_next(officer=world.bob) == tax


def test_visit__call_next__only_desks_with_the_capability_take_services_needing_it(world, clock_at):
    id_card = _issue(world, world.id_card, clock_at)

    with pytest.raises(EmptyQueue):
        services.call_next(officer=world.bob)

    world.desk2.capabilities.add(make_capability(code="photo-station"))
    assert services.call_next(officer=world.bob) == id_card


def test_visit__call_next__priority_before_arrival(world, clock_at):
    _issue(world, world.tax, clock_at)
    urgent = _issue(world, world.tax, clock_at, priority=Priority.ACCESSIBILITY)

    assert services.call_next(officer=world.alice) == urgent


def test_visit__call_next__one_visit_at_a_time(world, clock_at):
    _issue(world, world.tax, clock_at)
    _issue(world, world.tax, clock_at)
    services.call_next(officer=world.alice)

    with pytest.raises(InvalidTransition):
        services.call_next(officer=world.alice)

    assert Visit.objects.filter(state="called").count() == 1


def test_visit__call_next__not_signed_in(world, clock_at):
    _issue(world, world.tax, clock_at)

    with pytest.raises(NotAllowed) as excinfo:
        services.call_next(officer=world.charlie)

    assert excinfo.value.http_status == 403
    assert not Visit.objects.filter(state="called").exists()


def test_visit__call_next__on_a_break_refused(world, clock_at):
    _issue(world, world.tax, clock_at)
    services.set_officer_status(officer=world.alice, status="break")

    with pytest.raises(InvalidTransition):
        services.call_next(officer=world.alice)


def test_visit__call_next__parked_visits_are_not_called_automatically(world, clock_at):
    visit = _issue(world, world.tax, clock_at)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    services.hold_visit(officer=world.alice, visit_id=visit.pk)

    with pytest.raises(EmptyQueue):
        services.call_next(officer=world.alice)
