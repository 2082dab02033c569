"""How many SQL statements a citizen's booking request costs, as an upper bound (issue 13).

At the national peak these requests share the CPU with the desks' call-next; each statement
costs the web process (building, sending, reading) and the database. The bounds are the
counts measured when they were set (docs/benchmarks.md, "Kiosk and citizen requests"), with
the shared registry reads cached as at a running peak (the request before the counted one
read them): a change that adds a statement fails here and must be cut or raise the bound on
purpose. Counted: everything the request sends, BEGIN/COMMIT and the session included.
"""

from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicekontor.appointments.tests.conftest import TUESDAY, local
from tests.factories import make_office

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]

# request -> (PostgreSQL, SQLite) upper bounds, in statements per request.
BOUNDS = {
    "search near a place": (1, 1),  # the bookings (main at e8c4442: 3)
    "free times": (1, 1),  # the bookings (main: 3)
    "contact form": (1, 1),  # the bookings (main: 3)
    "book": (14, 14),  # the office-day lock in one statement (branch kiosk; 15 before,
    # main at e8c4442: 17)
    "booking confirmation": (1, 1),  # the booking with its video meeting's room (branch
    # kiosk; 2 before: the booking, then its video meeting)
}


def _bound(request: str) -> int:
    postgres, sqlite = BOUNDS[request]
    return postgres if connection.vendor == "postgresql" else sqlite


def _count(call: Callable[[], HttpResponse]) -> tuple[int, HttpResponse]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return len(queries.captured_queries), response


def test_citizen_requests__statements__within_their_bounds(
    client, office, service, django_capture_on_commit_callbacks
):
    for n in range(3):  # more offices near the place, as in the registry
        make_office(code=f"near-{n}", latitude=office.latitude + n / 10)
    search = reverse("appointments:offices", args=[service.pk])
    near = {"lat": office.latitude, "lon": office.longitude}
    times = reverse("appointments:times", args=[service.pk, office.code])
    contact = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    counted: dict[str, int] = {}
    for _round in range(2):  # the second round is counted: the shared reads are cached
        counted["search near a place"], found = _count(lambda: client.get(search, near))
        counted["free times"], listed = _count(lambda: client.get(times, {"day": "2025-03-11"}))
        assert (found.status_code, listed.status_code) == (200, 200)
        assert contact in listed.content.decode()
    counted["contact form"], form = _count(lambda: client.get(contact))
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        counted["book"], booked = _count(
            lambda: client.post(contact, {"name": "Alice", "email": "alice@example.org"})
        )
    assert booked.status_code == 302
    assert len(mail.outbox) == 1
    counted["booking confirmation"], page = _count(lambda: client.get(booked["Location"]))
    assert page.status_code == 200
    for request, n in counted.items():
        assert n <= _bound(request), (request, n)
