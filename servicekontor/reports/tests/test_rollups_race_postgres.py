"""Rollups under real concurrency on PostgreSQL: no lost increment, no deadlock."""

import datetime as dt

import pytest

from servicekontor.core import clock
from servicekontor.queueing import services
from servicekontor.queueing.models import Visit
from servicekontor.queueing.tests.conftest import build_world
from servicekontor.reports import rollups
from tests.factories import make_user, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DESKS = 6
VISITS = 36


def test_rollups__concurrent_desks_and_kiosks_agree_with_the_log():
    world = build_world(desks=DESKS, any_hour=True)
    officers = []
    for point in world.office.service_points.order_by("number"):
        officer = make_user(offices=[world.office], agencies=[world.skatteverket, world.fk])
        point.desk_sessions.all().delete()
        services.sign_in_at_desk(officer=officer, service_point=point)
        officers.append(officer)
    failures = [
        r
        for r in race(
            VISITS,
            lambda i: services.issue_ticket(
                office=world.office, service=world.tax if i % 2 else world.parental
            ),
        )
        if isinstance(r, BaseException)
    ]
    assert failures == []

    def desk(i: int) -> None:
        officer = officers[i]
        while True:
            try:
                visit = services.call_next(officer=officer)
            except Exception:  # the queue is empty
                return
            services.start_service(officer=officer, visit_id=visit.pk)
            services.finish_visit(officer=officer, visit_id=visit.pk, outcome="resolved")

    assert [r for r in race(DESKS, desk) if isinstance(r, BaseException)] == []

    day = clock.local_today()
    assert Visit.objects.filter(state="finished").count() == VISITS
    stored = rollups.stored(start=day - dt.timedelta(days=1), end=day + dt.timedelta(days=1))
    raw = rollups.recompute(start=day - dt.timedelta(days=1), end=day + dt.timedelta(days=1))
    assert rollups.compare(stored, raw) == []
    served = sum(v.get("served", 0) for k, v in stored.items() if k[0] == "day")
    assert served == VISITS
