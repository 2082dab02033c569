"""One rule for the APIs: a valid credential is never 401. Each kind of token (an agency's API
client, a person's token) on each family of endpoints is either served or refused with 403 and a
message saying what it may not read; only an unknown or revoked token is 401."""

import pytest
from django.urls import reverse

from servicekontor.accounts import api_clients
from servicekontor.reports.services import create_api_token

YEAR = {"year": "2026"}
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}

# (family, url name, query, word the client's refusal names)
STAFF_ENDPOINTS = [
    ("costs", "cost-summary-list", YEAR, "costs"),
    ("costs", "cost-line-list", YEAR, "costs"),
    ("costs", "cost-service-list", YEAR, "costs"),
    ("costs", "cost-what-if", {}, "what-if"),
    ("change plans", "change-plan-list", {}, "change plans"),
]


def _get(client, name, query, token):
    return client.get(reverse(name), query, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize(("family", "name", "query", "word"), STAFF_ENDPOINTS)
def test_api_client_token__staff_endpoints_refuse_it_with_403_naming_what(
    client, served_world, family, name, query, word
):
    _c, token = api_clients.create_api_client(agency=served_world.fk, name="FK BI")

    response = _get(client, name, query, token)

    assert response.status_code == 403, (family, response.content)
    detail = response.json()["detail"]
    assert word in detail
    assert "Unknown" not in detail and "Invalid" not in detail


def test_api_client_token__reads_statistics_and_the_partner_api(client, served_world):
    _c, token = api_clients.create_api_client(agency=served_world.fk, name="FK BI")

    assert _get(client, "statistics-figures", PERIOD, token).status_code == 200
    assert _get(client, "partner-handovers", {}, token).status_code == 200


@pytest.mark.parametrize(("family", "name", "query", "word"), STAFF_ENDPOINTS)
def test_person_token__served_by_role_else_403(
    client, served_world, people, family, name, query, word
):
    admin = create_api_token(user=people.admin, name="admin")
    analyst = create_api_token(user=people.fk_analyst, name="analyst")
    manager = create_api_token(user=people.manager, name="manager")

    if name != "cost-what-if":  # its own parameters; admin's 200 is tested in costs
        assert _get(client, name, query, admin).status_code == 200
    analyst_answer = _get(client, name, query, analyst).status_code
    assert analyst_answer == (403 if name == "cost-what-if" else 200)
    refused = _get(client, name, query, manager)
    assert refused.status_code == 403
    assert "administrators" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("name", "query"),
    [("cost-summary-list", YEAR), ("change-plan-list", {}), ("statistics-figures", PERIOD)],
)
def test_unknown_tokens_of_either_kind_are_401(client, served_world, name, query):
    # each with the parameters it takes: one it does not take is a 400 before any credential
    # is looked at (core.api_unknown_parameters; the names are public in the schema)
    for token in ("skc_0123456789ab_nope", "not-a-token"):
        assert _get(client, name, query, token).status_code == 401
