"""The partner API: an agency's client reads, acknowledges and closes its own handovers and
reads its offerings; another agency's client sees none of it (404), people's sessions none."""

import pytest
from django.urls import reverse

from servicekontor.accounts import api_clients
from servicekontor.accounts.models import ApiClientUse
from servicekontor.handovers.models import Handover
from servicekontor.handovers.tests.conftest import VALID_PNR, serve_and_hand_over
from tests.factories import make_user


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def tokens(world):
    _c, tax = api_clients.create_api_client(agency=world.skatteverket, name="SKV case system")
    _c, fk = api_clients.create_api_client(agency=world.fk, name="FK case system")
    return tax, fk


@pytest.fixture
def handovers(world, clock_at, partners):
    tax = serve_and_hand_over(world, clock_at, service=world.tax, identity_number=VALID_PNR)
    fk = serve_and_hand_over(world, clock_at, service=world.parental, outcome="meeting_booked")
    return tax, fk


def _post(client, name, reference, token, data):
    return client.post(
        reverse(name, args=[reference]), data, content_type="application/json", **_bearer(token)
    )


def test_partner_api__client_lists_only_its_agencys_handovers(client, tokens, handovers):
    tax_token, fk_token = tokens
    tax_h, fk_h = handovers

    tax_list = client.get(reverse("partner-handovers"), **_bearer(tax_token)).json()
    fk_list = client.get(reverse("partner-handovers"), **_bearer(fk_token)).json()

    assert [h["reference"] for h in tax_list["results"]] == [tax_h.reference]
    assert tax_list["results"][0]["identity_number"] == "199001010017"
    assert [h["reference"] for h in fk_list["results"]] == [fk_h.reference]
    assert fk_list["results"][0]["identity_number"] is None


def test_partner_api__another_agencys_handover_is_404_and_untouched(client, tokens, handovers):
    _tax_token, fk_token = tokens
    tax_h, _fk_h = handovers

    detail = client.get(reverse("partner-handover", args=[tax_h.reference]), **_bearer(fk_token))
    ack = _post(
        client, "partner-handover-acknowledge", tax_h.reference, fk_token, {"case_number": "X-1"}
    )
    outcome = _post(
        client, "partner-handover-outcome", tax_h.reference, fk_token, {"outcome": "handled"}
    )

    assert (detail.status_code, ack.status_code, outcome.status_code) == (404, 404, 404)
    assert "199001010017" not in detail.content.decode() + ack.content.decode()
    assert Handover.objects.get(pk=tax_h.pk).status == "sent"


def test_partner_api__acknowledge_then_outcome(client, tokens, handovers):
    tax_token, _fk = tokens
    tax_h, _ = handovers
    ref = tax_h.reference

    early = _post(client, "partner-handover-outcome", ref, tax_token, {"outcome": "handled"})
    first = _post(
        client, "partner-handover-acknowledge", ref, tax_token, {"case_number": "131-2026"}
    )
    again = _post(
        client, "partner-handover-acknowledge", ref, tax_token, {"case_number": "131-2026"}
    )
    other = _post(client, "partner-handover-acknowledge", ref, tax_token, {"case_number": "999"})
    done = _post(client, "partner-handover-outcome", ref, tax_token, {"outcome": "needs_citizen"})
    flip = _post(client, "partner-handover-outcome", ref, tax_token, {"outcome": "handled"})

    assert early.status_code == 409
    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert first.json()["case_number"] == "131-2026"
    assert done.status_code == 200 and done.json()["status"] == "needs_citizen"
    assert flip.status_code == 409
    polled = client.get(reverse("partner-handovers"), {"status": "sent"}, **_bearer(tax_token))
    assert polled.json()["results"] == []


def test_partner_api__a_reference_in_lower_case_is_the_same_handover(client, tokens, handovers):
    """Walk F5: references are read aloud and typed, on the agency's side too."""
    tax_token, _fk = tokens
    tax_h, _ = handovers
    typed = tax_h.reference.lower()

    detail = client.get(reverse("partner-handover", args=[typed]), **_bearer(tax_token))
    ack = _post(client, "partner-handover-acknowledge", typed, tax_token, {"case_number": "7"})

    assert detail.status_code == 200 and detail.json()["reference"] == tax_h.reference
    assert ack.status_code == 200 and ack.json()["case_number"] == "7"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("partner-handover-acknowledge", {}),
        ("partner-handover-acknowledge", {"case_number": "x" * 41}),
        ("partner-handover-outcome", {"outcome": "lost"}),
        ("partner-handover-outcome", ["handled"]),
        ("partner-handover-acknowledge", {"case_number": {"nested": 1}}),
    ],
)
def test_partner_api__bad_input_is_400(client, tokens, handovers, name, data):
    tax_token, _ = tokens
    response = _post(client, name, handovers[0].reference, tax_token, data)
    assert response.status_code == 400


