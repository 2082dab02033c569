"""A booking whose PostgreSQL connection is terminated while it is made (issue 13's kills):
made once, with one confirmation, after a second run when nothing was committed; a 503 that
says the outcome is unknown when the loss came at the commit; never two bookings or two
confirmations, never a 500."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from servicekontor.appointments.models import Booking
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.messaging.models import Message
from tests import db_kills

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen", "no_rate_limit"),
]


def _book(office, service, killer: db_kills.Killer) -> tuple[int, str]:
    url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(killer):
        response = client.post(url, {"name": "A", "email": "a@example.org"})
    connection.close()  # request_finished would (the test client disconnects it)
    assert len(killer.killed) == 1
    return response.status_code, response.get("X-Outcome", "")


def test_booking__killed_mid_transaction__run_again__booked_once(office, service) -> None:
    status, _outcome = _book(office, service, db_kills.in_transaction("appointments_booking"))
    assert status == 302
    assert Booking.objects.count() == 1
    assert Message.objects.count() == 1  # one confirmation
    assert len(mail.outbox) == 1


def test_booking__killed_at_its_commit__503_outcome_unknown(office, service) -> None:
    """Lost between the booking's last statement and its COMMIT: whether the COMMIT reached
    the server is unknown to the client, so no second run (here it had not: nothing booked,
    nothing sent). After the commit the view reads nothing (the confirmation's sending, an
    `on_commit` task, keeps its own failures: messaging's retries)."""
    status, outcome = _book(
        office, service, db_kills.at_commit('INSERT INTO "appointments_booking"')
    )
    assert (status, outcome) == (503, "unknown")
    assert Booking.objects.count() == 0
    assert Message.objects.count() == 0
    assert len(mail.outbox) == 0


def test_booking__without_the_middleware__a_500(office, service, settings) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "lost_connection" not in m]
    status, _outcome = _book(office, service, db_kills.in_transaction("appointments_booking"))
    assert status == 500
    assert Booking.objects.count() == 0
