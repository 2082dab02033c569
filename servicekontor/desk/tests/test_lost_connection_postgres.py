"""A desk action whose PostgreSQL connection is terminated while it runs (issue 13, the
national peak's kills): run again when nothing of it can have been committed — the visit is
called, started or finished exactly once — and otherwise a 503 that says the outcome is
unknown, never a 500 and never the action done twice (core.lost_connection, decision 0088)."""

from __future__ import annotations

from collections.abc import Callable

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


# Where a desk action's connection is killed (tests.db_kills), and whether the action is run
# again (nothing of it committed) or finished as done (it committed: the answer is read on a
# new connection). Either way: done once, and the answer of an action that succeeded.
KILLS: dict[str, tuple[Callable[[], db_kills.AnyKiller], bool]] = {
    "before BEGIN": (lambda: db_kills.before_begin(), True),
    "mid-transaction": (lambda: db_kills.in_transaction(VISIT), True),
    # the last statement ran, the COMMIT goes to a backend already gone
    "before COMMIT": (lambda: db_kills.at_commit(VISIT), True),
    # the server in the COMMIT (a deferred trigger sleeps): the transaction aborted
    "during COMMIT": (lambda: db_kills.CommitKiller("commit"), True),
    # committed, the answer cut off: pg_xact_status says committed (decision 0099)
    "after COMMIT, before its answer": (lambda: db_kills.CommitKiller("answer"), False),
    # the same two, the client hearing nothing of the server (not even its FATAL error): the
    # id was learned with the transaction's first write
    "during COMMIT, nothing heard": (lambda: db_kills.CommitKiller("commit", silent=True), True),
    "after COMMIT, nothing heard": (lambda: db_kills.CommitKiller("answer", silent=True), False),
}


@pytest.fixture
def sleeping_visits():
    with db_kills.sleeping_at_commit(VISIT):
        yield


@pytest.mark.usefixtures("sleeping_visits")
@pytest.mark.parametrize("fragment", [True, False], ids=["desk.js", "plain form"])
@pytest.mark.parametrize("where", list(KILLS))
def test_call_next__killed_anywhere_around_its_commit__called_once__answered_as_done(
    world, where, fragment, caplog
) -> None:
    first = services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax)
    client, url = _desk(world)
    make, run_again = KILLS[where]
    killer = make()
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "call_next"}, headers=FRAGMENT if fragment else {})
    connection.close()  # request_finished would (the test client disconnects it)
    assert len(killer.killed) == 1
    assert response.status_code == (200 if fragment else 303), response.content[:300]
    called = Visit.objects.get(state=VisitState.CALLED)
    assert called.pk == first.pk and called.officer_id == world.alice.pk
    assert response["X-Visit-Id"] == str(called.pk)
    if fragment:  # desk.js shows the visit called
        assert called.ticket in response.content.decode()
    assert Visit.objects.filter(state=VisitState.WAITING).count() == 1
    assert _events("call") == 1
    assert ("run again on a new connection" in caplog.text) == run_again


@pytest.mark.usefixtures("sleeping_visits")
@pytest.mark.parametrize("where", list(KILLS))
def test_start_and_finish__killed_anywhere_around_their_commit__done_once(world, where) -> None:
    visit = _called(world)
    client, url = _desk(world)
    make, _run_again = KILLS[where]
    killer = make()
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "start", "visit": visit.pk}, headers=FRAGMENT)
    connection.close()
    assert len(killer.killed) == 1
    assert response.status_code == 200, response.content[:300]
    assert Visit.objects.get(pk=visit.pk).state == VisitState.SERVING
    killer = make()
    with connection.execute_wrapper(killer):
        response = client.post(
            url,
            {"action": "finish", "visit": visit.pk, "outcome": "resolved"},
            headers=FRAGMENT,
        )
    connection.close()
    assert len(killer.killed) == 1
    assert response.status_code == 200, response.content[:300]
    finished = Visit.objects.get(pk=visit.pk)
    assert finished.state == VisitState.FINISHED
    assert finished.errands.count() == 1
    assert (_events("start"), _events("finish")) == (1, 1)


def test_call_next__the_server_unreachable_past_the_budget__503_outcome_unknown(
    world, monkeypatch
) -> None:
    """Committed or not, only the server knows: when it cannot be asked within the budget
    (here every answer is "in progress"), the answer is the 503 "unknown" of decision 0088."""
    from servicekontor.core.postgresql import base as backend

    monkeypatch.setattr(backend, "OUTCOME_BUDGET", 0.05)
    monkeypatch.setattr(
        backend.DatabaseWrapper, "_transaction_status", lambda self, xid: (None, None)
    )
    services.issue_ticket(office=world.office, service=world.tax)
    client, url = _desk(world)
    killer = db_kills.CommitKiller("answer")
    with connection.execute_wrapper(killer):
        response = client.post(url, {"action": "call_next"}, headers=FRAGMENT)
    connection.close()
    assert response.status_code == 503
    assert response["X-Outcome"] == "unknown"
    assert _events("call") == 1  # committed, once


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
