"""An agency's "visits" are the visits that reached it (decision 0055, extending 0053): that
arrived for one of its services, were transferred to one or had a served errand of one
added, once per visit and agency. So its served visits (and finished visits) never exceed
its visits. Checked in the live rollups, the Python recompute, the bulk rebuild in SQL and a
count from the raw log, on scripted and random days; arrivals stay their own figure."""

import contextlib
import datetime as dt
import importlib
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from servicekontor.core import clock
from servicekontor.queueing import services
from servicekontor.queueing.errands import ErrandPart
from servicekontor.queueing.errors import QueueError
from servicekontor.queueing.models import Errand, Outcome, Visit, VisitEvent, VisitState
from servicekontor.queueing.queries import ACTIVE_STATES
from servicekontor.queueing.tests.conftest import WEDNESDAY_1030, World
from servicekontor.reports import rollups
from servicekontor.reports.models import DayFigures, MonthFigures
from servicekontor.reports.queries import figures
from servicekontor.reports.scope import EVERYTHING

DAY = dt.date(2026, 11, 25)
migration = importlib.import_module(
    "servicekontor.reports.migrations.0004_visits_that_reached_the_agency"
)


def _live_equals_log_equals_bulk() -> dict[Any, dict[str, int]]:
    stored = rollups.stored(start=DAY, end=DAY)
    raw = rollups.recompute(start=DAY, end=DAY)
    assert rollups.compare(stored, raw) == []
    rollups.rebuild(start=DAY, end=DAY)
    assert rollups.compare(rollups.stored(start=DAY, end=DAY), raw) == []
    return stored


def _by_agency() -> dict[int, Any]:
    found = figures(scope=EVERYTHING, start=DAY, end=DAY, by=("agency",), waits=False)
    return {key[0]: f for key, f in found.items()}


def _reached(stored: dict[Any, dict[str, int]]) -> dict[int, int]:
    """`reached` per service id of the day rows."""
    return {k[2]: v["reached"] for k, v in stored.items() if k[0] == "day" and v.get("reached")}


def _from_the_raw_log() -> dict[str, Counter[int]]:
    """Per agency, from the visits, events and errands themselves (not through `measures`):
    visits that reached it (a service of it in an event, or a served errand of it), served
    visits, finished visits, arrivals."""
    served_errands = Errand.objects.exclude(outcome=Outcome.TRANSFERRED)
    by_errand = set(served_errands.values_list("visit_id", "service__agency_id"))
    by_event = set(VisitEvent.objects.values_list("visit_id", "service__agency_id"))
    arrivals = VisitEvent.objects.filter(from_state="")
    return {
        "visits": Counter(a for _v, a in by_event | by_errand),
        "errand_visits": Counter(a for _v, a in by_errand),
        "served": Counter(
            Visit.objects.filter(state=VisitState.FINISHED).values_list(
                "service__agency_id", flat=True
            )
        ),
        "arrivals": Counter(arrivals.values_list("service__agency_id", flat=True)),
    }


def test_transferred_to_another_agency__a_visit_of_both(world, clock_at):
    """The case decision 0053 left open: Försäkringskassan served a visit that arrived for
    Skatteverket; it counted no visit, so it showed more served visits than visits."""
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=2))
    services.transfer_visit(officer=world.alice, visit_id=visit.pk, service=world.parental)
    services.call_visit(officer=world.alice, visit_id=visit.pk)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=3))
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    stored = _live_equals_log_equals_bulk()
    assert _reached(stored) == {world.tax.pk: 1, world.parental.pk: 1}
    by_agency = _by_agency()
    skatteverket, fk = by_agency[world.skatteverket.pk], by_agency[world.fk.pk]
    assert (fk.visits, fk.arrivals, fk.errand_visits, fk.served) == (1, 0, 1, 1)
    assert (skatteverket.visits, skatteverket.arrivals, skatteverket.errand_visits) == (1, 1, 0)
    # a total across agencies: each agency's visits (a visit once per agency, as served
    # visits), arrivals a visit once
    total = figures(scope=EVERYTHING, start=DAY, end=DAY, waits=False)[()]
    assert (total.visits, total.arrivals, total.errand_visits) == (2, 1, 1)


def test_an_errand_added_for_another_agency__a_visit_of_it(world, clock_at):
    """A split at the finish gives Försäkringskassan a served visit of a Skatteverket visit:
    also one of its visits; a second errand of it in the same visit does not count again."""
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=2))
    services.record_errand(
        officer=world.alice, visit_id=visit.pk, service=world.parental, outcome="resolved"
    )
    clock_at.shift(dt.timedelta(minutes=2))
    split = [
        ErrandPart(service=world.tax, outcome="resolved"),
        ErrandPart(service=world.parental, outcome="resolved"),
    ]
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved", split=split)

    stored = _live_equals_log_equals_bulk()
    assert _reached(stored) == {world.tax.pk: 1, world.parental.pk: 1}
    fk = _by_agency()[world.fk.pk]
    assert (fk.visits, fk.arrivals, fk.errand_visits, fk.errands) == (1, 0, 1, 2)


