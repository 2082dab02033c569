import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from servicekontor.catalog.models import ServiceMode
from servicekontor.network.models import ExceptionKind, OpeningException
from servicekontor.queueing import services
from servicekontor.queueing.errors import NotAllowed, NotOffered, OfficeClosed
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


# --- no ticket outside an open interval --------------------------------------------------------

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("when", "opens"),
    [
        # after closing (16:00) on a Wednesday: opens tomorrow at 10:00
        (dt.datetime(2026, 11, 25, 16, 0), dt.datetime(2026, 11, 26, 10, 0)),
        # before opening on the same day
        (dt.datetime(2026, 11, 25, 9, 59), dt.datetime(2026, 11, 25, 10, 0)),
        # a Saturday (no weekly hours): opens Monday
        (dt.datetime(2026, 11, 28, 11, 0), dt.datetime(2026, 11, 30, 10, 0)),
        # a public holiday on a weekday (Friday 1 May 2026): opens Monday 4 May
        (dt.datetime(2026, 5, 1, 11, 0), dt.datetime(2026, 5, 4, 10, 0)),
        # an eve (julafton, Thursday 24 December 2026), then juldagen, annandag: Monday 28th
        (dt.datetime(2026, 12, 24, 11, 0), dt.datetime(2026, 12, 28, 10, 0)),
    ],
    ids=["after-closing", "before-opening", "weekend", "public-holiday", "christmas-eve"],
)
def test_visit__issue_ticket__office_closed__refused_with_next_opening(world, when, opens):
    with time_machine.travel(when.replace(tzinfo=STOCKHOLM), tick=False):
        with pytest.raises(OfficeClosed) as refused:
            services.issue_ticket(office=world.office, service=world.tax)
        with pytest.raises(OfficeClosed):  # the desk cannot add one either
            services.issue_ticket(
                office=world.office, service=world.tax, source=VisitSource.DESK, officer=world.alice
            )

    assert refused.value.http_status == 409
    assert refused.value.next_opening == opens.replace(tzinfo=STOCKHOLM)
    assert not Visit.objects.exists()
    assert not TicketCounter.objects.exists()


def test_visit__issue_ticket__closed_by_exception__says_when_it_opens(world):
    OpeningException.objects.create(
        office=world.office, date=dt.date(2026, 11, 25), kind=ExceptionKind.CLOSED
    )

    with translation.override("en"), pytest.raises(OfficeClosed) as refused:
        services.issue_ticket(office=world.office, service=world.tax)

    assert str(refused.value.message) == "The office is closed now. It opens tomorrow at 10:00."


def test_visit__issue_ticket__special_hours_open__issued(world):
    with time_machine.travel(dt.datetime(2026, 11, 28, 11, 0, tzinfo=STOCKHOLM), tick=False):
        OpeningException.objects.create(
            office=world.office,
            date=dt.date(2026, 11, 28),
            kind=ExceptionKind.SPECIAL_HOURS,
            opens=dt.time(10),
            closes=dt.time(13),
        )
        visit = services.issue_ticket(office=world.office, service=world.tax)

    assert visit.ticket == "S-001"


def test_visit__issue_ticket__closed_for_good__no_opening_planned(world):
    with time_machine.travel(dt.datetime(2026, 11, 25, 17, 0, tzinfo=STOCKHOLM), tick=False):
        world.office.closed_on = dt.date(2026, 11, 26)
        world.office.save()
        with translation.override("en"), pytest.raises(OfficeClosed) as refused:
            services.issue_ticket(office=world.office, service=world.tax)

    assert refused.value.next_opening is None
    with translation.override("en"):
        assert "no opening is planned" in str(refused.value.message)
