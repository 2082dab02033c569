"""A booking whose PostgreSQL connection is terminated while it is made (issue 13's kills):
made once, with one confirmation, after a second run when nothing was committed; a 503 that
says the outcome is unknown when the loss came at the commit; never two bookings or two
confirmations, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.messaging.models import Message
from tests import db_kills

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen", "no_rate_limit"),
]


def _book(office, service, killer: db_kills.AnyKiller) -> tuple[int, str]:
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


BOOKING = "appointments_booking"
KILLS: dict[str, Callable[[], db_kills.AnyKiller]] = {
    "before BEGIN": db_kills.before_begin,
    "mid-transaction": lambda: db_kills.in_transaction(BOOKING),
    # the last statement ran, the COMMIT goes to a backend already gone
    "before COMMIT": lambda: db_kills.at_commit(BOOKING),
    # in the COMMIT (a deferred trigger sleeps): aborted, run again
    "during COMMIT": lambda: db_kills.CommitKiller("commit"),
    # committed, the answer cut off: pg_xact_status says committed (decision 0099)
    "after COMMIT, before its answer": lambda: db_kills.CommitKiller("answer"),
    # the client hearing nothing of the server: the id was learned with the first write
    "during COMMIT, nothing heard": lambda: db_kills.CommitKiller("commit", silent=True),
    "after COMMIT, nothing heard": lambda: db_kills.CommitKiller("answer", silent=True),
}


@pytest.mark.parametrize("where", list(KILLS))
def test_booking__killed_around_its_commit__booked_once_confirmed_once(
    office, service, where
) -> None:
    with db_kills.sleeping_at_commit(BOOKING):
        status, outcome = _book(office, service, KILLS[where]())
    assert (status, outcome) == (302, "")
    assert Booking.objects.count() == 1
    assert Message.objects.count() == 1  # one confirmation
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("where", list(KILLS))
def test_cancel__killed_around_its_commit__cancelled_once(office, service, where) -> None:
    client = Client(raise_request_exception=False)
    booked = client.post(
        reverse(
            "appointments:contact",
            args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())],
        ),
        {"name": "A", "email": "a@example.org"},
    )
    token = booked["Location"].split("/manage/")[1].split("/")[0]
    mail.outbox.clear()
    killer = KILLS[where]()
    with db_kills.sleeping_at_commit(BOOKING), connection.execute_wrapper(killer):
        response = client.post(reverse("appointments:cancel", args=[token]))
    connection.close()
    assert len(killer.killed) == 1
    assert response.status_code == 302, response.content[:300]
    assert response["Location"].endswith("?done=cancelled")
    booking = Booking.objects.get()
    assert (booking.status, booking.sequence) == (BookingStatus.CANCELLED, 1)  # once
    assert len(mail.outbox) == 1  # one cancellation


def test_booking__without_the_middleware__a_500(office, service, settings) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "lost_connection" not in m]
    status, _outcome = _book(office, service, db_kills.in_transaction("appointments_booking"))
    assert status == 500
    assert Booking.objects.count() == 0
