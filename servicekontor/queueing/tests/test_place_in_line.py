"""A waiting ticket's place in line, as the ticket page, the printed ticket and "your turn is
near" give it (`sql.AHEAD_OF_T`): the visits competing for the desks that can serve it, in
call-next's own order, and the estimate over those desks.

The browser walk of 2026-12-01: one officer at desk 1 trained for every agency, tickets
S-001, F-002, P-003 (priority), S-004, A-005; A-005's page said "0 personer väntar före dig.
Du ropas upp mycket snart." while four people waited for the single desk (only visits of
its own agency were counted), and A-005 waited 24 minutes and more.
"""

import datetime as dt

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicekontor.core import clock
from servicekontor.core.clock import STOCKHOLM
from servicekontor.network.models import ServicePoint
from servicekontor.queueing import queries, services
from servicekontor.queueing.errors import EmptyQueue
from servicekontor.queueing.models import OfficerStatus, Priority, QueueSettings, Visit
from servicekontor.queueing.notifications import notify_near_visits
from servicekontor.queueing.views import TICKET_SALT
from tests.factories import (
    make_agency,
    make_offering,
    make_office,
    make_service,
    make_user,
)

# --- helpers ---------------------------------------------------------------------------------


def _ticket_page(client, office, visit: Visit, language: str = "sv") -> str:
    key = signing.dumps(visit.pk, salt=TICKET_SALT)
    with translation.override(language):
        url = reverse("queueing:ticket", kwargs={"office_code": office.code, "key": key})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _ahead(office, visit: Visit) -> int:
    """The ticket page's count (one statement), checked against the ORM's `wait_info`."""
    found = queries.kiosk_ticket(office=office, visit_id=visit.pk)
    assert found is not None
    shown, wait, _desk = found
    orm = queries.wait_info(office=office, service=shown.service, exclude=shown)
    assert wait == orm
    return wait.waiting


def _wait(office, visit: Visit) -> queries.WaitInfo:
    found = queries.kiosk_ticket(office=office, visit_id=visit.pk)
    assert found is not None
    return found[1]


def _serve_next(officer) -> Visit:
    visit = services.call_next(officer=officer)
    services.start_service(officer=officer, visit_id=visit.pk)
    services.finish_visit(officer=officer, visit_id=visit.pk, outcome="resolved")
    return visit


# --- the walk's scenario ---------------------------------------------------------------------


@pytest.fixture
def single_desk(db, clock_at):
    """One office with one desk; four agencies S, F, P, A (one walk-in service each, 10 min);
    one officer trained for all four, ready at desk 1."""
    office = make_office(counters=1)
    agencies = {letter: make_agency(letter=letter) for letter in "SFPA"}
    offered = {}
    for letter, agency in agencies.items():
        offered[letter] = make_service(agency=agency, code=f"walk-in-{letter.lower()}")
        make_offering(office=office, service=offered[letter])
    officer = make_user(username="dana", offices=[office], agencies=agencies.values())
    services.sign_in_at_desk(officer=officer, service_point=office.service_points.get(number=1))
    return office, agencies, offered, officer


def test_place_in_line__the_walk__a_005_has_four_before_it(client, single_desk):
    office, agencies, offered, officer = single_desk
    for letter, priority in (("S", False), ("F", False), ("P", True), ("S", False), ("A", False)):
        with translation.override("sv"):
            url = reverse(
                "queueing:agency",
                kwargs={"office_code": office.code, "agency_code": agencies[letter].code},
            )
        form = {"service": offered[letter].pk}
        if priority:
            form["priority"] = "on"
        assert client.post(url, form).status_code == 303
    tickets = list(Visit.objects.filter(office=office).order_by("pk"))
    assert [(t.ticket, t.priority > 0) for t in tickets] == [
        ("S-001", False),
        ("F-002", False),
        ("P-003", True),
        ("S-004", False),
        ("A-005", False),
    ]
    # P-003 (priority) first, then in order of arrival: one desk serves them all.
    assert [_ahead(office, t) for t in tickets] == [1, 2, 0, 3, 4]

    page = _ticket_page(client, office, tickets[4])
    assert "4 personer väntar före dig." in page
    assert "Beräknad väntetid: ungefär 40 minuter." in page  # 4 × 10 min, one desk
    assert "mycket snart" not in page
    english = _ticket_page(client, office, tickets[4], "en")
    assert "4 people are waiting before you." in english

    # The order the page promised is the order the desk calls.
    called = [_serve_next(officer).ticket for _ in tickets]
    assert called == ["P-003", "S-001", "F-002", "S-004", "A-005"]


