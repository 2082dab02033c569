"""How many SQL statements a desk action costs, as an upper bound per action (issue 13).

The national peak is bound by the server's CPU, and each statement costs the web process
(building, sending, reading) and the database. These bounds are the counts measured when
they were set (docs/benchmarks.md, "Desk actions: statements and CPU"); a change that adds a
statement to a desk action fails here and must either be cut or raise the bound on purpose.

Counted: everything the request sends, the middleware's reads (the user, the session) and
the transaction's BEGIN/COMMIT included. The rollups' upserts of one change are one round trip
on PostgreSQL (`reports.rollups.apply`) and one statement each on SQLite, hence two bounds.
The plain form (303) and desk.js's answer with the parts (decision 0026) are both pinned.
"""

from collections.abc import Callable

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicekontor.queueing import services
from servicekontor.queueing.models import Visit

FRAGMENT = {"X-Desk-Fragment": "1"}

# action -> (PostgreSQL, SQLite) upper bounds, in statements per request. On PostgreSQL a
# visit's change is one statement (`queueing.sql.transition`, decision 0035: call-next's pick,
# the compare-and-swap, the desk-status row, the event and the rollups' read of the visit's
# events) and desk.js's answer is the own visit only; SQLite takes the ORM path. Inside a
# test's transaction each `atomic` adds a SAVEPOINT and its RELEASE (two statements).
# Decision 0071: a call's session lock and change are one `execute` (one statement here), a
# start and a finish change the visit without reading it first and read its errands in the
# same `execute`, the "anyone waiting with a contact?" check rides in the change, and the
# services offered come from the registry's version (no statement): call 7 → 6, start 6 → 5,
# finish 10 → 8; desk.js 9 → 7, 9 → 6, 11 → 9 (without the shared cache, whose sessions
# save one more).
BOUNDS = {
    "call_next": (6, 14),
    "start": (5, 8),
    "finish": (8, 18),
    "js call_next": (7, 16),
    # The panel of a visit being served lists the errands recorded so far ("Record errand,
    # turn to the next"): read in the start's own round trip on PostgreSQL.
    "js start": (6, 10),
    "js finish": (9, 19),
    "own visit poll": (7, 7),
    "kiosk ticket": (13, 15),
}


def _bound(action: str) -> int:
    postgres, sqlite = BOUNDS[action]
    return postgres if connection.vendor == "postgresql" else sqlite


def _count(call: Callable[[], HttpResponse]) -> tuple[int, HttpResponse]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return len(queries.captured_queries), response


@pytest.fixture
def urls(world):
    code = world.office.code
    return {
        "act": reverse("desk:act", kwargs={"office_code": code}),
        "current": reverse("desk:current", kwargs={"office_code": code}),
    }


@pytest.mark.parametrize("fragment", [False, True], ids=["plain form", "desk.js"])
def test_desk_actions__statements__within_their_bounds(client, world, urls, fragment):
    for _ in range(3):
        services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    headers = FRAGMENT if fragment else {}
    prefix = "js " if fragment else ""
    expected = 200 if fragment else 303

    # A visit before the one counted: the rollup rows and the session exist, as at the peak.
    def act(data: dict[str, str]) -> Callable[[], HttpResponse]:
        return lambda: client.post(urls["act"], data, headers=headers)

    for _step in range(2):
        n_call, called = _count(act({"action": "call_next"}))
        visit = called["X-Visit-Id"]
        n_start, started = _count(act({"action": "start", "visit": visit}))
        n_finish, finished = _count(
            act({"action": "finish", "visit": visit, "outcome": "resolved"})
        )
        assert {called.status_code, started.status_code, finished.status_code} == {expected}
    assert Visit.objects.filter(state="finished").count() == 2
    counted = {"call_next": n_call, "start": n_start, "finish": n_finish}
    for action, n in counted.items():
        assert n <= _bound(prefix + action), (prefix + action, n)


@pytest.mark.parametrize("state", ["called", "serving with an errand"])
def test_own_visit_poll__changed__statements_within_bound(client, world, urls, state):
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    client.get(urls["current"])  # the session's first read is not the poll's cost
    called = client.post(urls["act"], {"action": "call_next"})
    if state != "called":
        visit = called["X-Visit-Id"]
        client.post(urls["act"], {"action": "start", "visit": visit})
        client.post(
            urls["act"],
            {"action": "errand", "visit": visit, "service": world.tax.pk, "outcome": "e_service"},
        )
    n, response = _count(lambda: client.get(urls["current"]))
    assert response.status_code == 200
    assert n <= _bound("own visit poll"), n
    if state != "called":  # the errand recorded is listed (read with the visit)
        assert b"recorded-errands" in response.content


