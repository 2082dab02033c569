"""The live view's poll (`queries.live_poll`, one statement: `sql.LIVE_POLL`) against what it
replaced: `get_object_or_404(Office, code=…)`, `permissions.can_manage`, `queries.queue_version`
and `queries.staff_version` (kept, and called here). And who may see the live view."""

import contextlib
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import can_manage, may_manage
from servicekontor.core import clock
from servicekontor.network.models import Office
from servicekontor.queueing import queries, services
from servicekontor.queueing.errors import QueueError
from servicekontor.queueing.models import OfficerStatus, Visit, VisitEvent
from servicekontor.queueing.tests.conftest import World
from tests.factories import make_user

UNKNOWN = "no-such-office"


def _person(world: World, who: str) -> User:
    """One of the people of `EXPECTED` (or "inactive manager"), made now."""
    if who == "inactive manager":
        inactive = make_user(role="office_manager", offices=[world.office])
        User.objects.filter(pk=inactive.pk).update(is_active=False)
        inactive.refresh_from_db()
        return inactive
    made = {
        "manager": lambda: make_user(role="office_manager", offices=[world.office]),
        "manager of another office": lambda: make_user(
            role="office_manager", offices=[world.other_office]
        ),
        "manager of both": lambda: make_user(
            role="office_manager", offices=[world.office, world.other_office]
        ),
        "manager of none": lambda: make_user(role="office_manager"),
        "officer": lambda: world.alice,  # assigned here, not a manager
        "officer of another office": lambda: world.charlie,
        "analyst": lambda: make_user(role="agency_analyst", analyst_agency=world.skatteverket),
        "network admin": lambda: make_user(role="network_admin"),
        "superuser": lambda: make_user(is_superuser=True),
    }
    return made[who]()


def _old(user: User, code: str) -> tuple[int, str, str, bool] | None:
    """What the live view read before: the office (None: 404), then its versions and the rule."""
    office = Office.objects.filter(code=code).first()
    if office is None:
        return None
    return (
        office.pk,
        queries.queue_version(office_id=office.pk),
        queries.staff_version(office_id=office.pk),
        can_manage(user, office),
    )


def _new(user: User, code: str) -> tuple[int, str, str, bool] | None:
    poll = queries.live_poll(office_code=code, user_id=user.pk)
    if poll is None:
        return None
    allowed = may_manage(user, assigned=poll.assigned)
    return poll.office_id, poll.queue_version, poll.staff_version, allowed


# --- who may see it: the same answers as before, for the panel and the page -----------------