def test_place_in_line__the_walk__officer_on_a_break__nobody_serving_yet(client, single_desk):
    office, _agencies, offered, officer = single_desk
    first = services.issue_ticket(office=office, service=offered["S"])
    last = services.issue_ticket(office=office, service=offered["A"])
    services.set_officer_status(officer=officer, status=OfficerStatus.BREAK)

    page = _ticket_page(client, office, last)
    # No desk can serve it: the existing message, no estimate; everyone before it counts.
    assert "Ingen handläggare tar emot ännu" in page
    assert "1 person väntar före dig." in page
    assert "Beräknad väntetid" not in page and "mycket snart" not in page
    assert _ahead(office, first) == 0


# --- officers with different skills ----------------------------------------------------------


def test_place_in_line__two_desks__only_visits_those_desks_serve_compete(client, world):
    """alice (desk 1) serves Skatteverket and Försäkringskassan, bob (desk 2) Skatteverket
    only; the id card needs a photo station neither desk has."""
    parental1, parental2 = (
        services.issue_ticket(office=world.office, service=world.parental) for _ in "12"
    )
    id_card = services.issue_ticket(office=world.office, service=world.id_card)
    tax = services.issue_ticket(office=world.office, service=world.tax)

    # tax: alice and bob can serve it; alice serves parental too, so both parental tickets
    # compete with it; the id card ticket does not (no desk can serve it).
    assert _ahead(world.office, tax) == 2
    assert "Beräknad väntetid: ungefär 10 minuter." in _ticket_page(client, world.office, tax)
    # parental: only alice; she serves tax too, which came later: not before.
    assert [_ahead(world.office, v) for v in (parental1, parental2)] == [0, 1]
    # id card: no desk can serve it: no estimate, everyone before it in call order counts.
    wait = _wait(world.office, id_card)
    assert (wait.waiting, wait.minutes) == (2, None)

    # alice on a break: bob alone serves tax, and nothing before it is his.
    services.set_officer_status(officer=world.alice, status=OfficerStatus.BREAK)
    assert _ahead(world.office, tax) == 0
    assert "Du ropas upp mycket snart." in _ticket_page(client, world.office, tax)
    assert services.call_next(officer=world.bob).pk == tax.pk  # as promised


def test_place_in_line__two_desks__a_busy_officer_still_counts(world):
    """A desk whose officer is serving someone is open: it will call again."""
    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.bob)
    waiting = services.issue_ticket(office=world.office, service=world.tax)
    wait = _wait(world.office, waiting)
    assert (wait.waiting, wait.minutes) == (0, 0)
    later = services.issue_ticket(office=world.office, service=world.tax)
    wait = _wait(world.office, later)
    assert (wait.waiting, wait.minutes) == (1, 5)  # one before it, two desks of 10 minutes


# --- an agency whose desk is not open: not behind the other agencies' lines (walk F5) -----


@pytest.fixture
def migration_desk_closed(world):
    """The world plus Migrationsverket (M): mia, trained for M only, is assigned to the
    office but on a break at desk 3; alice and bob serve Skatteverket and
    Försäkringskassan."""
    migration = make_agency(letter="M", code="migrationsverket")
    permit = make_service(agency=migration, code="permit")
    make_offering(office=world.office, service=permit)
    desk3 = ServicePoint.objects.create(office=world.office, number=3)
    mia = make_user(username="mia", offices=[world.office], agencies=[migration])
    services.sign_in_at_desk(officer=mia, service_point=desk3)
    services.set_officer_status(officer=mia, status=OfficerStatus.BREAK)
    return world, permit, mia


def test_place_in_line__no_desk_open_for_its_agency__others_lines_not_counted(
    client, migration_desk_closed
):
    """The walk: S and F desks busy with their lines, the Migrationsverket desk on a break.
    The M ticket's page counted all seven people before it, though the desk that will call
    it serves nobody of theirs; it has nobody before it."""
    world, permit, mia = migration_desk_closed
    for service in (world.tax, world.parental, world.tax, world.parental, world.tax):
        services.issue_ticket(office=world.office, service=service)
    first_permit = services.issue_ticket(office=world.office, service=permit)
    second_permit = services.issue_ticket(office=world.office, service=permit)

    assert [_ahead(world.office, v) for v in (first_permit, second_permit)] == [0, 1]
    page = _ticket_page(client, world.office, second_permit)
    assert "1 person väntar före dig." in page
    assert "Ingen handläggare tar emot ännu" in page  # nobody serves M yet: no estimate

    # The count is what happens: mia, back, calls the permits in that order.
    services.set_officer_status(officer=mia, status=OfficerStatus.IDLE)
    assert [_ahead(world.office, v) for v in (first_permit, second_permit)] == [0, 1]
    assert services.call_next(officer=mia).pk == first_permit.pk


