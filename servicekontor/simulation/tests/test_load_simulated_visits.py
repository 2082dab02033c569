"""manage.py simulate writes visits and events like the queue's services do, and removes them."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from servicekontor.accounts.models import User
from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing.models import Visit, VisitEvent
from servicekontor.queueing.states import Action, State, target_state
from servicekontor.simulation import loader
from tests.factories import make_agency, make_offering, make_office, make_service

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def network(settings):
    settings.DEMO = True  # tests run with production-like settings
    skatteverket = make_agency(letter="S", code="skatteverket")
    fk = make_agency(letter="F", code="forsakringskassan")
    tax = make_service(agency=skatteverket, code="tax", mode="both", handling_minutes=10)
    parental = make_service(agency=fk, code="parental", mode="walk_in", handling_minutes=15)
    ids = make_service(agency=skatteverket, code="id", mode="appointment_only")
    # the anchor group sets the scale; linkoping is the office we look at
    linkoping = make_office(code="linkoping", counters=5)
    skaggetorp = make_office(code="skaggetorp", counters=4)
    for office in (linkoping, skaggetorp):
        for service in (tax, parental, ids):
            make_offering(office=office, service=service)
    with time_machine.travel(TODAY, tick=False):
        yield linkoping


def _simulate(*args):
    out = StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


# 2026-11-02..08: Mon-Fri open, 10-16; no holiday that week
FIRST, LAST = "2026-11-02", "2026-11-08"


def test_simulate__writes_visits_and_events_like_real_ones(network):
    _simulate("--from", FIRST, "--to", LAST, "--offices", "linkoping", "--seed", "3")
    visits = Visit.objects.filter(office=network)
    assert visits.count() > 5 * 100  # ~150 a day (5/9 of Linköping's 275)
    assert not Visit.objects.exclude(office=network).exists()
    assert all(v.simulated for v in visits)
    days = set(visits.values_list("local_day", flat=True))
    assert days == {dt.date(2026, 11, d) for d in range(2, 7)}  # Mon-Fri only
    # every visit's events replay its state through the state machine, and end where it is
    events = VisitEvent.objects.filter(visit__office=network).order_by("visit_id", "at", "id")
    state: dict[int, State | None] = {}
    for e in events:
        current = state.get(e.visit_id)
        assert (e.from_state or None) == (current.value if current else None)
        assert target_state(Action(e.action), current) == State(e.to_state)
        state[e.visit_id] = State(e.to_state)
        local = e.at.astimezone(STOCKHOLM)
        assert 10 <= local.hour < 17  # open 10-16, served until a quarter past
    for v in visits:
        final = state[v.pk]
        assert final is not None and final.value == v.state
        assert v.ticket_letter in "SF"
        if v.state == "finished":
            assert v.outcome and v.officer_id and v.service_point_id
        if v.source == "appointment":
            assert v.booked_start and v.booking_reference.startswith("SIM-")
        else:
            assert v.booked_start is None and v.booking_reference == ""
    numbers = list(visits.exclude(ticket_number=None).values_list("local_day", "ticket_number"))
    assert len(numbers) == len(set(numbers))
    # officers are inactive staff of the office, trained for what they served
    served = visits.filter(state="finished").first()
    assert served is not None and served.officer_id is not None
    officer = User.objects.get(pk=served.officer_id)
    assert officer.username.startswith("sim-linkoping-") and not officer.is_active
    assert officer.offices.filter(pk=network.pk).exists()


def test_simulate__same_seed_same_rows_and_rerun_replaces(network):
    _simulate("--from", FIRST, "--to", LAST, "--offices", "linkoping", "--seed", "3")
    first = list(Visit.objects.order_by("pk").values_list("arrived_at", "state", "service_id"))
    _simulate("--from", FIRST, "--to", LAST, "--offices", "linkoping", "--seed", "3")
    again = list(Visit.objects.order_by("pk").values_list("arrived_at", "state", "service_id"))
    assert first == again  # replaced, not doubled


def test_simulate__remove_takes_every_simulated_row_and_keeps_real_ones(network):
    _simulate("--from", FIRST, "--to", LAST, "--offices", "linkoping")
    real = Visit.objects.filter(simulated=True).first()
    assert real is not None
    Visit.objects.filter(pk=real.pk).update(simulated=False)  # pretend one is real
    out = _simulate("--remove")
    assert "Removed" in out
    assert list(Visit.objects.values_list("pk", flat=True)) == [real.pk]
    assert VisitEvent.objects.exclude(visit_id=real.pk).count() == 0
    assert not User.objects.filter(username__startswith="sim-").exists()


def test_simulate__leaves_days_with_real_visits_alone(network):
    _simulate("--from", FIRST, "--to", LAST, "--offices", "linkoping")
    Visit.objects.filter(local_day=dt.date(2026, 11, 3)).update(simulated=False)
    kept = Visit.objects.filter(local_day=dt.date(2026, 11, 3)).count()
    out = _simulate("--from", FIRST, "--to", LAST, "--offices", "linkoping")
    assert "1 office-days with real visits left alone" in out
    assert Visit.objects.filter(local_day=dt.date(2026, 11, 3)).count() == kept


def test_simulate__refuses_production_today_and_unknown_offices(network, settings):
    with pytest.raises(CommandError, match="today"):
        _simulate("--from", "2026-11-29", "--to", "2026-11-30")
    with pytest.raises(CommandError, match="unknown"):
        _simulate("--from", FIRST, "--to", LAST, "--offices", "nowhere")
    settings.DEBUG = False
    settings.DEMO = False
    with pytest.raises(CommandError, match="production"):
        _simulate("--from", FIRST, "--to", LAST)
    _simulate("--from", FIRST, "--to", LAST, "--offices", "linkoping", "--allow-in-production")
    assert Visit.objects.exists()


@pytest.mark.postgres
def test_simulate__binary_copy_writes_the_same_rows_as_insert(network, django_db_blocker):
    """On PostgreSQL the COPY path runs; its rows read back like the INSERT path's."""
    report = loader.load(
        first=dt.date(2026, 11, 2), last=dt.date(2026, 11, 3), office_codes=["linkoping"], seed=1
    )
    assert report.visits == Visit.objects.count() > 0
    assert report.events == VisitEvent.objects.count()
    v = Visit.objects.filter(state="finished").first()
    assert v is not None
    assert v.arrived_at.astimezone(STOCKHOLM).hour >= 10 and v.outcome


