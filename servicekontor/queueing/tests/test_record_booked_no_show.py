import datetime as dt

import pytest

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import services
from servicekontor.queueing.errors import EmptyQueue, InvalidTransition
from servicekontor.queueing.models import VisitEvent


def test_visit__record_booked_no_show__success(world):
    booked = dt.datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM)

    visit = services.record_booked_no_show(
        office=world.office, service=world.parental, booked_start=booked, booking_reference="B-9"
    )

    assert visit.state == "no_show"
    assert visit.outcome == "no_show"
    assert visit.ticket == ""
    assert visit.local_day == dt.date(2026, 11, 25)
    event = VisitEvent.objects.get(visit=visit)
    assert (event.action, event.from_state, event.to_state, event.outcome) == (
        "no_show",
        "",
        "no_show",
        "no_show",
    )
    with pytest.raises(EmptyQueue):
        services.call_next(officer=world.alice)


def test_visit__record_booked_no_show__after_check_in_refused(world):
    booked = dt.datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM)
    services.check_in_booked_visit(
        office=world.office, service=world.parental, booked_start=booked, booking_reference="B-9"
    )

    with pytest.raises(InvalidTransition):
        services.record_booked_no_show(
            office=world.office,
            service=world.parental,
            booked_start=booked,
            booking_reference="B-9",
        )