def test_place_in_line__no_desk_open__an_officer_trained_for_both_makes_both_compete(
    migration_desk_closed,
):
    """If an officer of the office who would serve the M ticket is trained for Skatteverket
    too, that officer may call the Skatteverket tickets first: they count."""
    world, permit, _mia = migration_desk_closed
    both = make_user(username="sam", offices=[world.office], agencies=[world.skatteverket])
    both.competences.add(permit.agency)
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.parental)
    waiting = services.issue_ticket(office=world.office, service=permit)
    assert _ahead(world.office, waiting) == 1  # the tax ticket, not the parental one
    # An officer of another office does not come here: charlie's training does not count.
    world.charlie.competences.add(permit.agency)
    assert _ahead(world.office, waiting) == 1


def test_place_in_line__no_desk_open__turn_near_by_its_own_line(migration_desk_closed):
    world, permit, _mia = migration_desk_closed
    QueueSettings.objects.update_or_create(office=world.office, defaults={"notify_when_ahead": 0})
    for _ in range(3):
        services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=permit, notify_contact="m@example.org")
    assert notify_near_visits(office_id=world.office.pk) == 1
    assert [m.to for m in mail.outbox] == [["m@example.org"]]


# --- priority tickets and booked check-ins ---------------------------------------------------


def test_place_in_line__priority_of_another_agency_is_before_if_it_competes(world):
    tax = services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(
        office=world.office, service=world.parental, priority=Priority.ACCESSIBILITY
    )
    assert _ahead(world.office, tax) == 1  # alice may call the priority ticket first
    services.set_officer_status(officer=world.alice, status=OfficerStatus.BREAK)
    assert _ahead(world.office, tax) == 0  # bob cannot serve it


def test_place_in_line__booked_check_in__before_from_its_time(world, clock_at):
    walk_in = services.issue_ticket(office=world.office, service=world.tax)
    now = clock.now()
    due = services.check_in_booked_visit(
        office=world.office,
        service=world.parental,
        booked_start=now - dt.timedelta(minutes=2),
        booking_reference="B-due",
    )
    early = services.check_in_booked_visit(
        office=world.office,
        service=world.parental,
        booked_start=now + dt.timedelta(minutes=20),
        booking_reference="B-early",
    )
    # The due booking goes first; the early one waits like a walk-in until its time.
    assert [_ahead(world.office, v) for v in (due, walk_in, early)] == [0, 1, 2]
    clock_at.shift(dt.timedelta(minutes=21))
    assert [_ahead(world.office, v) for v in (due, early, walk_in)] == [0, 1, 2]


# --- transfers -------------------------------------------------------------------------------


@pytest.mark.parametrize("keeps_arrival", [True, False])
def test_place_in_line__transfer__keeps_or_loses_its_place(world, clock_at, keeps_arrival):
    QueueSettings.objects.update_or_create(
        office=world.office, defaults={"transfer_keeps_arrival": keeps_arrival}
    )
    handed_on = services.issue_ticket(office=world.office, service=world.tax)
    clock_at.shift(dt.timedelta(minutes=1))
    later = services.issue_ticket(office=world.office, service=world.tax)
    clock_at.shift(dt.timedelta(minutes=1))
    services.call_visit(officer=world.bob, visit_id=handed_on.pk)
    services.start_service(officer=world.bob, visit_id=handed_on.pk)
    services.transfer_visit(officer=world.bob, visit_id=handed_on.pk, service=world.parental)

    # Handed on to parental: alice, who can serve the later tax ticket, serves it too.
    assert _ahead(world.office, later) == (1 if keeps_arrival else 0)
    handed_on.refresh_from_db()
    assert _ahead(world.office, handed_on) == (0 if keeps_arrival else 1)
    services.set_officer_status(officer=world.bob, status=OfficerStatus.BREAK)
    first = services.call_next(officer=world.alice)
    assert first.pk == (handed_on.pk if keeps_arrival else later.pk)


# --- "your turn is near": the same place in line ---------------------------------------------