def test_simulate__errands_desk_log_and_statistics_like_real_ones(network):
    from servicekontor.queueing.intervals import seconds_in_state
    from servicekontor.queueing.models import DeskStatusEvent, Errand, VisitState
    from servicekontor.reports import rollups

    _simulate("--from", FIRST, "--to", LAST, "--offices", "linkoping", "--seed", "5")
    finished = Visit.objects.filter(state="finished")
    assert Errand.objects.count() >= finished.count()
    multi = 0
    for v in finished.prefetch_related("errands", "events")[:300]:
        errands = sorted(v.errands.all(), key=lambda e: e.position)
        assert [e.position for e in errands] == list(range(1, len(errands) + 1))
        served = seconds_in_state(
            [(e.at, e.to_state) for e in sorted(v.events.all(), key=lambda e: (e.at, e.pk))],
            state=VisitState.SERVING,
            until=max(e.at for e in v.events.all()),
        )
        assert abs(sum(e.service_seconds for e in errands) - served) <= len(errands)
        agencies = [e.service.agency_id for e in errands]
        # the first *served* errand per agency: a part handed on by a transfer is neither
        served_for = [None if e.outcome == "transferred" else e.service.agency_id for e in errands]
        assert [e.first_for_agency for e in errands] == [
            a is not None and a not in served_for[:i] for i, a in enumerate(served_for)
        ]
        multi += len(set(agencies)) > 1
    assert multi > 0
    assert Errand.objects.filter(outcome="transferred").exists()
    # the desk log: every simulated officer signs in and out each day they worked
    log = DeskStatusEvent.objects.filter(office=network)
    assert (
        log.filter(status="serving").count()
        == VisitEvent.objects.filter(visit__office=network, action="call").count()
    )
    assert log.filter(status="idle").exists() and log.filter(status="break").exists()
    # the statistics' rollups agree with the raw log, after loading and after removing
    first, last = dt.date(2026, 11, 2), dt.date(2026, 11, 8)
    raw = rollups.recompute(start=first, end=last)
    assert raw
    assert rollups.compare(rollups.stored(start=first, end=last), raw) == []
    _simulate("--remove")
    assert not Errand.objects.exists() and not DeskStatusEvent.objects.exists()
    assert rollups.stored(start=first, end=last) == {}


@pytest.mark.postgres
def test_simulate__skipping_the_key_checks_writes_the_same_rows(network):
    first, last = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
    loader.load(first=first, last=last, seed=4, office_codes=["linkoping"], skip_fk_checks=False)
    checked = list(Visit.objects.order_by("pk").values_list("arrived_at", "state", "officer_id"))
    loader.load(first=first, last=last, seed=4, office_codes=["linkoping"], skip_fk_checks=True)
    unchecked = list(Visit.objects.order_by("pk").values_list("arrived_at", "state", "officer_id"))
    assert checked == unchecked and checked


def test_simulate__skipping_the_key_checks_needs_a_postgres_superuser(network):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the local PostgreSQL role is a superuser")
    with pytest.raises(CommandError, match="superuser"):
        _simulate("--from", FIRST, "--to", LAST, "--skip-fk-checks")
