"""Walk F6: the API's description promised an agency's API client "its own figures
(/api/statistics/…, /api/costs/…)", and the schema listed the client's token on the costs
operations, which then answered 403. The docs and the permissions agree, checked against the
schema the docs are rendered from: an operation lists the client's token only when a client
is served (not 403), and the description's paragraph for clients names only such paths."""

import re

from servicekontor.accounts import api_clients
from servicekontor.core.api_description import DESCRIPTION
from tests.api_schema import api_schema

CLIENT = "agencyApiClient"


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def _takes_client(operation) -> bool:
    return any(CLIENT in requirement for requirement in operation.get("security", []))


def test_schema__staff_only_operations_do_not_list_the_client_token():
    spec = api_schema()
    listed = {path for path, _m, op in _operations(spec) if _takes_client(op)}
    assert not [p for p in listed if p.startswith(("/api/costs/", "/api/change-plans/"))]
    assert "/api/statistics/figures/" in listed and "/api/partner/handovers/" in listed
    schemes = spec["components"]["securitySchemes"]
    # a code span: Swagger UI read <key id> and <secret> as tags ("skc__.", walk F28)
    assert "`skc_<key id>_<secret>`" in schemes[CLIENT]["description"]
    assert schemes["apiToken"].get("description")


def test_description__the_clients_paragraph_names_only_what_a_client_may_read():
    spec = api_schema()
    clients = DESCRIPTION.split("**An agency's systems", 1)[1].split("- *Getting credentials", 1)[0]
    prefixes = {m.rstrip("/") + "/" for m in re.findall(r"`(/api/[a-z-/]+)", clients)}
    assert prefixes, clients
    for prefix in prefixes:
        operations = [op for path, _m, op in _operations(spec) if path.startswith(prefix)]
        assert operations and any(_takes_client(op) for op in operations), prefix


def test_every_get_listing_the_client_token_serves_a_client(client, served_world):
    """Every GET without path parameters whose security lists the client's token: the client
    is not refused (a 400 for a missing parameter is fine); every other signed-in GET refuses
    it. Asked of the schema, so a new operation is covered without listing it here."""
    _c, token = api_clients.create_api_client(agency=served_world.fk, name="FK BI")
    spec = api_schema()
    checked = 0
    for path, method, operation in _operations(spec):
        if method != "get" or "{" in path or {} in operation.get("security", [{}]):
            continue
        answer = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        if _takes_client(operation):
            assert answer.status_code != 403, (path, answer.content)
        else:
            assert answer.status_code in (401, 403), (path, answer.status_code)
        checked += 1
    assert checked >= 5
