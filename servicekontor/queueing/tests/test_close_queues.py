import datetime as dt

import time_machine

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import services
from servicekontor.queueing.models import Visit
from tests.factories import make_offering, make_office


def test_visit__close_queues__after_closing_waiting_and_parked_are_closed(world, clock_at):
    waiting = services.issue_ticket(office=world.office, service=world.tax)
    parked = services.issue_ticket(office=world.office, service=world.tax)
    called = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=parked.pk)
    services.start_service(officer=world.alice, visit_id=parked.pk)
    services.hold_visit(officer=world.alice, visit_id=parked.pk)
    services.call_visit(officer=world.bob, visit_id=called.pk)
    clock_at.move_to(dt.datetime(2026, 11, 25, 16, 0, tzinfo=STOCKHOLM))

    assert services.close_queues() == 2

    for visit in (waiting, parked):
        visit.refresh_from_db()
        assert (visit.state, visit.outcome) == ("not_served", "not_served_at_closing")
        event = visit.events.latest("id")
        assert (event.action, event.to_state) == ("close", "not_served")
    called.refresh_from_db()
    assert called.state == "called"  # the desk finishes what it called


def test_visit__close_queues__before_closing_nothing_of_today_is_closed(world, clock_at):
    services.issue_ticket(office=world.office, service=world.tax)
    clock_at.move_to(dt.datetime(2026, 11, 25, 15, 59, tzinfo=STOCKHOLM))

    assert services.close_queues() == 0


def test_visit__close_queues__leftovers_of_yesterday_are_closed_in_the_morning(world, clock_at):
    services.issue_ticket(office=world.office, service=world.tax)
    clock_at.move_to(dt.datetime(2026, 11, 26, 10, 5, tzinfo=STOCKHOLM))
    today = services.issue_ticket(office=world.office, service=world.tax)

    assert services.close_queues() == 1
    today.refresh_from_db()
    assert today.state == "waiting"


def test_visit__close_queues__office_keeping_its_queue_overnight_is_left_alone(world):
    night_owl = make_office(keeps_queue_overnight=True)
    make_offering(office=night_owl, service=world.tax)
    services.issue_ticket(office=night_owl, service=world.tax)

    with time_machine.travel(dt.datetime(2026, 11, 25, 18, 0, tzinfo=STOCKHOLM), tick=False):
        services.close_queues()

    assert Visit.objects.get(office=night_owl).state == "waiting"


def test_visit__close_queues__contact_details_are_purged(world, clock_at):
    visit = services.issue_ticket(
        office=world.office, service=world.tax, notify_contact="070-1234567"
    )
    clock_at.move_to(dt.datetime(2026, 11, 25, 16, 30, tzinfo=STOCKHOLM))

    services.close_queues()

    visit.refresh_from_db()
    assert visit.notify_contact == ""


def test_visit__close_queues__management_command(world, clock_at):
    from io import StringIO

    from django.core.management import call_command

    services.issue_ticket(office=world.office, service=world.tax)
    clock_at.move_to(dt.datetime(2026, 11, 25, 16, 30, tzinfo=STOCKHOLM))
    out = StringIO()

    call_command("close_queues", stdout=out)

    assert "Closed 1" in out.getvalue()


# --- every visit ends, whatever happened to the office ----------------------------------------


def test_visit__close_queues__office_no_longer_operating__everything_ends(world, clock_at):
    waiting = services.issue_ticket(
        office=world.office, service=world.tax, notify_contact="anna@example.org"
    )
    served = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=served.pk)
    services.start_service(officer=world.alice, visit_id=served.pk)
    called = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.bob, visit_id=called.pk)
    world.office.closed_on = dt.date(2026, 11, 26)  # closes for good tomorrow
    world.office.save()
    clock_at.move_to(dt.datetime(2026, 11, 26, 8, 0, tzinfo=STOCKHOLM))

    assert services.close_queues() == 3

    for visit in (waiting, served, called):
        visit.refresh_from_db()
        assert (visit.state, visit.outcome, visit.notify_contact) == (
            "not_served",
            "not_served_at_closing",
            "",
        )
        assert visit.events.latest("id").action == "close"


def test_visit__close_queues__visit_left_at_a_desk_yesterday_ends(world, clock_at):
    served = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=served.pk)
    services.start_service(officer=world.alice, visit_id=served.pk)
    clock_at.move_to(dt.datetime(2026, 11, 25, 17, 0, tzinfo=STOCKHOLM))

    assert services.close_queues() == 0  # today's desk visit: the desk finishes it
    clock_at.move_to(dt.datetime(2026, 11, 26, 7, 0, tzinfo=STOCKHOLM))

    assert services.close_queues() == 1
    served.refresh_from_db()
    assert served.state == "not_served"


def test_visit__close_queues__overnight_office_that_stops_operating_ends_its_queue(world):
    night_owl = make_office(keeps_queue_overnight=True, closed_on=dt.date(2026, 11, 26))
    make_offering(office=night_owl, service=world.tax)
    with time_machine.travel(dt.datetime(2026, 11, 25, 11, 0, tzinfo=STOCKHOLM), tick=False):
        services.issue_ticket(office=night_owl, service=world.tax, notify_contact="0701234567")

    with time_machine.travel(dt.datetime(2026, 11, 26, 9, 0, tzinfo=STOCKHOLM), tick=False):
        assert services.close_queues() == 1

    visit = Visit.objects.get(office=night_owl)
    assert (visit.state, visit.notify_contact) == ("not_served", "")


def test_visit__close_queues__office_not_yet_opened_today_ends_nothing_of_others(world, clock_at):
    services.issue_ticket(office=world.office, service=world.tax)
    make_office(opened_on=dt.date(2027, 1, 1))  # not operating, no visits: nothing to do

    assert services.close_queues() == 0
    assert Visit.objects.get().state == "waiting"


def test_visit__purge_personal_data__clears_contacts_of_visits_that_never_ended(world, clock_at):
    """The purge blanks queue contacts by arrival, whatever the visit's state."""
    from servicekontor.appointments.services import purge_personal_data

    visit = services.issue_ticket(
        office=world.office, service=world.tax, notify_contact="anna@example.org"
    )
    clock_at.move_to(dt.datetime(2027, 1, 15, 9, 0, tzinfo=STOCKHOLM))

    purge_personal_data(older_than_days=30)

    visit.refresh_from_db()
    assert visit.notify_contact == ""
    assert visit.state == "waiting"