def test_kiosk_ticket__statements_within_bound(client, world):
    url = reverse(
        "queueing:agency",
        kwargs={"office_code": world.office.code, "agency_code": world.skatteverket.code},
    )
    client.post(url, {"service": world.tax.pk})  # the day's counter and rollup rows exist
    n, response = _count(lambda: client.post(url, {"service": world.tax.pk}))
    assert response.status_code == 303
    assert n <= _bound("kiosk ticket"), n


# The desk's other actions (issue 13's leftovers: a transfer was 12 statements over HTTP,
# 14 here on PostgreSQL; now 8: the service offered from the registry cache, the visit's log
# and errands read in the change's round trip, the message's "this desk serves it too" in
# one statement). Measured on the second of two rounds, as above.
OTHER_BOUNDS = {
    "transfer": (8, 18),
    "transfer served": (9, 18),
    "call": (9, 12),
    "recall": (6, 8),
    "no_show": (7, 12),
    "hold": (6, 10),
    "requeue": (6, 8),
    "errand": (13, 15),
    "add": (10, 14),
    "status": (7, 7),
    # desk.js: the action's own visit and status come with the answer (the own visit is
    # read again unless the action decided it: `desk.views._current_after`)
    "js transfer": (10, 20),
    "js transfer served": (11, 20),
    "js call": (10, 13),
    "js recall": (7, 9),
    "js no_show": (8, 13),
    "js hold": (7, 11),
    "js requeue": (8, 10),
    "js errand": (15, 17),
    "js add": (12, 16),
    "js status": (9, 9),
}


def _other_bound(action: str) -> int:
    postgres, sqlite = OTHER_BOUNDS[action]
    return postgres if connection.vendor == "postgresql" else sqlite


@pytest.mark.parametrize("fragment", [False, True], ids=["plain form", "desk.js"])
def test_desk_other_actions__statements__within_their_bounds(
    client, world, urls, clock_at, fragment
):
    """Every desk action has a bound (transfer, call, recall, no-show, hold, requeue, errand,
    add, status), measured on its second round; desk.js's answer adds the parts' read, which
    rides in the action's COMMIT round trip (decision 0092), so one bound serves both."""
    for _ in range(8):
        services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    headers = FRAGMENT if fragment else {}
    counted: dict[str, int] = {}

    def act(name: str, data: dict[str, str]) -> HttpResponse:
        n, response = _count(lambda: client.post(urls["act"], data, headers=headers))
        assert response.status_code in (200, 303), (name, response.status_code)
        assert "X-Refused" not in response, (name, response.content)
        counted[name] = n
        return response

    def other_service(visit: str) -> str:
        service_id = Visit.objects.values_list("service_id", flat=True).get(pk=visit)
        return str(world.tax.pk if service_id == world.parental.pk else world.parental.pk)

    for _round in range(2):
        visit = act("call_next", {"action": "call_next"})["X-Visit-Id"]
        act("transfer", {"action": "transfer", "visit": visit, "service": other_service(visit)})
        visit = act("call_next", {"action": "call_next"})["X-Visit-Id"]
        act("start", {"action": "start", "visit": visit})
        clock_at.shift(120)
        act(
            "transfer served",
            {"action": "transfer", "visit": visit, "service": other_service(visit)},
        )
        visit = act("call", {"action": "call", "visit": visit})["X-Visit-Id"]
        clock_at.shift(120)
        act("recall", {"action": "recall", "visit": visit})
        act("hold", {"action": "hold", "visit": visit})
        act("requeue", {"action": "requeue", "visit": visit})
        act("call", {"action": "call", "visit": visit})
        clock_at.shift(120)
        act("no_show", {"action": "no_show", "visit": visit})
        visit = act("call_next", {"action": "call_next"})["X-Visit-Id"]
        act("start", {"action": "start", "visit": visit})
        act(
            "errand",
            {
                "action": "errand",
                "visit": visit,
                "service": str(world.tax.pk),
                "outcome": "e_service",
            },
        )
        act("finish", {"action": "finish", "visit": visit, "outcome": "resolved"})
        act("add", {"action": "add", "service": str(world.tax.pk)})
        act("status", {"action": "status", "status": "break"})
        act("status", {"action": "status", "status": "idle"})
    prefix = "js " if fragment else ""
    over = {
        name: (n, _other_bound(prefix + name))
        for name, n in counted.items()
        if prefix + name in OTHER_BOUNDS and n > _other_bound(prefix + name)
    }
    assert not over, over
