"""The lobby board and the manager's live view from light rows of one statement each
(`sql.lobby_board`, `sql.live_overview`) against the ORM queries they replaced, kept here as
the reference: the same context (calls, waiting count; the overview's figures, per-service
rows and officers) and the same HTML, in Swedish and in English, on a scripted day (an empty
office, waiting and called visits, a booking, recalls, four desks, a break, parked, finished
and no-show visits) and on random sequences of desk actions (hypothesis)."""

import contextlib
import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicekontor.core import clock
from servicekontor.core.clock import STOCKHOLM
from servicekontor.core.rounding import exported
from servicekontor.lobby import views as lobby_views
from servicekontor.lobby.tests.test_board_html import OLD_BOARD
from servicekontor.network import registry_cache
from servicekontor.network.models import Office, ServicePoint
from servicekontor.queueing import queries, services
from servicekontor.queueing.errors import QueueError
from servicekontor.queueing.models import (
    DeskSession,
    TicketCounter,
    Visit,
    VisitAction,
    VisitEvent,
    VisitState,
)
from servicekontor.queueing.queries import (
    ACTIVE_STATES,
    Call,
    OfficeOverview,
    OfficerRow,
    ParkedRow,
    ServiceRow,
    waiting_visits,
)
from servicekontor.queueing.tests.conftest import WEDNESDAY_1030, World
from tests.factories import make_user

LANGUAGES = ("sv", "en")

# --- the reference: the ORM code as it was before (session 11) ------------------------------


def _old_recent_calls(*, office: Office, limit: int = 6) -> list[Call]:
    start, _end = clock.local_day_bounds(clock.local_today())
    events = (
        VisitEvent.objects.filter(
            office=office,
            at__gte=start,
            action__in=(VisitAction.CALL, VisitAction.RECALL),
            service_point__isnull=False,
        )
        .select_related("visit", "service_point")
        .order_by("-at", "-id")[: limit * 3]
    )
    calls: list[Call] = []
    seen: set[int] = set()
    for event in events:
        if event.visit_id in seen or event.service_point is None:
            continue
        seen.add(event.visit_id)
        active = (
            event.visit.state == VisitState.CALLED
            and event.visit.service_point_id == event.service_point_id
        )
        calls.append(Call(event.visit.ticket, event.service_point.number, event.at, active))
        if len(calls) == limit:
            break
    return calls


def _old_board_context(office: Office) -> dict[str, object]:
    calls = _old_recent_calls(office=office, limit=lobby_views.CALLS_SHOWN)
    active = [call for call in calls if call.active]
    return {
        "office": office,
        "active": active,
        "newest": active[0] if active else None,
        "earlier": [call for call in calls if not call.active],
        "waiting": waiting_visits(office=office).count(),
    }


def _old_average_wait_minutes(*, office: Office, since: dt.datetime) -> float | None:
    called_since = VisitEvent.objects.filter(
        office=office, action=VisitAction.CALL, at__gte=since
    ).values("visit_id")
    per_visit = (
        VisitEvent.objects.filter(visit_id__in=called_since)
        .values("visit_id")
        .annotate(
            entered=Max("at", filter=Q(action__in=(VisitAction.ISSUE, VisitAction.CHECK_IN))),
            first_call=Min("at", filter=Q(action=VisitAction.CALL)),
        )
        .filter(entered__isnull=False, first_call__gte=since)
        .order_by("visit_id")
        .values_list("entered", "first_call")
    )
    waits = [(called - entered).total_seconds() for entered, called in per_visit]
    # rounded half up as every figure (`core.rounding`; session 14: it was Python's round)
    return exported(sum(waits), 1, scale=Fraction(1, 60 * len(waits))) if waits else None


