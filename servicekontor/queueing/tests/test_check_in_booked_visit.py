import datetime as dt

import pytest

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import services
from servicekontor.queueing.errors import InvalidTransition
from servicekontor.queueing.models import VisitEvent


def test_visit__check_in_booked_visit__success(world):
    booked = dt.datetime(2026, 11, 25, 10, 45, tzinfo=STOCKHOLM)

    visit = services.check_in_booked_visit(
        office=world.office, service=world.parental, booked_start=booked, booking_reference="B-1"
    )

    assert visit.state == "waiting"
    assert visit.source == "appointment"
    assert visit.booked_start == booked
    assert visit.booking_reference == "B-1"
    assert visit.ticket == "F-001"
    event = VisitEvent.objects.get(visit=visit)
    assert (event.action, event.from_state, event.to_state) == ("check_in", "", "waiting")


def test_visit__check_in_booked_visit__twice_refused(world):
    booked = dt.datetime(2026, 11, 25, 10, 45, tzinfo=STOCKHOLM)
    services.check_in_booked_visit(
        office=world.office, service=world.parental, booked_start=booked, booking_reference="B-1"
    )

    with pytest.raises(InvalidTransition):
        services.check_in_booked_visit(
            office=world.office,
            service=world.parental,
            booked_start=booked,
            booking_reference="B-1",
        )


def test_visit__check_in_booked_visit__called_before_earlier_walk_ins_at_its_time(world, clock_at):
    walk_in = services.issue_ticket(office=world.office, service=world.parental)
    clock_at.shift(dt.timedelta(minutes=5))
    booked = services.check_in_booked_visit(
        office=world.office,
        service=world.parental,
        booked_start=dt.datetime(2026, 11, 25, 10, 35, tzinfo=STOCKHOLM),
        booking_reference="B-2",
    )

    assert services.call_next(officer=world.alice) == booked
    services.start_service(officer=world.alice, visit_id=booked.pk)
    services.finish_visit(officer=world.alice, visit_id=booked.pk, outcome="resolved")
    assert services.call_next(officer=world.alice) == walk_in


def test_visit__check_in_booked_visit__early_arrival_waits_like_a_walk_in(world, clock_at):
    walk_in = services.issue_ticket(office=world.office, service=world.parental)
    clock_at.shift(dt.timedelta(minutes=1))
    services.check_in_booked_visit(
        office=world.office,
        service=world.parental,
        booked_start=dt.datetime(2026, 11, 25, 11, 30, tzinfo=STOCKHOLM),
        booking_reference="B-3",
    )

    assert services.call_next(officer=world.alice) == walk_in
