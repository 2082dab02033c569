"""A few citizens already waiting at a demo office, so a newcomer can press "call next"."""

import datetime as dt

from django.db import transaction

from servicekontor.core import clock
from servicekontor.network.models import Office
from servicekontor.queueing import queries, services
from servicekontor.queueing.models import Visit, VisitEvent, VisitSource, VisitState

DEMO_VISITS = 6


@transaction.atomic
def seed_demo_queue(*, office: Office) -> None:
    """Put up to six waiting walk-ins (spread over the agencies offered) into today's queue.

    Idempotent: tops the queue up to six waiting visits, never more. Arrivals are spread over
    the last half hour so the waiting times look like a real morning.
    """
    now = clock.now()
    today = clock.local_date_of(now)
    missing = DEMO_VISITS - Visit.objects.filter(office=office, state=VisitState.WAITING).count()
    offered = list(queries.walk_in_services(office=office, day=today))
    if missing <= 0 or not offered:
        return
    by_agency: dict[int, list] = {}
    for service in offered:
        by_agency.setdefault(service.agency_id, []).append(service)
    rotation = [s for i in range(3) for group in by_agency.values() for s in group[i : i + 1]]
    for i in range(missing):
        service = rotation[i % len(rotation)]
        visit = services.issue_ticket(office=office, service=service, source=VisitSource.KIOSK)
        arrived = now - dt.timedelta(minutes=5 * (missing - i))
        Visit.objects.filter(pk=visit.pk).update(arrived_at=arrived, queued_at=arrived)
        VisitEvent.objects.filter(visit=visit).update(at=arrived)