# Per person: (this office, another office, an unknown code). 404 before 403, as
# `get_object_or_404` then `can_manage` answered.
EXPECTED = {
    "manager": (200, 403, 404),
    "manager of another office": (403, 200, 404),
    "manager of both": (200, 200, 404),
    "manager of none": (403, 403, 404),
    "officer": (403, 403, 404),
    "officer of another office": (403, 403, 404),
    "analyst": (403, 403, 404),
    "network admin": (200, 200, 404),
    "superuser": (200, 200, 404),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("page", ["desk:live_panel", "desk:live"])
def test_live__who_may_see_it(world, who, page):
    services.issue_ticket(office=world.office, service=world.tax)
    person = _person(world, who)
    client = Client()
    client.force_login(person)
    codes = (world.office.code, world.other_office.code, UNKNOWN)

    got = tuple(
        client.get(reverse(page, kwargs={"office_code": code})).status_code for code in codes
    )

    assert got == EXPECTED[who]
    # the rule as the ORM and `can_manage` give it, for every code
    assert [_new(person, code) for code in codes] == [_old(person, code) for code in codes]


@pytest.mark.parametrize("page", ["desk:live_panel", "desk:live"])
def test_live__anonymous_or_inactive__to_the_sign_in_page(world, page):
    url = reverse(page, kwargs={"office_code": world.office.code})
    inactive = _person(world, "inactive manager")
    signed_in_inactive = Client()
    signed_in_inactive.force_login(inactive)  # the session names a user no longer active
    for client in (Client(), signed_in_inactive):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_live__304__one_statement_after_the_user(world):
    manager = _person(world, "manager")
    client = Client()
    client.force_login(manager)
    url = reverse("desk:live_panel", kwargs={"office_code": world.office.code})
    tag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as statements:
        assert client.get(url, headers={"if-none-match": tag}).status_code == 304
    ours = [q["sql"] for q in statements.captured_queries if "django_session" not in q["sql"]]
    assert len(ours) == 2, ours  # the user (accounts.backends), the poll (sql.LIVE_POLL)


# --- the poll against the old functions, on varied data ---------------------------------------

ACTIONS = st.lists(
    st.sampled_from(
        [
            "ticket here",
            "ticket there",
            "alice calls",
            "bob calls",
            "charlie calls",
            "alice starts",
            "alice finishes",
            "bob holds",
            "alice on a break",
            "bob back office",
            "alice idle",
            "bob signs out",
            "bob signs in",
            "charlie signs in there",
            "an event from yesterday",
            "an event at midnight",
        ]
    ),
    max_size=10,
)


def _act(world: World, action: str) -> None:
    own = Visit.objects.filter(officer=world.alice, state__in=queries.ACTIVE_STATES).first()
    bobs = Visit.objects.filter(officer=world.bob, state__in=queries.ACTIVE_STATES).first()
    start, _end = clock.local_day_bounds(clock.local_today())
    last = VisitEvent.objects.order_by("-id").first()
    steps = {
        "ticket here": lambda: services.issue_ticket(office=world.office, service=world.tax),
        "ticket there": lambda: services.issue_ticket(office=world.other_office, service=world.tax),
        "alice calls": lambda: services.call_next(officer=world.alice),
        "bob calls": lambda: services.call_next(officer=world.bob),
        "charlie calls": lambda: services.call_next(officer=world.charlie),
        "alice starts": lambda: (
            own and services.start_service(officer=world.alice, visit_id=own.pk)
        ),
        "alice finishes": lambda: (
            own and services.finish_visit(officer=world.alice, visit_id=own.pk, outcome="resolved")
        ),
        "bob holds": lambda: bobs and services.hold_visit(officer=world.bob, visit_id=bobs.pk),
        "alice on a break": lambda: services.set_officer_status(
            officer=world.alice, status=OfficerStatus.BREAK
        ),
        "bob back office": lambda: services.set_officer_status(
            officer=world.bob, status=OfficerStatus.BACK_OFFICE
        ),
        "alice idle": lambda: services.set_officer_status(
            officer=world.alice, status=OfficerStatus.IDLE
        ),
        "bob signs out": lambda: services.sign_out_of_desk(officer=world.bob),
        "bob signs in": lambda: services.sign_in_at_desk(
            officer=world.bob, service_point=world.desk2
        ),
        "charlie signs in there": lambda: services.sign_in_at_desk(
            officer=world.charlie,
            service_point=world.other_office.service_points.earliest("number"),
        ),
        # the day's boundary: before it not counted, at it counted
        "an event from yesterday": lambda: (
            last
            and VisitEvent.objects.filter(pk=last.pk).update(at=start - dt.timedelta(seconds=1))
        ),
        "an event at midnight": lambda: (
            last and VisitEvent.objects.filter(pk=last.pk).update(at=start)
        ),
    }
    with contextlib.suppress(QueueError):  # nobody to call, already signed in, …: no change
        steps[action]()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=ACTIONS, who=st.sampled_from([*sorted(EXPECTED), "inactive manager"]))
def test_live_poll__equals_the_old_reads(world, actions, who):
    person = _person(world, who)
    codes = (world.office.code, world.other_office.code, UNKNOWN)
    before = [_new(person, code) for code in codes]
    assert before == [_old(person, code) for code in codes]
    for action in actions:
        _act(world, action)
        got = [_new(person, code) for code in codes]
        assert got == [_old(person, code) for code in codes], action


def test_live_poll__the_day_starts_at_local_midnight(world):
    """An event of today counts, one a second before the local day does not, and one at its
    start counts, on every database (the start goes through `core.sql_datetime`: before,
    SQLite compared the aware start as text and left the event at the start out)."""
    manager = _person(world, "manager")
    code = world.office.code
    services.issue_ticket(office=world.office, service=world.tax)
    start, _end = clock.local_day_bounds(clock.local_today())
    event = VisitEvent.objects.get()
    seen = []
    for at in (event.at, start, start - dt.timedelta(seconds=1)):
        VisitEvent.objects.filter(pk=event.pk).update(at=at)
        assert _new(manager, code) == _old(manager, code), at
        seen.append(_new(manager, code))
    today, at_start, before = seen
    assert today != before  # counted, then not
    assert at_start == today
