"""A kiosk's ticket whose PostgreSQL connection is terminated while it is issued (issue 13's
kills): issued once after a second run when nothing was committed; a 503 that says the
outcome is unknown when the loss came at the commit; never two tickets, never a 500."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from servicekontor.queueing.models import Visit, VisitEvent
from tests import db_kills

from .conftest import World, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> World:
    return build_world(any_hour=True)


def _ticket(world: World, killer: db_kills.Killer) -> tuple[int, str]:
    url = reverse(
        "queueing:agency",
        kwargs={"office_code": world.office.code, "agency_code": world.skatteverket.code},
    )
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(killer):
        response = client.post(url, {"service": world.tax.pk})
    connection.close()  # request_finished would (the test client disconnects it)
    assert len(killer.killed) == 1
    return response.status_code, response.get("X-Outcome", "")


def test_kiosk_ticket__killed_mid_transaction__run_again__issued_once(world) -> None:
    status, _outcome = _ticket(world, db_kills.in_transaction("queueing_visit"))
    assert status == 303
    assert Visit.objects.count() == 1
    assert VisitEvent.objects.filter(action="issue").count() == 1
    assert Visit.objects.get().ticket == "S-001"  # the number drawn once


@pytest.mark.parametrize(
    "make",
    [
        db_kills.before_begin,
        lambda: db_kills.at_commit("queueing_visit"),  # the COMMIT sent to a backend gone
        lambda: db_kills.CommitKiller("commit"),  # in the COMMIT: aborted, run again
        lambda: db_kills.CommitKiller("answer"),  # committed, the answer cut off
    ],
    ids=["before BEGIN", "before COMMIT", "during COMMIT", "after COMMIT, before its answer"],
)
def test_kiosk_ticket__killed_around_its_commit__issued_once(world, make) -> None:
    """Whether the COMMIT ran is asked of the server (decision 0099): issued once, and the
    kiosk's answer (the ticket page) as if nothing had happened."""
    with db_kills.sleeping_at_commit("queueing_visit"):
        status, outcome = _ticket(world, make())
    assert (status, outcome) == (303, "")
    assert Visit.objects.count() == 1
    assert VisitEvent.objects.filter(action="issue").count() == 1
    assert Visit.objects.get().ticket == "S-001"


def test_kiosk_ticket__without_the_middleware__a_500(world, settings) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "lost_connection" not in m]
    status, _outcome = _ticket(world, db_kills.in_transaction("queueing_visit"))
    assert status == 500
    assert Visit.objects.count() == 0
