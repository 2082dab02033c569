import datetime as dt

import pytest

from servicekontor.catalog.models import ServiceMode
from servicekontor.queueing import services
from servicekontor.queueing.errors import NotAllowed, NotOffered
from servicekontor.queueing.models import TicketCounter, Visit, VisitEvent, VisitSource
from tests.factories import make_service


def test_visit__issue_ticket__success(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)

    assert visit.ticket == "S-001"
    assert visit.state == "waiting"
    assert visit.local_day == dt.date(2026, 11, 25)
    event = VisitEvent.objects.get(visit=visit)
    assert (event.action, event.from_state, event.to_state) == ("issue", "", "waiting")
    assert event.at == visit.arrived_at


def test_visit__issue_ticket__numbers_count_up_across_agencies_with_their_letter(world):
    tickets = [
        services.issue_ticket(office=world.office, service=s).ticket
        for s in (world.tax, world.parental, world.tax)
    ]

    assert tickets == ["S-001", "F-002", "S-003"]
    assert TicketCounter.objects.get(office=world.office).last_number == 3


def test_visit__issue_ticket__numbers_are_per_office(world):
    from tests.factories import make_offering

    make_offering(office=world.other_office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax)

    other = services.issue_ticket(office=world.other_office, service=world.tax)

    assert other.ticket == "S-001"


def test_visit__issue_ticket__desk_adds_walk_in(world):
    visit = services.issue_ticket(
        office=world.office, service=world.tax, source=VisitSource.DESK, officer=world.alice
    )

    assert visit.source == "desk"
    assert visit.events.get().officer == world.alice


def test_visit__issue_ticket__officer_of_another_office_not_allowed(world):
    with pytest.raises(NotAllowed):
        services.issue_ticket(
            office=world.office, service=world.tax, source=VisitSource.DESK, officer=world.charlie
        )

    assert not Visit.objects.exists()


def test_visit__issue_ticket__service_not_offered_here(world):
    elsewhere = make_service(agency=world.skatteverket)

    with pytest.raises(NotOffered):
        services.issue_ticket(office=world.office, service=elsewhere)

    assert not Visit.objects.exists()
    assert not TicketCounter.objects.exists()


def test_visit__issue_ticket__appointment_only_service_refused(world):
    from tests.factories import make_offering

    booked_only = make_service(agency=world.fk, mode=ServiceMode.APPOINTMENT_ONLY)
    make_offering(office=world.office, service=booked_only)

    with pytest.raises(NotOffered):
        services.issue_ticket(office=world.office, service=booked_only)


def test_visit__issue_ticket__offering_ended_yesterday_refused(world):
    offering = world.office.offerings.get(service=world.tax)
    offering.valid_to = dt.date(2026, 11, 24)
    offering.save()

    with pytest.raises(NotOffered):
        services.issue_ticket(office=world.office, service=world.tax)


def test_visit__issue_ticket__keeps_contact_until_called(world):
    visit = services.issue_ticket(
        office=world.office, service=world.tax, notify_contact=" anna@example.org "
    )
    assert visit.notify_contact == "anna@example.org"

    services.call_next(officer=world.alice)

    visit.refresh_from_db()
    assert visit.notify_contact == ""