def _old_parked_rows(*, office: Office, now: dt.datetime) -> list[ParkedRow]:
    """The parked visits by the ORM (session 14): each with its latest event into the state,
    that event's desk and officer."""
    latest = VisitEvent.objects.filter(
        visit_id=OuterRef("pk"), to_state=VisitState.ON_HOLD
    ).order_by("-at", "-id")
    visits = (
        Visit.objects.filter(office=office, state=VisitState.ON_HOLD)
        .select_related("service", "service__agency")
        .annotate(
            held_at=Subquery(latest.values("at")[:1]),
            held_desk=Subquery(latest.values("service_point__number")[:1]),
            held_first=Subquery(latest.values("officer__first_name")[:1]),
            held_last=Subquery(latest.values("officer__last_name")[:1]),
            held_user=Subquery(latest.values("officer__username")[:1]),
        )
    )
    rows = []
    for v in visits:
        since = v.held_at or v.queued_at
        name = f"{v.held_first or ''} {v.held_last or ''}".strip() or (v.held_user or "")
        minutes = max(0, int((now - since).total_seconds() // 60))
        rows.append(
            ParkedRow(
                v.ticket,
                v.service.agency.name,
                v.service.name,
                since,
                minutes,
                v.held_desk,
                name,
            )
        )
    return sorted(rows, key=lambda r: (r.since, r.ticket))


def _old_officer_rows(*, office: Office) -> list[OfficerRow]:
    sessions = DeskSession.objects.filter(office=office).select_related("officer", "service_point")
    active = {
        v.officer_id: v
        for v in Visit.objects.filter(office=office, state__in=ACTIVE_STATES).select_related(
            "service"
        )
    }
    rows = []
    for session in sessions.order_by("service_point__number"):
        visit = active.get(session.officer_id)
        name = session.officer.get_full_name() or session.officer.get_username()
        if visit is not None:
            label = str(VisitState(visit.state).label)
            rows.append(
                OfficerRow(name, session.service_point.number, "serving", label, visit.ticket)
            )
        else:
            rows.append(
                OfficerRow(
                    name,
                    session.service_point.number,
                    session.status,
                    session.get_status_display(),
                )
            )
    return rows


def _old_office_overview(*, office: Office) -> OfficeOverview:
    now = clock.now()
    waiting = list(waiting_visits(office=office))
    rows: dict[int, ServiceRow] = {}
    for visit in waiting:
        minutes = int((now - visit.arrived_at).total_seconds() // 60)
        row = rows.setdefault(
            visit.service_id,
            ServiceRow(visit.service.agency.name, visit.service.name, 0, 0),
        )
        row.waiting += 1
        row.longest_wait_minutes = max(row.longest_wait_minutes, minutes)
    start, _end = clock.local_day_bounds(clock.local_today())
    today = VisitEvent.objects.filter(office=office, at__gte=start)
    served = today.filter(
        action=VisitAction.FINISH, visit__local_day=clock.local_today()
    ).aggregate(n=Count("id"))["n"]
    return OfficeOverview(
        waiting_total=len(waiting),
        longest_wait_minutes=max((r.longest_wait_minutes for r in rows.values()), default=0),
        served_today=served,
        average_wait_minutes=_old_average_wait_minutes(office=office, since=start),
        by_service=sorted(rows.values(), key=lambda r: (r.agency, r.service)),
        officers=_old_officer_rows(office=office),
        parked=_old_parked_rows(office=office, now=now),
    )


def _old_board_template() -> Any:
    """`lobby/_board.html` as it was: the announcement's key formatted in the template (the
    template before it was written out in Python: `lobby/tests/test_board_html.OLD_BOARD`)."""
    source = OLD_BOARD
    new_key = "{{ newest_key }}"
    assert new_key in source
    old_key = "{{ newest.ticket }}-{{ newest.desk }}-{{ newest.at|date:'U.u' }}"
    return engines["django"].from_string(source.replace(new_key, old_key))


# --- the comparison ---------------------------------------------------------------------------


def _same_board(office: Office) -> str:
    """Assert the new board's context and HTML equal the old ones, in both languages; the
    English HTML."""
    old_template = _old_board_template()
    html = ""
    for language in LANGUAGES:
        with translation.override(language):
            opening = registry_cache.open_now(office=office, at=clock.now())
            new = lobby_views._board_context(office, opening)
            old = _old_board_context(office) | {"opening": opening}  # not what is compared
            assert {k: v for k, v in new.items() if k != "newest_key"} == old
            old_html = old_template.render(old)
            new_html = render_to_string("lobby/_board.html", new)
            assert new_html == old_html, language
            html = new_html
    return html


def _same_live_panel(office: Office) -> str:
    html = ""
    for language in LANGUAGES:
        with translation.override(language):
            old, new = _old_office_overview(office=office), queries.office_overview(office=office)
            assert new == old, language
            old_html = render_to_string(
                "desk/_live_panel.html", {"office": office, "overview": old}
            )
            new_html = render_to_string(
                "desk/_live_panel.html", {"office": office, "overview": new}
            )
            assert new_html == old_html, language
            html = new_html
    return html


def _same(world: World) -> tuple[str, str]:
    for office in (world.office, world.other_office):
        board, live = _same_board(office), _same_live_panel(office)
        if office == world.office:
            shown = board, live
    return shown


def _more_desks(world: World) -> list[Any]:
    """Desks 3 and 4 with officers signed in (one with a name, one without)."""
    officers = []
    for number, names in ((3, ("Dagny", "Öberg")), (4, ("", ""))):
        desk = ServicePoint.objects.create(office=world.office, number=number)
        officer = make_user(offices=[world.office], agencies=[world.skatteverket, world.fk])
        officer.first_name, officer.last_name = names
        officer.save()
        services.sign_in_at_desk(officer=officer, service_point=desk)
        officers.append(officer)
    return officers


def test_board_and_live_view__a_scripted_day__same_as_the_orm(world, clock_at):
    world.alice.first_name, world.alice.last_name = "Alice", "Åström"
    world.alice.save()
    board, live = _same(world)  # an empty office
    assert "S-" not in board and "Nobody is waiting." in live
    dagny, nameless = _more_desks(world)
    tickets = []
    for service in (world.tax, world.parental, world.tax, world.id_card, world.tax, world.tax):
        tickets.append(services.issue_ticket(office=world.office, service=service))
        clock_at.shift(dt.timedelta(seconds=97))
    booked = services.check_in_booked_visit(
        office=world.office,
        service=world.parental,
        booked_start=dt.datetime(2026, 11, 25, 10, 45, tzinfo=STOCKHOLM),
        booking_reference="B-1",
    )
    board, live = _same(world)  # only waiting
    assert "7 waiting" in board and booked.ticket not in board  # waiting: counted, not shown
    clock_at.shift(dt.timedelta(minutes=3, seconds=11))
    first = services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=41, microseconds=1234))
    second = services.call_next(officer=world.bob)
    _same(world)
    clock_at.shift(dt.timedelta(seconds=45))
    services.recall_visit(officer=world.alice, visit_id=first.pk)  # recalled: one line
    services.start_service(officer=world.bob, visit_id=second.pk)  # no longer called
    third = services.call_next(officer=dagny)
    clock_at.shift(dt.timedelta(minutes=4))
    services.set_officer_status(officer=nameless, status="break")
    board, live = _same(world)
    assert first.ticket in board and "Dagny Öberg" in live and "Alice Åström" in live
    services.finish_visit(officer=world.bob, visit_id=second.pk, outcome="resolved")
    services.hold_visit(officer=dagny, visit_id=third.pk)
    services.start_service(officer=world.alice, visit_id=first.pk)
    services.finish_visit(officer=world.alice, visit_id=first.pk, outcome="resolved")
    clock_at.shift(dt.timedelta(minutes=2))
    for officer in (world.alice, world.bob, dagny):
        services.call_next(officer=officer)
        clock_at.shift(dt.timedelta(seconds=30))
    clock_at.shift(dt.timedelta(minutes=1))
    services.mark_no_show(
        officer=world.bob, visit_id=Visit.objects.get(officer=world.bob, state="called").pk
    )
    board, live = _same(world)
    # Walk finding (session 14): the parked visit is on the live view, with how long, since
    # when and which desk (and officer) put it on hold; the desk list's word for the state.
    assert "<strong>1</strong> on hold now" in live
    held = f"<td>{third.ticket}</td>"
    assert held in live and "<td>4</td><td>Desk 3 · Dagny Öberg</td>" in live
    for _ in range(3):  # more calls than the board shows: earlier ones drop off
        for officer in (world.alice, dagny):
            current = Visit.objects.filter(officer=officer, state__in=ACTIVE_STATES).first()
            if current is not None:
                services.start_service(officer=officer, visit_id=current.pk)
                services.finish_visit(officer=officer, visit_id=current.pk, outcome="resolved")
            services.issue_ticket(office=world.office, service=world.tax)
            services.call_next(officer=officer)
            clock_at.shift(dt.timedelta(seconds=33))
    board, _live = _same(world)
    assert board.count("<li") == lobby_views.CALLS_SHOWN
    assert tickets


# --- random days (hypothesis) ----------------------------------------------------------------

ACTIONS = ("issue", "book", "call", "recall", "start", "finish", "hold", "requeue", "no_show")
steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=2),  # which officer / service / visit
        st.integers(min_value=0, max_value=400),  # seconds before the next step
    ),
    max_size=25,
)