def test_an_added_errand_then_a_transfer_to_that_agency__counted_once(world, clock_at):
    """Reached first through an added errand (of id card), then through a transfer (to tax,
    the same agency): one visit of Skatteverket, now counted for the service transferred to
    (an event comes first), in the live rollups as in the recompute and the rebuild."""
    visit = services.issue_ticket(office=world.office, service=world.parental)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=2))
    services.record_errand(
        officer=world.alice, visit_id=visit.pk, service=world.id_card, outcome="resolved"
    )
    assert _reached(_live_equals_log_equals_bulk()) == {world.parental.pk: 1, world.id_card.pk: 1}
    services.transfer_visit(officer=world.alice, visit_id=visit.pk, service=world.tax)
    stored = _live_equals_log_equals_bulk()
    assert _reached(stored) == {world.parental.pk: 1, world.tax.pk: 1}
    assert _by_agency()[world.skatteverket.pk].visits == 1


# --- random days (hypothesis) ----------------------------------------------------------------

ACTIONS = (
    "issue",
    "book",
    "call",
    "start",
    "hold",
    "requeue",
    "transfer",
    "errand",
    "finish",
    "split",
    "no_show",
    "close",
)
steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=2),  # which officer / service
        st.integers(min_value=0, max_value=400),  # seconds before the next step
    ),
    max_size=30,
)


def _act(world: World, action: str, which: int) -> None:
    officer = (world.alice, world.bob, world.alice)[which]
    service = (world.tax, world.parental, world.id_card)[which]
    own = Visit.objects.filter(officer=officer, state__in=ACTIVE_STATES).first()
    parked = Visit.objects.filter(office=world.office, state=VisitState.ON_HOLD).first()
    now = clock.now()
    if action == "issue":
        services.issue_ticket(office=world.office, service=service)
    elif action == "book":
        services.check_in_booked_visit(
            office=world.office,
            service=world.parental,
            booked_start=now + dt.timedelta(minutes=10 * which - 10),
            booking_reference=f"B-{now.timestamp()}-{which}",
        )
    elif action == "call":
        services.call_next(officer=officer)
    elif action == "requeue" and parked is not None:
        services.requeue_visit(officer=officer, visit_id=parked.pk)
    elif action == "close":
        services.close_waiting_visits(office=world.office)
    elif own is not None:
        if action == "start":
            services.start_service(officer=officer, visit_id=own.pk)
        elif action == "hold":
            services.hold_visit(officer=officer, visit_id=own.pk)
        elif action == "transfer":
            services.transfer_visit(officer=officer, visit_id=own.pk, service=service)
        elif action == "errand":  # for any service: its own, or another agency's
            services.record_errand(
                officer=officer, visit_id=own.pk, service=service, outcome="resolved"
            )
        elif action == "finish":
            services.finish_visit(officer=officer, visit_id=own.pk, outcome="resolved")
        elif action == "split":
            parts = [
                ErrandPart(service=own.service, outcome="resolved"),
                ErrandPart(service=service, outcome="e_service", weight=2),
            ]
            services.finish_visit(officer=officer, visit_id=own.pk, outcome="resolved", split=parts)
        elif action == "no_show":
            services.mark_no_show(officer=officer, visit_id=own.pk)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=steps)
@example(
    day=[
        ("issue", 1, 0),
        ("call", 0, 0),
        ("start", 0, 60),
        ("errand", 2, 60),
        ("transfer", 0, 0),
        ("call", 0, 0),
        ("start", 0, 60),
        ("split", 1, 0),
    ]
)
def test_random_days__visits_reached__live_bulk_recompute_and_log_agree(world, clock_at, day):
    clock_at.move_to(WEDNESDAY_1030)
    with transaction.atomic():  # a savepoint per example, rolled back at the end
        for action, which, pause in day:
            with contextlib.suppress(QueueError):
                _act(world, action, which)
            clock_at.shift(dt.timedelta(seconds=pause))
        _live_equals_log_equals_bulk()
        log = _from_the_raw_log()
        by_agency = _by_agency()
        for agency in (world.skatteverket.pk, world.fk.pk):
            f = by_agency.get(agency)
            found = {
                "visits": f.visits if f else 0,
                "errand_visits": f.errand_visits if f else 0,
                "served": f.served if f else 0,
                "arrivals": f.arrivals if f else 0,
            }
            assert found == {k: log[k][agency] for k in found}
            assert found["errand_visits"] <= found["visits"]
            assert found["served"] <= found["visits"]
            assert found["arrivals"] <= found["visits"]
        transaction.set_rollback(True)


def test_migration_fills_arrivals__reconcile_fix_adds_the_rest(world, clock_at):
    """Migration `reports 0004` fills `reached` with the arrivals (the stored rollups had no
    such counter); `reconcile_statistics --fix` then adds the visits reached by a transfer."""
    test_transferred_to_another_agency__a_visit_of_both(world, clock_at)
    DayFigures.objects.update(reached=0)  # as the column is added
    MonthFigures.objects.update(reached=0)
    migration.arrivals(apps, None)
    stored = rollups.stored(start=DAY, end=DAY)
    assert _reached(stored) == {world.tax.pk: 1}  # the arrival; the transfer not yet
    with pytest.raises(SystemExit):  # differences found: exit status 1
        call_command(
            "reconcile_statistics", "--from", f"{DAY}", "--to", f"{DAY}", stdout=StringIO()
        )
    call_command(
        "reconcile_statistics", "--from", f"{DAY}", "--to", f"{DAY}", "--fix", stdout=StringIO()
    )
    assert _reached(rollups.stored(start=DAY, end=DAY)) == {world.tax.pk: 1, world.parental.pk: 1}
    assert (
        rollups.compare(rollups.stored(start=DAY, end=DAY), rollups.recompute(start=DAY, end=DAY))
        == []
    )
