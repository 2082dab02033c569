import datetime as dt

from servicekontor.queueing import queries, services
from servicekontor.queueing.estimates import estimate_wait_minutes


def test_estimates__estimate_wait_minutes__shares_work_over_desks():
    assert estimate_wait_minutes(ahead=0, handling_minutes=10, open_desks=2) == 0
    assert estimate_wait_minutes(ahead=4, handling_minutes=10, open_desks=2) == 20
    assert estimate_wait_minutes(ahead=1, handling_minutes=3, open_desks=3) == 5
    assert estimate_wait_minutes(ahead=3, handling_minutes=10, open_desks=0) == 30


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


def test_queries__wait_info__counts_the_agency_queue(world):
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.parental)

    info = queries.wait_info(office=world.office, service=world.tax)

    assert info.waiting == 1
    assert info.minutes == 5  # one ahead, 10 min, two desks trained for Skatteverket
