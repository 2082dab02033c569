"""Every rate-limited view does nothing when limited: no row written, no mail, a 429.

The limited views are found by walking the URLconf (`rate_limits` attribute set by
servicekontor.core.rate_limits), so a new limited view without a scenario here fails the
test. Each scenario is run twice: limited (rates "0/m": nothing may change) and unlimited
(the same request must change something, or at least be answered, so the check can fail).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from servicekontor.appointments import services as booking_services
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, allocate, local
from servicekontor.network.models import Office
from tests.factories import (
    DEFAULT_PASSWORD,
    make_offering,
    make_office,
    make_service,
    make_user,
    open_around_the_clock,
)

pytestmark = pytest.mark.django_db

RATE_SETTINGS = (
    "APPOINTMENTS_RATE_BOOK",
    "APPOINTMENTS_RATE_LOOKUP",
    "QUEUE_RATE_TICKET",
    "QUEUE_RATE_PAIR",
    "ACCOUNTS_RATE_LOGIN",
)
MONDAY = MONDAY_MORNING.date()


def limited_url_names() -> set[str]:
    """'namespace:name' of every URL whose view carries a rate limit."""
    found: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "rate_limits", None):
                found.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return found


@dataclass
class World:
    office: Office
    service: Any
    token: str
    code: str
    user: Any


Scenario = Callable[[Client, World], Any]


def _contact(c: Client, w: World) -> Any:
    url = reverse(
        "appointments:contact",
        args=[w.service.pk, w.office.code, int(local(MONDAY, 11).timestamp())],
    )
    return c.post(url, {"name": "Alice", "email": "alice@example.org"})


def _check_in(c: Client, w: World) -> Any:
    with time_machine.travel(local(MONDAY, 9, 45), tick=False):
        return c.post(
            reverse("appointments:kiosk_check_in", args=[w.office.code]), {"code": w.code}
        )


def _ticket(c: Client, w: World) -> Any:
    url = reverse(
        "queueing:agency",
        kwargs={"office_code": w.office.code, "agency_code": w.service.agency.code},
    )
    return c.post(url, {"service": w.service.pk})


# url name -> (request, changes data when not limited)
SCENARIOS: dict[str, tuple[Scenario, bool]] = {
    "appointments:services": (lambda c, w: c.get(reverse("appointments:services")), False),
    "appointments:offices": (
        lambda c, w: c.get(reverse("appointments:offices", args=[w.service.pk])),
        False,
    ),
    "appointments:times": (
        lambda c, w: c.get(reverse("appointments:times", args=[w.service.pk, w.office.code])),
        False,
    ),
    "appointments:contact": (_contact, True),
    "appointments:manage": (
        lambda c, w: c.get(reverse("appointments:manage", args=[w.token])),
        False,
    ),
    "appointments:cancel": (
        lambda c, w: c.post(reverse("appointments:cancel", args=[w.token])),
        True,
    ),
    "appointments:reschedule": (
        lambda c, w: c.post(
            reverse("appointments:reschedule", args=[w.token]),
            {"start": int(local(MONDAY, 14).timestamp())},
        ),
        True,
    ),
    "appointments:calendar": (
        lambda c, w: c.get(reverse("appointments:calendar", args=[w.token])),
        False,
    ),
    "appointments:kiosk_check_in": (_check_in, True),
    "queueing:agency": (_ticket, True),
    "queueing:pair": (
        lambda c, w: c.get(
            reverse("queueing:pair", args=[w.office.code]), {"kind": "kiosk", "token": "guess"}
        ),
        False,
    ),
    "accounts:login": (
        lambda c, w: c.post(
            reverse("accounts:login"), {"username": w.user.username, "password": "wrong"}
        ),
        True,  # django-axes records the failed attempt
    ),
}


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


@pytest.fixture
def world(db) -> Any:
    with time_machine.travel(MONDAY_MORNING, tick=False):
        yield _world()


def _world() -> World:
    service = make_service(mode="both", handling_minutes=30)
    office = open_around_the_clock(make_office(counters=2))  # tickets at any hour the run
    make_offering(office=office, service=service)
    allocate(office)
    made = booking_services.book_appointment(
        office=office,
        service=service,
        starts_at=local(MONDAY, 10),
        contact=booking_services.Contact(
            name="Bo", email="bo@example.org", phone="", identity_hash=""
        ),
    )
    mail.outbox.clear()
    return World(
        office=office,
        service=service,
        token=made.token,
        code=made.booking.code,
        user=make_user(username="staffer"),
    )


def test_rate_limits__every_limited_view_has_a_scenario() -> None:
    assert limited_url_names() == set(SCENARIOS), (
        "a rate-limited view without a no-trace scenario (or a scenario for a view that is "
        "no longer limited): add it to SCENARIOS"
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_rate_limits__limited_request_leaves_no_trace(
    name, world, settings, django_capture_on_commit_callbacks
) -> None:
    request, writes = SCENARIOS[name]
    cache.clear()
    for setting in RATE_SETTINGS:
        setattr(settings, setting, "0/m")
    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = request(Client(), world)
    assert response.status_code == 429
    assert _snapshot() == before
    assert mail.outbox == []

    cache.clear()
    for setting in RATE_SETTINGS:
        setattr(settings, setting, "1000/m")
    with django_capture_on_commit_callbacks(execute=True):
        response = request(Client(), world)
    assert response.status_code != 429
    if writes:
        assert _snapshot() != before, "the scenario must do something when not limited"


def test_rate_limits__unknown_manage_tokens_are_limited(world, settings) -> None:
    cache.clear()
    settings.APPOINTMENTS_RATE_LOOKUP = "3/m"
    client = Client()
    statuses = [
        client.get(reverse("appointments:manage", args=[f"guess{i}"])).status_code for i in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]


def test_rate_limits__staff_login_locks_out_after_wrong_passwords(world, settings) -> None:
    cache.clear()
    client = Client()
    url = reverse("accounts:login")
    statuses = [
        client.post(url, {"username": "staffer", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses[-1] == 429
    # Locked: even the right password is refused until the cool-off ends.
    response = client.post(url, {"username": "staffer", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
