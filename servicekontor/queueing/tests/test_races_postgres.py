"""Real races on PostgreSQL: threads with their own connections, started by a barrier."""

import contextlib
from collections import Counter
from collections.abc import Callable

import pytest

from servicekontor.queueing import services
from servicekontor.queueing.errors import EmptyQueue, InvalidTransition
from servicekontor.queueing.models import Visit, VisitEvent
from tests.factories import make_user, race

from .conftest import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DESKS = 10
VISITS = 60


def _run_threads(n: int, work: Callable[[int], None]) -> list[BaseException]:
    return [r for r in race(n, work) if isinstance(r, BaseException)]


def test_visit__call_next__concurrent_desks_get_distinct_visits():
    world = build_world(desks=DESKS, any_hour=True)
    officers = []
    for point in world.office.service_points.order_by("number"):
        officer = make_user(offices=[world.office], agencies=[world.skatteverket, world.fk])
        point.desk_sessions.all().delete()
        services.sign_in_at_desk(officer=officer, service_point=point)
        officers.append(officer)
    for i in range(VISITS):
        services.issue_ticket(office=world.office, service=world.tax if i % 2 else world.parental)
    called: dict[int, list[int]] = {i: [] for i in range(DESKS)}

    def desk(i: int) -> None:
        officer = officers[i]
        while True:
            try:
                visit = services.call_next(officer=officer)
            except EmptyQueue:
                return
            called[i].append(visit.pk)
            services.start_service(officer=officer, visit_id=visit.pk)
            services.finish_visit(officer=officer, visit_id=visit.pk, outcome="resolved")

    errors = _run_threads(DESKS, desk)

    assert errors == []
    every_call = [pk for calls in called.values() for pk in calls]
    assert len(every_call) == VISITS
    assert len(set(every_call)) == VISITS
    per_visit = Counter(VisitEvent.objects.filter(action="call").values_list("visit_id", flat=True))
    assert set(per_visit.values()) == {1}
    assert len(per_visit) == VISITS
    assert Visit.objects.filter(state="finished").count() == VISITS
    # More than one desk really took part.
    assert sum(1 for calls in called.values() if calls) > 1


def test_visit__call_next__same_officer_in_two_tabs_gets_one_visit():
    world = build_world(any_hour=True)
    for _ in range(4):
        services.issue_ticket(office=world.office, service=world.tax)
    results: list[int] = []

    def tab(_i: int) -> None:
        with contextlib.suppress(InvalidTransition):
            results.append(services.call_next(officer=world.alice).pk)

    errors = _run_threads(6, tab)

    assert errors == []
    assert len(results) == 1
    assert Visit.objects.filter(state="called").count() == 1


def test_visit__issue_ticket__concurrent_kiosks_never_share_a_number():
    world = build_world(any_hour=True)
    kiosks, per_kiosk = 8, 12

    def kiosk(i: int) -> None:
        for _ in range(per_kiosk):
            services.issue_ticket(
                office=world.office, service=world.tax if i % 2 else world.parental
            )

    errors = _run_threads(kiosks, kiosk)

    assert errors == []
    numbers = sorted(n or 0 for n in Visit.objects.values_list("ticket_number", flat=True))
    assert numbers == list(range(1, kiosks * per_kiosk + 1))


def test_visit__finish_visit__two_tabs_finish_once():
    world = build_world(any_hour=True)
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    wins: list[int] = []

    def tab(_i: int) -> None:
        try:
            services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
            wins.append(1)
        except InvalidTransition:
            pass

    errors = _run_threads(6, tab)

    assert errors == []
    assert len(wins) == 1
    assert VisitEvent.objects.filter(visit=visit, action="finish").count() == 1
