"""How many SQL statements the kiosk's ticket and ticket page cost, as an upper bound
(issue 13): at the national peak they share the CPU with the desks' call-next. The bounds
are the counts measured when they were set (docs/benchmarks.md, "Kiosk and citizen
requests"), with the office's opening rules in the shared registry cache as at a running
peak (`network.registry_cache`: the ticket before the counted one read them). A change that
adds a statement fails here and must be cut or raise the bound on purpose."""

from collections.abc import Callable

from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# request -> (PostgreSQL, SQLite) upper bounds, in statements per request.
BOUNDS = {
    "issue ticket": (4, 8),  # 6 before the number, the visit and its event were one
    # statement (sql.insert_ticket, branch kioskcpu); 9 / 11 before the agency and its
    # walk-in services came from
    # the registry cache (branch kiosk); main at e8c4442: 13 / 15 (the opening rules read);
    # 10 / 12 before the office came from the registry cache (devices.screen_office)
    "ticket page": (1, 1),  # the visit and its wait in one statement (sql.kiosk_ticket); 3
    # before (branch kiosk), 4 before the office came from the registry cache
}


def _bound(request: str) -> int:
    postgres, sqlite = BOUNDS[request]
    return postgres if connection.vendor == "postgresql" else sqlite


def _count(call: Callable[[], HttpResponse]) -> tuple[int, HttpResponse]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return len(queries.captured_queries), response


def test_kiosk__ticket_and_its_page__statements_within_bounds(client, world):
    url = reverse(
        "queueing:agency",
        kwargs={"office_code": world.office.code, "agency_code": world.skatteverket.code},
    )
    counted: dict[str, int] = {}
    for _round in range(2):  # the second is counted: the day's rows and the cache exist
        counted["issue ticket"], issued = _count(
            lambda: client.post(url, {"service": world.tax.pk})
        )
        assert issued.status_code == 303
        location = issued["Location"]
        counted["ticket page"], page = _count(lambda: client.get(location))  # noqa: B023
        assert page.status_code == 200
    for request, n in counted.items():
        assert n <= _bound(request), (request, n)