def test_partner_api__bad_filters_are_400(client, tokens, handovers):
    tax_token, _ = tokens
    for params in ({"status": "nope"}, {"since": "2026-13-01"}, {"limit": "x"}):
        response = client.get(reverse("partner-handovers"), params, **_bearer(tax_token))
        assert response.status_code == 400, params


def test_partner_api__people_and_strangers_are_refused(client, world, tokens, handovers):
    analyst = make_user(role="agency_analyst", analyst_agency=world.skatteverket)
    assert client.get(reverse("partner-handovers")).status_code == 401
    client.force_login(analyst)
    assert client.get(reverse("partner-handovers")).status_code == 403
    bad = client.get(reverse("partner-handovers"), **_bearer("skc_0123456789ab_nope"))
    assert bad.status_code == 401


def test_partner_api__offerings_only_of_its_agency(client, world, tokens):
    _tax, fk_token = tokens

    rows = client.get(reverse("partner-offerings"), **_bearer(fk_token)).json()["results"]

    assert {r["agency"] for r in rows} == {world.fk.code}
    assert {r["service_code"] for r in rows} == {world.parental.code}


def test_partner_api__every_request_is_logged(client, tokens, handovers):
    tax_token, _ = tokens
    client.get(reverse("partner-handovers"), **_bearer(tax_token))
    _post(
        client,
        "partner-handover-acknowledge",
        handovers[0].reference,
        tax_token,
        {"case_number": "7"},
    )

    uses = ApiClientUse.objects.filter(client__agency__code="skatteverket").order_by("at", "pk")
    assert [(u.method, u.result) for u in uses] == [("GET", "accepted"), ("POST", "accepted")]


@pytest.mark.parametrize(
    "header",
    ["Bearer wrong-token", "Bearer skc_", "Token abc123", "Basic dXNlcjpwYXNz", "Bearer"],
)
def test_partner_api__credentials_given_but_invalid_is_401_invalid_token(
    client, world, tokens, header
):
    """Walk finding: a wrong bearer token said "credentials were not provided". They were;
    they are not an API client's (test_partner_api_credentials: every kind, both languages)."""
    for name in ("partner-handovers", "partner-offerings"):
        response = client.get(reverse(name), HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, (name, header)
        assert response["WWW-Authenticate"] == "Bearer"
        detail = response.json()["detail"]
        # the API answers in English unless asked for Swedish (decision 0064)
        assert "Unknown or revoked" in detail or "no credential the partner API takes" in detail
        assert "not provided" not in detail


def test_partner_api__no_credentials_says_so(client, world, tokens):
    response = client.get(reverse("partner-handovers"))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("No credentials.")


@pytest.mark.parametrize("name", ["statistics-figures"])
def test_other_token_apis__foreign_scheme_is_invalid_token(client, world, name):
    response = client.get(reverse(name), HTTP_AUTHORIZATION="Token abc")
    assert response.status_code == 401
    assert "Invalid token" in response.json()["detail"]
    asked = client.get(reverse(name), HTTP_AUTHORIZATION="Token abc", HTTP_ACCEPT_LANGUAGE="sv")
    assert "Ogiltig token" in asked.json()["detail"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("partner-handover-acknowledge", {"case_number": "\ud800"}),
        ("partner-handover-acknowledge", {"case_number": "131-\udfff"}),
        ("partner-handover-acknowledge", {"case_number": "A\x00B"}),
        ("partner-handover-acknowledge", {"case_number": "131", "\ud800": 1}),
        ("partner-handover-acknowledge", {"case_number": "131", "x": [{"y": "\x00"}]}),
        ("partner-handover-outcome", {"outcome": "handled", "note": "\udc80"}),
    ],
)
def test_partner_api__nul_or_lone_surrogate_escaped_in_json__400_nothing_written(
    client, tokens, handovers, name, data
):
    """JSON carries NUL and lone surrogates as escapes (\\u0000, \\ud800): no database text
    column stores them. The acknowledgement read its field past DRF's CharField: a lone
    surrogate was a 500 (probe, issue 13), a NUL a 500 on PostgreSQL. Now the API's JSON
    parser refuses both anywhere in the body, keys too."""
    tax_token, _ = tokens
    ref = handovers[0].reference
    _post(client, "partner-handover-acknowledge", ref, tax_token, {"case_number": "131"})
    before = Handover.objects.values().get(pk=handovers[0].pk)

    response = _post(client, name, ref, tax_token, data)

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "NUL" in detail or "surrogate" in detail
    assert Handover.objects.values().get(pk=handovers[0].pk) == before


def test_partner_api__availability_with_escaped_surrogate__400(client, tokens):
    tax_token, _ = tokens
    body = '{"display_name": "Ann", "periods": [], "\\ud800": "x"}'
    response = client.put(
        reverse("partner-caseworker-availability", args=["cw1"]),
        body,
        content_type="application/json",
        **_bearer(tax_token),
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]