def _act(world: World, officers: list[Any], action: str, which: int) -> None:
    officer = officers[which]
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
    elif own is not None and action != "requeue":
        if action == "recall":
            services.recall_visit(officer=officer, visit_id=own.pk)
        elif action == "start":
            services.start_service(officer=officer, visit_id=own.pk)
        elif action == "finish":
            services.finish_visit(officer=officer, visit_id=own.pk, outcome="resolved")
        elif action == "hold":
            services.hold_visit(officer=officer, visit_id=own.pk)
        elif action == "no_show":
            services.mark_no_show(officer=officer, visit_id=own.pk)


@pytest.fixture
def officers(world: World) -> list[Any]:
    return [world.alice, world.bob, *_more_desks(world)[:1]]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=steps)
def test_board_and_live_view__random_days__same_as_the_orm(world, officers, clock_at, day):
    Visit.objects.all().delete()  # and their events
    TicketCounter.objects.all().delete()
    DeskSession.objects.update(status="idle")
    clock_at.move_to(WEDNESDAY_1030)
    for action, which, pause in day:
        # not allowed now (nothing to call, too soon to recall, …): a no-op
        with contextlib.suppress(QueueError):
            _act(world, officers, action, which)
        clock_at.shift(dt.timedelta(seconds=pause, microseconds=pause * 7))
    _same(world)