def test_place_in_line__turn_near__told_by_its_place_not_the_offices_line(world, clock_at):
    QueueSettings.objects.update_or_create(office=world.office, defaults={"notify_when_ahead": 1})
    for _ in range(3):
        services.issue_ticket(office=world.office, service=world.parental)
    tax = services.issue_ticket(
        office=world.office, service=world.tax, notify_contact="tax@example.org"
    )
    parental = services.issue_ticket(
        office=world.office, service=world.parental, notify_contact="fk@example.org"
    )
    # tax: the three parental tickets compete for alice: 3 before it; parental: those and
    # the tax ticket (alice serves both): 4.
    assert [_ahead(world.office, v) for v in (tax, parental)] == [3, 4]
    assert notify_near_visits(office_id=world.office.pk) == 0

    # alice leaves: bob alone serves tax and has nothing before it: told now. Nobody can
    # serve parental: everyone before it counts (4), not told.
    services.set_officer_status(officer=world.alice, status=OfficerStatus.BREAK)
    assert [_ahead(world.office, v) for v in (tax, parental)] == [0, 4]
    assert notify_near_visits(office_id=world.office.pk) == 1
    assert [m.to for m in mail.outbox] == [["tax@example.org"]]


def test_place_in_line__turn_near__a_staffing_change_asks_again(
    world, clock_at, django_capture_on_commit_callbacks
):
    QueueSettings.objects.update_or_create(office=world.office, defaults={"notify_when_ahead": 0})
    services.issue_ticket(office=world.office, service=world.parental)
    services.issue_ticket(office=world.office, service=world.tax, notify_contact="t@example.org")
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        services.set_officer_status(officer=world.alice, status=OfficerStatus.BREAK)
    assert [m.to for m in mail.outbox] == [["t@example.org"]]


# --- the property: the count is what the desk does -------------------------------------------

NOW = dt.datetime(2026, 11, 25, 10, 30, tzinfo=STOCKHOLM)  # the world's clock (frozen)

SERVICES = ("tax", "parental", "id_card")  # alice at desk 1 serves the first two
line = st.lists(
    st.tuples(
        st.sampled_from(SERVICES),
        st.sampled_from([Priority.NORMAL, Priority.NORMAL, Priority.ACCESSIBILITY]),
        st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),  # booked offset, min
        st.integers(min_value=0, max_value=3),  # minutes in line (ties on purpose)
    ),
    min_size=1,
    max_size=9,
)


def _add(world, spec, n: int) -> Visit:
    name, priority, booked, minutes = spec
    service = getattr(world, name)
    if booked is None:
        visit = services.issue_ticket(office=world.office, service=service, priority=priority)
    else:
        visit = services.check_in_booked_visit(
            office=world.office,
            service=service,
            booked_start=NOW + dt.timedelta(minutes=booked),
            booking_reference=f"P-{Visit.objects.count()}-{n}-{booked}",
        )
        Visit.objects.filter(pk=visit.pk).update(priority=priority)
    at = NOW - dt.timedelta(minutes=minutes)
    Visit.objects.filter(pk=visit.pk).update(queued_at=at, arrived_at=at)
    return visit


def _called_before(world, target: Visit, arrivals: list) -> int | None:
    """Calls alice's desk makes (each served and finished) before it calls `target`, with
    `arrivals` taking tickets one after each call; None if it is never called."""
    calls = 0
    pending = list(arrivals)
    while True:
        try:
            visit = _serve_next(world.alice)
        except EmptyQueue:
            return None
        if visit.pk == target.pk:
            return calls
        calls += 1
        if pending:
            _add(world, pending.pop(0), 1000 + calls)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(specs=line, pick=st.integers(min_value=0), arrivals=st.one_of(st.just([]), line))
def test_place_in_line__property__one_desk__the_count_is_the_calls_before_it(
    world, specs, pick, arrivals
):
    """One desk (alice; bob signed out), any line of priorities, bookings due or not, ties
    and services the desk cannot serve: the count shown on a ticket the desk can serve is the
    number of visits the real call-next calls before it when nobody else arrives, and a lower
    bound when others arrive meanwhile. The clock stands still: no booking falls due."""
    Visit.objects.all().delete()
    services.sign_out_of_desk(officer=world.bob)
    visits = [_add(world, spec, n) for n, spec in enumerate(specs)]
    servable = [v for v in visits if v.service_id != world.id_card.pk]
    if not servable:
        return
    target = servable[pick % len(servable)]
    shown = _ahead(world.office, target)
    called = _called_before(world, target, arrivals)
    assert called is not None
    if arrivals:
        assert shown <= called
    else:
        assert shown == called
