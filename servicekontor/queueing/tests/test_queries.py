import datetime as dt

import pytest

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import queries, services
from servicekontor.queueing.estimates import estimate_wait_minutes


def test_estimates__estimate_wait_minutes__shares_work_over_desks():
    assert estimate_wait_minutes(ahead=0, handling_minutes=10, open_desks=2) == 0
    assert estimate_wait_minutes(ahead=4, handling_minutes=10, open_desks=2) == 20
    assert estimate_wait_minutes(ahead=1, handling_minutes=3, open_desks=3) == 5
    # nobody serving: no estimate at all (not "about 5 minutes"), whoever is ahead
    assert estimate_wait_minutes(ahead=3, handling_minutes=10, open_desks=0) is None
    assert estimate_wait_minutes(ahead=0, handling_minutes=10, open_desks=0) is None


def test_queries__recent_calls__only_ticket_and_desk(world, clock_at):
    first = services.issue_ticket(office=world.office, service=world.tax)
    second = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=5))
    services.call_next(officer=world.bob)

    calls = queries.recent_calls(office=world.office)

    assert [(c.ticket, c.desk) for c in calls] == [(second.ticket, 2), (first.ticket, 1)]


def test_queries__office_overview__from_the_event_log(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.parental)
    clock_at.shift(dt.timedelta(minutes=6))
    services.call_next(officer=world.bob)
    services.start_service(officer=world.bob, visit_id=visit.pk)
    services.finish_visit(officer=world.bob, visit_id=visit.pk, outcome="resolved")
    services.set_officer_status(officer=world.alice, status="break")

    overview = queries.office_overview(office=world.office)

    assert overview.waiting_total == 1
    assert overview.served_today == 1
    assert overview.average_wait_minutes == 6.0
    assert overview.longest_wait_minutes == 6
    assert [(r.desk, r.status) for r in overview.officers] == [(1, "break"), (2, "idle")]


def test_queries__wait_info__counts_the_visits_competing_for_its_desks(world):
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.parental)
    services.issue_ticket(office=world.office, service=world.id_card)  # no desk has the photo

    info = queries.wait_info(office=world.office, service=world.tax)

    # alice (tax, parental) and bob (tax) can serve tax: the tax and the parental ticket
    # compete with it for them; the id card ticket waits for a desk neither has.
    assert info.waiting == 2
    assert info.minutes == 10  # two ahead, 10 min, two desks that can serve tax
    bob_only = services.set_officer_status(officer=world.alice, status="break")
    assert bob_only.status == "break"
    # bob alone: only the tax ticket competes with a new tax ticket
    assert queries.wait_info(office=world.office, service=world.tax).waiting == 1


@pytest.mark.parametrize("how", ["signed_out", "break", "back_office"])
def test_queries__wait_info__nobody_serving__no_estimate(world, how):
    services.issue_ticket(office=world.office, service=world.tax)
    for officer in (world.alice, world.bob):
        if how == "signed_out":
            services.sign_out_of_desk(officer=officer)
        else:
            services.set_officer_status(officer=officer, status=how)

    info = queries.wait_info(office=world.office, service=world.tax)

    assert (info.waiting, info.minutes) == (1, None)
    assert info.expected_start is None  # open now, nobody rostered: no time to promise


def test_queries__wait_info__nobody_serving__expected_start_from_the_roster(world):
    from servicekontor.staffing.models import Shift

    services.sign_out_of_desk(officer=world.alice)
    services.sign_out_of_desk(officer=world.bob)
    day = dt.date(2026, 11, 25)  # the world's Wednesday, 10:30
    Shift.objects.create(
        officer=world.bob, office=world.office, day=day, start=dt.time(8), end=dt.time(10)
    )
    Shift.objects.create(
        officer=world.alice, office=world.office, day=day, start=dt.time(12), end=dt.time(16)
    )

    info = queries.wait_info(office=world.office, service=world.tax)

    assert info.minutes is None
    assert info.expected_start == dt.datetime(2026, 11, 25, 12, 0, tzinfo=STOCKHOLM)


def test_queries__wait_info__only_officers_of_the_agency_count(world):
    services.set_officer_status(officer=world.alice, status="break")  # the only one for F

    assert queries.wait_info(office=world.office, service=world.parental).minutes is None
    assert queries.wait_info(office=world.office, service=world.tax).minutes == 0
