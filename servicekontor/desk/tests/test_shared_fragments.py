"""The shared fragment cache (decision 0027): the desk's waiting list and the lobby board are
rendered once per version and served from the cache to every screen that shows the same; a
stale screen is a defect, so every kind of change that affects a fragment must make a new key.

Each case: the screens ask (filling the cache), one change happens, the screens ask again; what
they get must equal a render from an empty cache, and at least one screen must show a change.
Screens: alice's and dana's lists (the same services, so they share one entry), bob's (fewer
services) and the lobby board.
"""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from servicekontor.core import clock
from servicekontor.queueing import services
from servicekontor.queueing.tests.conftest import World, build_world
from tests.factories import make_user

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def world(db, clock_at) -> World:
    return build_world(desks=3)


@pytest.fixture
def client_factory():
    return Client


@pytest.fixture
def dana(world):
    """An officer like alice (Skatteverket and Försäkringskassan) at desk 3."""
    officer = make_user(
        username="dana", offices=[world.office], agencies=[world.skatteverket, world.fk]
    )
    desk3 = world.office.service_points.order_by("number")[2]
    services.sign_in_at_desk(officer=officer, service_point=desk3)
    return officer


def _screens(client_factory, world, dana):
    desk = reverse("desk:panel", kwargs={"office_code": world.office.code})
    board = reverse("lobby:board", kwargs={"office_code": world.office.code})
    screens = {}
    for officer in (world.alice, world.bob, dana):
        client = client_factory()
        client.force_login(officer)
        screens[officer.username] = (client, desk)
    screens["board"] = (client_factory(), board)
    return screens


def _shown(screens) -> dict[str, str]:
    """What each screen gets now (no If-None-Match: the body, from the cache if there)."""
    shown = {}
    for name, (client, url) in screens.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        shown[name] = _CSRF.sub("csrf", response.content.decode())
    return shown


def _call(world, visit):
    return services.call_visit(officer=world.alice, visit_id=visit.pk)


def _called(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    _call(world, visit)
    return visit


def _recall(world, visit, traveller):
    traveller.shift(dt.timedelta(seconds=40))  # a recall waits 30 s after the call
    return services.recall_visit(officer=world.alice, visit_id=visit.pk)


def _no_show(world, visit, traveller):
    traveller.shift(dt.timedelta(seconds=40))  # the citizen gets 30 s to come to the desk
    return services.mark_no_show(officer=world.alice, visit_id=visit.pk)


def _booked(world, minutes):
    start = clock.now() + dt.timedelta(minutes=minutes)
    return services.check_in_booked_visit(
        office=world.office, service=world.tax, booked_start=start, booking_reference="B-1"
    )


# Each case: (prepare, change) — prepare runs before the screens fill the cache.
Prepare = Callable[[World], Any]
Change = Callable[[World, Any, Any], Any]
CASES: dict[str, tuple[Prepare, Change]] = {
    "new ticket": (
        lambda w: None,
        lambda w, v, t: services.issue_ticket(office=w.office, service=w.tax),
    ),
    "call next": (
        lambda w: None,
        lambda w, v, t: services.call_next(officer=w.alice),
    ),
    "call a chosen visit": (
        lambda w: services.issue_ticket(office=w.office, service=w.parental),
        lambda w, v, t: _call(w, v),
    ),
    "start": (
        _called,
        lambda w, v, t: services.start_service(officer=w.alice, visit_id=v.pk),
    ),
    "finish": (
        lambda w: services.start_service(officer=w.alice, visit_id=_called(w).pk),
        lambda w, v, t: services.finish_visit(officer=w.alice, visit_id=v.pk, outcome="resolved"),
    ),
    "recall": (
        _called,
        lambda w, v, t: _recall(w, v, t),
    ),
    "transfer": (
        _called,
        lambda w, v, t: services.transfer_visit(officer=w.alice, visit_id=v.pk, service=w.parental),
    ),
    "park": (
        _called,
        lambda w, v, t: services.hold_visit(officer=w.alice, visit_id=v.pk),
    ),
    "back in line from parked": (
        lambda w: services.hold_visit(officer=w.alice, visit_id=_called(w).pk),
        lambda w, v, t: services.requeue_visit(officer=w.alice, visit_id=v.pk),
    ),
    "no-show": (
        _called,
        lambda w, v, t: _no_show(w, v, t),
    ),
    "booking checked in": (
        lambda w: None,
        lambda w, v, t: _booked(w, 30),
    ),
    "booking falls due with the clock": (
        lambda w: _booked(w, 2),
        lambda w, v, t: t.shift(dt.timedelta(minutes=3)),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_shared_fragment__every_change_makes_a_new_entry(
    case, world, dana, clock_at, client_factory
):
    for _ in range(2):  # two walk-ins waiting before anything else
        services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.parental)
    prepare, change = CASES[case]
    subject = prepare(world)
    screens = _screens(client_factory, world, dana)
    before = _shown(screens)
    assert before == _shown(screens)  # the cache answers the same

    change(world, subject, clock_at)
    after = _shown(screens)
    cache.clear()
    fresh = _shown(screens)

    assert after == fresh  # nothing stale
    assert after != before  # and the change is visible somewhere


def test_shared_fragment__desks_with_the_same_services_share_one_render(
    world, dana, client_factory, monkeypatch
):
    services.issue_ticket(office=world.office, service=world.tax)
    rendered = []
    from servicekontor.core import conditional

    real = conditional.render_to_string

    def counting(template, context, request):
        rendered.append(template)
        return real(template, context, request)

    monkeypatch.setattr(conditional, "render_to_string", counting)
    screens = _screens(client_factory, world, dana)
    _shown(screens)
    _shown(screens)
    # alice and dana share one list; bob's (Skatteverket only) is another; one board
    assert sorted(rendered) == ["desk/_waiting.html", "desk/_waiting.html", "lobby/_board.html"]


def test_shared_fragment__each_desk_gets_its_own_csrf_token(world, dana, client_factory):
    for _ in range(2):  # one for each to call
        services.issue_ticket(office=world.office, service=world.tax)
    screens = _screens(client_factory, world, dana)
    for name in ("alice", "dana"):
        client, url = screens[name]
        html = client.get(url).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)
        assert token is not None and "placeholder" not in token.group(1)
        # the token works: calling with it is not refused by the CSRF check
        act = reverse("desk:act", kwargs={"office_code": world.office.code})
        strict = Client(enforce_csrf_checks=True)
        strict.cookies = client.cookies
        answer = strict.post(act, {"action": "call_next", "csrfmiddlewaretoken": token.group(1)})
        assert answer.status_code != 403, name
