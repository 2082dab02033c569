"""Every route of the site, every HTTP method, anonymous, as an officer at a desk and as a
network administrator: never a server error. OPTIONS on the API's documentation page was a
500 (its metadata rendered through the page's template renderer, which has none for it), a
desk check-in's `next=abc` another (redirect() took the word for a URL pattern's name). The
values of the routes' parts are real ones (the office, its service, a visit, a booking, a
change plan), so each view runs past its lookups; each route is also asked with a query
string and a form body of hostile values for the parameter names the views read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import URLResolver, get_resolver

from servicekontor.core import clock
from tests.factories import (
    make_agency,
    make_offering,
    make_office,
    make_service,
    make_user,
    open_around_the_clock,
)

METHODS = ("get", "head", "options", "post", "put", "patch", "delete")
HOSTILE = ("²", "9223372036854775808", "x" * 2000, "2026-02-30", "abc")
# The parameter names the views read (request.GET/POST, forms), each given the hostile value.
NAMES = [
    "action",
    "agency",
    "amount_sek",
    "by",
    "code",
    "confirm",
    "day",
    "email",
    "format",
    "from",
    "hours",
    "k",
    "kind",
    "lang",
    "lat",
    "lon",
    "level",
    "milestone",
    "month",
    "n",
    "name",
    "next",
    "note",
    "offices",
    "office",
    "officers",
    "on",
    "on_date",
    "outcome",
    "phone",
    "pool",
    "q",
    "reason",
    "service",
    "service_point",
    "split_percent",
    "split_service",
    "start",
    "status",
    "table",
    "to",
    "token",
    "visit",
    "week",
    "year",
    "devices",
    "limit",
    "offset",
]


def _routes(fill: dict[str, object]) -> list[str]:
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            text = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, text)
            else:
                found.append(text)

    walk(get_resolver().url_patterns, "")
    paths = set()
    for route in found:
        if "(?P<url>" in route or "format" in route or route.startswith("admin/"):
            continue  # the admin's own pages are Django's; the format suffixes repeat a route
        route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(fill.get(m[1], "1")), route)
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(fill.get(m[1], "1")), route)
        paths.add("/" + route.replace("^", "").replace("$", "").replace("\\.", "."))
    return sorted(paths)


@pytest.fixture
def world(db):
    from django.core import signing

    from servicekontor.appointments.models import Booking
    from servicekontor.changeplans import services as plan_services
    from servicekontor.core.secret_tokens import hash_token
    from servicekontor.queueing import services

    office = open_around_the_clock(make_office())
    agency = make_agency(letter="S", code="skatteverket")
    service = make_service(agency=agency)
    make_offering(office=office, service=service)
    officer = make_user(username="alice", offices=[office], agencies=[agency])
    services.sign_in_at_desk(officer=officer, service_point=office.service_points.all()[0])
    admin = make_user(username="root", role="network_admin", is_superuser=True)
    visit = services.issue_ticket(office=office, service=service)
    starts = (clock.now() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    booking = Booking.objects.create(
        office=office,
        service=service,
        day=clock.local_date_of(starts),
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=20),
        code="KQ7M2PXR",
        token_hash=hash_token("manage-token-1"),
        name="Anna Svensson",
        email="anna@example.invalid",
        created_at=clock.now(),
    )
    plan = plan_services.create_plan(user=admin, name="Plan")
    change = plan_services.add_change(
        plan=plan, kind="close_office", on_date=dt.date(2027, 1, 1), office_codes=[office.code]
    )
    fill = {
        "office_code": office.code,
        "code": office.code,
        "agency_code": agency.code,
        "office_id": office.pk,
        "service_id": service.pk,
        "month": "2026-11",
        "year": "2026",
        "pk": plan.pk,
        "change_pk": change.pk,
        "visit_id": visit.pk,
        "booking_id": booking.pk,
        "token": "manage-token-1",
        "key": signing.dumps(visit.pk, salt="servicekontor.queueing.ticket"),
        "ts": str(int(starts.timestamp())),
        "meeting_id": 1,
    }
    return officer, admin, _routes(fill)


@pytest.fixture(autouse=True)
def generous_limits(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for name in dir(settings):
        if name.startswith(("APPOINTMENTS_RATE", "QUEUE_RATE", "ACCOUNTS_RATE")):
            setattr(settings, name, "100000/m")


def _clients(officer, admin) -> dict[str, Client]:
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in (("officer", officer), ("admin", admin)):
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    return clients


def test_every_route__every_method__no_server_error(world) -> None:
    officer, admin, routes = world
    assert len(routes) > 80
    failed = []
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 30, tzinfo=clock.STOCKHOLM)):
        for who, client in _clients(officer, admin).items():
            for route in routes:
                for method in METHODS:
                    status = getattr(client, method)(route).status_code
                    if status >= 500:
                        failed.append((who, method, route, status))
    assert failed == []


def test_every_route__hostile_parameters__no_server_error(world) -> None:
    officer, admin, routes = world
    failed = []
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 30, tzinfo=clock.STOCKHOLM)):
        for who, client in _clients(officer, admin).items():
            for route in routes:
                for value in HOSTILE:
                    data = dict.fromkeys(NAMES, value)
                    for method in ("get", "post"):
                        status = getattr(client, method)(route, data).status_code
                        if status >= 500:
                            failed.append((who, method, route, value[:12], status))
                duplicated = "&".join(f"{n}=1&{n}=2" for n in NAMES)
                if client.get(f"{route}?{duplicated}").status_code >= 500:
                    failed.append((who, "get", route, "duplicated", 500))
    assert failed == []
