"""A desk action whose PostgreSQL connection is terminated while it runs (issue 13, the
national peak's kills): run again when nothing of it can have been committed — the visit is
called, started or finished exactly once — and otherwise a 503 that says the outcome is
unknown, never a 500 and never the action done twice (core.lost_connection, decision 0088)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from servicekontor.queueing import services
from servicekontor.queueing.models import Visit, VisitEvent, VisitState
from servicekontor.queueing.tests.conftest import World, build_world
from tests import db_kills

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FRAGMENT = {"X-Desk-Fragment": "1"}
VISIT = "queueing_visit"


@pytest.fixture
def world() -> World:
    return build_world(any_hour=True)


def _desk(world: World) -> tuple[Client, str]:
    client = Client(raise_request_exception=False)
    client.force_login(world.alice)
    return client, reverse("desk:act", kwargs={"office_code": world.office.code})


def _events(action: str) -> int:
    return VisitEvent.objects.filter(action=action).count()


@pytest.mark.parametrize("fragment", [True, False], ids=["desk.js", "plain form"])
def test_call_next__killed_mid_transaction__run_again__called_once(world, fragment) -> None:
    first = services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax)
    client, url = _desk(world)
    killer = db_kills.in_transaction(VISIT)
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "call_next"}, headers=FRAGMENT if fragment else {})
    assert len(killer.killed) == 1
    assert response.status_code == (200 if fragment else 303), response.content[:300]
    called = Visit.objects.get(state=VisitState.CALLED)
    assert called.pk == first.pk and called.officer_id == world.alice.pk
    assert response["X-Visit-Id"] == str(called.pk)
    assert Visit.objects.filter(state=VisitState.WAITING).count() == 1
    assert _events("call") == 1


def _read_after_the_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """desk.js's answer read after the COMMIT, not in its round trip (`core.postgresql`
    reads it with the COMMIT, decision 0092; Django's own backend, or a commit that carried
    nothing, reads it after): the one statement a desk action sends once it has committed."""
    monkeypatch.setattr(connection, "with_next_commit", lambda *args, **kwargs: None)


def test_call_next__killed_after_its_commit__not_run_again__the_desk_page_says_it(
    world, monkeypatch
) -> None:
    """Lost after the call committed (reading the desk's parts for desk.js's answer): not
    run again; the action is known done, so the answer is the plain form's, the desk page
    with the message, which needs no database (a plain form's POST reads nothing after its
    commit)."""
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax)
    client, url = _desk(world)
    _read_after_the_commit(monkeypatch)
    killer = db_kills.after_commit()
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "call_next"}, headers=FRAGMENT)
    connection.close()  # request_finished would (the test client disconnects it)
    assert len(killer.killed) == 1
    called = Visit.objects.get(state=VisitState.CALLED)  # done once, not twice
    assert _events("call") == 1
    assert response.status_code == 303
    assert response["Location"] == reverse("desk:desk", args=[world.office.code])
    assert response["X-Visit-Id"] == str(called.pk)
    assert called.ticket in client.get(response["Location"]).content.decode()


def test_call_next__killed_at_its_commit__503_outcome_unknown(world) -> None:
    """The connection lost between the transaction's last statement (the reports' rollup)
    and its COMMIT: the client cannot know whether the COMMIT reached the server, so no
    second run (here it did not: the backend was gone before it was sent)."""
    services.issue_ticket(office=world.office, service=world.tax)
    client, url = _desk(world)
    killer = db_kills.at_commit("reports_dayfigures")
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "call_next"}, headers=FRAGMENT)
    connection.close()
    assert len(killer.killed) == 1
    assert response.status_code == 503
    assert response["X-Outcome"] == "unknown"
    assert not Visit.objects.filter(state=VisitState.CALLED).exists()


def test_call_next__killed_on_both_runs__503_nothing_saved(world) -> None:
    services.issue_ticket(office=world.office, service=world.tax)
    client, url = _desk(world)
    killer = db_kills.in_transaction(VISIT, times=2)
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "call_next"}, headers=FRAGMENT)
    connection.close()
    assert len(killer.killed) == 2  # run twice, no more
    assert response.status_code == 503
    assert response["X-Outcome"] == "not-saved"
    assert "Inget sparades: skicka igen." in response.content.decode()
    assert not Visit.objects.filter(state=VisitState.CALLED).exists()


def test_call_next__without_the_middleware__the_same_loss_is_a_500(world, settings) -> None:
    """The kill above is real: without core.lost_connection the action fails."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "lost_connection" not in m]
    services.issue_ticket(office=world.office, service=world.tax)
    client, url = _desk(world)
    killer = db_kills.in_transaction(VISIT)
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "call_next"}, headers=FRAGMENT)
    connection.close()
    assert len(killer.killed) == 1
    assert response.status_code == 500
    assert not Visit.objects.filter(state=VisitState.CALLED).exists()


def _called(world: World) -> Visit:
    services.issue_ticket(office=world.office, service=world.tax)
    return services.call_next(officer=world.alice)


def test_start__killed_mid_transaction__run_again__started_once(world) -> None:
    visit = _called(world)
    client, url = _desk(world)
    killer = db_kills.in_transaction(VISIT)
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "start", "visit": visit.pk}, headers=FRAGMENT)
    assert len(killer.killed) == 1
    assert response.status_code == 200, response.content[:300]
    assert Visit.objects.get(pk=visit.pk).state == VisitState.SERVING
    assert _events("start") == 1


def test_start__killed_after_its_commit__not_run_again(world, monkeypatch) -> None:
    visit = _called(world)
    client, url = _desk(world)
    _read_after_the_commit(monkeypatch)
    killer = db_kills.after_commit()
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "start", "visit": visit.pk}, headers=FRAGMENT)
    connection.close()
    assert len(killer.killed) == 1
    assert response.status_code == 303
    assert Visit.objects.get(pk=visit.pk).state == VisitState.SERVING
    assert _events("start") == 1


def test_finish__killed_mid_transaction__run_again__finished_once(world) -> None:
    visit = _called(world)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    client, url = _desk(world)
    killer = db_kills.in_transaction(VISIT)
    with connection.execute_wrapper(killer):
        response = client.post(
            url,
            {"action": "finish", "visit": visit.pk, "outcome": "resolved"},
            headers=FRAGMENT,
        )
    assert len(killer.killed) == 1
    assert response.status_code == 200, response.content[:300]
    finished = Visit.objects.get(pk=visit.pk)
    assert finished.state == VisitState.FINISHED
    assert finished.errands.count() == 1
    assert _events("finish") == 1
