"""A few citizens already waiting at a demo office, so a newcomer can press "call next"."""

import datetime as dt

from django.db import transaction

from servicekontor.core import clock
from servicekontor.network import opening_hours
from servicekontor.network.models import Office
from servicekontor.network.queries import schedule_of
from servicekontor.queueing import queries, services
from servicekontor.queueing.models import Visit, VisitEvent, VisitSource, VisitState

DEMO_VISITS = 6


@transaction.atomic
def seed_demo_queue(*, office: Office) -> int:
    """Put up to six waiting walk-ins (spread over the agencies offered) into today's queue.

    Only while the office is open: a ticket is issued the way the kiosk issues one
    (`services.issue_ticket`), and outside the opening hours there is no queue to stand in
    (`close_queues` would end it "not served at closing"). When closed, nothing is written
    and 0 is returned, so `load_demo` works at any hour (`describe_demo_queue` says when
    the office opens). Returns the number of visits added.

    Idempotent: tops the queue up to six waiting visits, never more. Arrivals are spread over
    the last half hour, never before the office opened today, so the waiting times look
    like a real morning.
    """
    now = clock.now()
    opening = queries.open_now(office=office, at=now)
    if not opening.is_open:
        return 0
    today = clock.local_date_of(now)
    opened_at = max(
        start
        for start, _end in opening_hours.intervals_on(schedule_of(office), today)
        if start <= now
    )
    missing = DEMO_VISITS - Visit.objects.filter(office=office, state=VisitState.WAITING).count()
    offered = list(queries.walk_in_services(office=office, day=today))
    if missing <= 0 or not offered:
        return 0
    by_agency: dict[int, list] = {}
    for service in offered:
        by_agency.setdefault(service.agency_id, []).append(service)
    rotation = [s for i in range(3) for group in by_agency.values() for s in group[i : i + 1]]
    for i in range(missing):
        service = rotation[i % len(rotation)]
        visit = services.issue_ticket(office=office, service=service, source=VisitSource.KIOSK)
        arrived = max(now - dt.timedelta(minutes=5 * (missing - i)), opened_at)
        Visit.objects.filter(pk=visit.pk).update(arrived_at=arrived, queued_at=arrived)
        VisitEvent.objects.filter(visit=visit).update(at=arrived)
    return missing


def describe_demo_queue(office: Office) -> str:
    """One line for the demo commands: how many wait at `office` now, or that it is closed
    and when it opens (Stockholm time). English: the commands' output is for the developer."""
    now = clock.now()
    opening = queries.open_now(office=office, at=now)
    if opening.is_open:
        waiting = Visit.objects.filter(office=office, state=VisitState.WAITING).count()
        return f"{office.name} is open; {waiting} citizens are waiting"
    if opening.next_opening is None:
        return f"{office.name} is closed now and no opening is planned; nobody is waiting"
    opens = opening.next_opening.astimezone(clock.STOCKHOLM)
    return (
        f"{office.name} is closed now, so nobody is waiting; it opens {opens:%Y-%m-%d %H:%M} "
        "(run manage.py load_demo again then to seed a few waiting citizens)"
    )
