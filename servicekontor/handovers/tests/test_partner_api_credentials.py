"""Every kind of credential on every endpoint of the partner API (`/api/partner/…`), in both
languages (decision 0064). The documented way (docs/handovers.md, decision 0018) is an
agency's API client token, `Authorization: Bearer skc_…`; everything else is refused with a
JSON body that says what the partner API takes:

- no credentials: 401 (what to send);
- a mistyped or unknown token, a wrong secret: 401 (as unknown: says nothing more);
- a revoked or an expired (rotated) credential of the client: 401 saying which;
- another scheme, or a bearer token that is no credential (an inactive person's token too):
  401 saying the partner API takes only an API client's token;
- a valid credential of a person — a personal API token (`accounts.ApiToken`, valid on the
  statistics API), a session signed in on the site, any role: 403 (a valid credential is
  never 401, decision 0018);
- another agency's valid client: its own rows only, another agency's handover a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, reverse
from django.utils import translation

from servicekontor import api_urls
from servicekontor.accounts import api_clients, partner_api
from servicekontor.accounts.models import ApiClientUse, ApiCredential, ApiToken
from servicekontor.core import clock
from servicekontor.handovers.models import Handover
from servicekontor.handovers.tests.conftest import VALID_PNR, serve_and_hand_over
from servicekontor.reports.services import create_api_token
from tests.factories import make_user

AVAILABILITY = {"display_name": "Anna", "periods": []}


@dataclass(frozen=True)
class Endpoint:
    method: str
    name: str
    args: tuple[Any, ...] = ()
    body: Any = None
    objects: bool = False  # names one of the agency's objects: another agency's is a 404


def _endpoints(reference: str) -> list[Endpoint]:
    return [
        Endpoint("get", "partner-handovers"),
        Endpoint("get", "partner-handover", (reference,), objects=True),
        Endpoint(
            "post",
            "partner-handover-acknowledge",
            (reference,),
            {"case_number": "X-1"},
            objects=True,
        ),
        Endpoint(
            "post", "partner-handover-outcome", (reference,), {"outcome": "handled"}, objects=True
        ),
        Endpoint("get", "partner-offerings"),
        Endpoint("put", "partner-caseworker-availability", ("anna-1",), AVAILABILITY),
        Endpoint("get", "partner-video-meetings"),
        Endpoint("post", "partner-video-meeting-cancel", (7,), {}, objects=True),
    ]


def test_partner_endpoints__every_route_under_api_partner_is_walked_here():
    routes = {p.name for p in api_urls.urlpatterns if isinstance(p, URLPattern) and p.name}
    partner = {name for name in routes if name.startswith("partner-")}
    assert partner == {e.name for e in _endpoints("H-0000-0000")}


@dataclass
class Setup:
    reference: str  # Skatteverket's handover
    tax: str  # Skatteverket's client token
    fk: str  # Försäkringskassan's client token (another agency)
    revoked: str
    expired: str
    wrong_secret: str
    person_token: str  # a Skatteverket analyst's own API token


@pytest.fixture
def setup(world, clock_at, partners) -> Setup:
    handover = serve_and_hand_over(world, clock_at, service=world.tax, identity_number=VALID_PNR)
    tax_client, tax = api_clients.create_api_client(
        agency=world.skatteverket, name="SKV case system"
    )
    _fk_client, fk = api_clients.create_api_client(agency=world.fk, name="FK case system")
    revoked_client, revoked = api_clients.create_api_client(
        agency=world.skatteverket, name="old system"
    )
    api_clients.revoke_client(client=revoked_client)
    expired_client, expired = api_clients.create_api_client(
        agency=world.skatteverket, name="rotated"
    )
    api_clients.rotate_credentials(client=expired_client, overlap=dt.timedelta(0))
    key_id = ApiCredential.objects.filter(client=tax_client).get().key_id
    analyst = make_user(role="agency_analyst", analyst_agency=world.skatteverket)
    return Setup(
        reference=handover.reference,
        tax=tax,
        fk=fk,
        revoked=revoked,
        expired=expired,
        wrong_secret=f"skc_{key_id}_{'x' * 43}",
        person_token=create_api_token(user=analyst, name="analyst's script"),
    )


def _call(client, endpoint: Endpoint, *, language: str = "en", **headers: str):
    return getattr(client, endpoint.method)(
        reverse(endpoint.name, args=endpoint.args),
        endpoint.body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
        **headers,
    )


def _in(language: str, message: Any) -> str:
    """`message` (a lazy text, or the English of one of Django's or DRF's) in `language`."""
    with translation.override(language):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def _assert_refused(client, endpoint, status, message, **headers) -> None:
    """`status` with `{"detail": message}`, in English and in Swedish (each the translation
    of the message, the Swedish one really Swedish)."""
    texts = {}
    for language in ("en", "sv"):
        response = _call(client, endpoint, language=language, **headers)
        assert response.status_code == status, (endpoint.name, language, response.content)
        assert response["Content-Type"].startswith("application/json")
        assert response["Content-Language"] == language
        if status == 401:
            assert response["WWW-Authenticate"] == "Bearer"
        texts[language] = response.json()["detail"]
        assert texts[language] == _in(language, message), endpoint.name
    assert texts["en"] != texts["sv"], "not translated"


def test_partner_api__no_credentials__401_what_to_send(client, setup):
    for endpoint in _endpoints(setup.reference):
        _assert_refused(client, endpoint, 401, partner_api.NO_CREDENTIALS)


@pytest.mark.parametrize(
    "token", ["skc_0123456789ab_nope", "skc_", "skc_0123456789abXnope", "wrong secret"]
)
def test_partner_api__unknown_or_wrong_secret__401_unknown(client, setup, token):
    token = setup.wrong_secret if token == "wrong secret" else token
    for endpoint in _endpoints(setup.reference):
        _assert_refused(
            client,
            endpoint,
            401,
            api_clients.UNKNOWN_CREDENTIAL,
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )


def test_partner_api__revoked_and_expired__401_saying_which_and_logged(client, setup):
    expired = ApiCredential.objects.get(key_id=setup.expired[4:16])
    assert expired.expires_at is not None
    when = expired.expires_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    for endpoint in _endpoints(setup.reference):
        _assert_refused(
            client,
            endpoint,
            401,
            "This API credential was revoked. Ask a network administrator for a new one "
            "(Authorization: Bearer skc_…).",
            HTTP_AUTHORIZATION=f"Bearer {setup.revoked}",
        )
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {setup.expired}"}
        english = _call(client, endpoint, **bearer)
        swedish = _call(client, endpoint, language="sv", **bearer)
        assert (english.status_code, swedish.status_code) == (401, 401)
        assert english.json()["detail"].startswith(f"This API credential expired at {when} UTC")
        assert swedish.json()["detail"].startswith(f"Den här API-nyckeln slutade gälla {when}")
    uses = ApiClientUse.objects.values_list("result", flat=True)
    count = 2 * len(_endpoints(setup.reference))
    assert list(uses.filter(credential__key_id=setup.revoked[4:16])) == ["revoked"] * count
    assert list(uses.filter(credential__key_id=setup.expired[4:16])) == ["expired"] * count


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "inactive", "Token abc123", "Basic dXNlcjpwYXNz", "Bearer", "x"],
)
def test_partner_api__no_credential_in_the_header__401_what_it_takes(client, setup, header):
    """Something in the Authorization header that is no credential at all (another scheme, a
    made-up bearer token, a person's token made inactive): the answer says what the partner
    API takes, not "credentials were not provided"."""
    if header == "inactive":
        ApiToken.objects.update(is_active=False)
        header = f"Bearer {setup.person_token}"
    for endpoint in _endpoints(setup.reference):
        _assert_refused(
            client, endpoint, 401, partner_api.NOT_A_CREDENTIAL, HTTP_AUTHORIZATION=header
        )


def test_partner_api__a_person_s_valid_api_token__403(client, setup):
    """A person's token is a valid credential (the statistics API serves it, checked here):
    refused with 403 saying the partner API is for agencies' systems, never 401."""
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {setup.person_token}"}
    for endpoint in _endpoints(setup.reference):
        _assert_refused(client, endpoint, 403, partner_api.A_PERSON, **bearer)
    statistics = client.get(
        reverse("statistics-figures"), {"from": "2026-11-01", "to": "2026-11-30"}, **bearer
    )
    assert statistics.status_code == 200


@pytest.mark.parametrize("role", ["network_admin", "agency_analyst", "office_manager"])
def test_partner_api__a_signed_in_person__403(client, world, setup, role):
    person = make_user(
        role=role,
        analyst_agency=world.skatteverket if role == "agency_analyst" else None,
        offices=[world.office] if role == "office_manager" else (),
    )
    client.force_login(person)
    for endpoint in _endpoints(setup.reference):
        _assert_refused(client, endpoint, 403, partner_api.A_PERSON)
    # a person's session with a valid client token of the agency: the token decides
    ok = _call(client, _endpoints(setup.reference)[1], HTTP_AUTHORIZATION=f"Bearer {setup.tax}")
    assert ok.status_code == 200


def test_partner_api__another_agencys_client__its_own_rows_and_404(client, setup):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {setup.fk}"}
    for endpoint in _endpoints(setup.reference):
        if endpoint.objects:
            _assert_refused(client, endpoint, 404, "Not found.", **bearer)
        else:
            response = _call(client, endpoint, **bearer)
            assert response.status_code == 200, endpoint.name
            assert setup.reference not in response.content.decode()
    assert Handover.objects.get(reference=setup.reference).status == "sent"


def test_partner_api__the_documented_way__the_agency_s_client_is_served(client, setup):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {setup.tax}"}
    statuses = {e.name: _call(client, e, **bearer).status_code for e in _endpoints(setup.reference)}
    assert statuses == {
        "partner-handovers": 200,
        "partner-handover": 200,
        "partner-handover-acknowledge": 200,
        "partner-handover-outcome": 200,
        "partner-offerings": 200,
        "partner-caseworker-availability": 200,
        "partner-video-meetings": 200,
        "partner-video-meeting-cancel": 404,  # no meeting 7: the same 404 as another agency's
    }
    assert Handover.objects.get(reference=setup.reference).status == "handled"


def test_partner_api__schema_names_only_the_api_client_credential(client, setup):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/partner/"):
            continue
        for operation in operations.values():
            assert operation["security"] == [{"agencyApiClient": []}], path
            responses = operation["responses"]
            assert "skc_" in responses["401"]["description"], path
            assert "person's valid credential" in responses["403"]["description"], path


# --- every other refusal of the partner API, in both languages ----------------------------

PERIOD = {"starts_at": "2026-12-08T10:00:00+01:00", "ends_at": "2026-12-08T12:00:00+01:00"}


def _refusals(reference: str) -> list[tuple[str, str, Any, str, int]]:
    """(method, URL, body, content type, status) of a refusal of each kind the partner API
    gives an agency's own client: bad parameters, bad bodies, conflicts, unknown objects,
    methods and media types."""
    handover = f"/api/partner/handovers/{reference}/"
    ack, outcome = handover + "acknowledge/", handover + "outcome/"
    availability = "/api/partner/caseworkers/anna-1/availability/"
    json = "application/json"
    reversed_period = {"starts_at": PERIOD["ends_at"], "ends_at": PERIOD["starts_at"]}
    long_period = {"starts_at": PERIOD["starts_at"], "ends_at": "2026-12-10T10:00:00+01:00"}
    return [
        ("get", "/api/partner/handovers/?status=nope", None, json, 400),
        ("get", "/api/partner/handovers/?since=2026-13-01", None, json, 400),
        ("get", "/api/partner/handovers/?limit=x", None, json, 400),
        ("get", "/api/partner/handovers/H-0000-0000/", None, json, 404),
        ("post", ack, {}, json, 400),
        ("post", ack, ["131-2026"], json, 400),
        ("post", ack, {"case_number": {"nested": 1}}, json, 400),
        ("post", ack, {"case_number": True}, json, 400),  # was taken as the case "True"
        ("post", ack, {"case_number": 1.5}, json, 400),
        ("post", ack, "{not json", json, 400),  # DRF's "JSON parse error - …" was English
        ("post", ack, b'{"case_number": "\xff"}', json, 400),  # not UTF-8
        ("post", ack, "case_number=1", "text/plain", 415),
        ("post", outcome, {"outcome": "handled"}, json, 409),  # before the acknowledgement
        ("post", outcome, {"outcome": "lost"}, json, 400),
        ("post", outcome, {"outcome": False}, json, 400),
        ("delete", "/api/partner/handovers/", None, json, 405),
        ("get", "/api/partner/offerings/?on=2026-02-30", None, json, 400),
        ("put", availability, {"periods": [PERIOD]}, json, 400),  # no display_name
        ("put", availability, {"display_name": "A", "periods": [reversed_period]}, json, 400),
        ("put", availability, {"display_name": "A", "periods": [long_period]}, json, 400),
        ("get", "/api/partner/video-meetings/?from=2026-12-10&to=2026-12-01", None, json, 400),
        ("post", "/api/partner/video-meetings/7/cancel/", None, json, 404),
    ]


def _texts(body: Any) -> list[str]:
    if isinstance(body, dict):
        return [t for key in sorted(body) for t in _texts(body[key])]
    if isinstance(body, list):
        return [t for item in body for t in _texts(item)]
    return [str(body)]


def test_partner_api__every_refusal_text_in_english_and_swedish(client, setup):
    """Decision 0064: the partner API answers in the language of Accept-Language (English
    when it names neither). Each text of each refusal differs between the two (translated);
    the refusal itself (status, fields) does not."""
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {setup.tax}"}
    for method, url, body, content_type, status in _refusals(setup.reference):
        bodies = {}
        for language in ("en", "sv", ""):
            headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
            response = getattr(client, method)(
                url, body, content_type=content_type, **headers, **bearer
            )
            assert response.status_code == status, (method, url, language, response.content)
            assert response["Content-Language"] == (language or "en")
            bodies[language] = response.json()
        english, swedish = _texts(bodies["en"]), _texts(bodies["sv"])
        assert bodies[""] == bodies["en"], "English without Accept-Language"
        assert len(english) == len(swedish) > 0, url
        for en, sv in zip(english, swedish, strict=True):
            assert en != sv, (method, url, en)
    assert Handover.objects.get(reference=setup.reference).status == "sent"


def test_statistics_api__each_credential_of_the_documented_ways(client, world, setup):
    """The figures (docs/statistics.md): an agency's system with its API client, an agency
    analyst with a session or a token of their own; the client's revoked, expired or unknown
    credential refused in words, in both languages; another agency's report refused."""
    today = clock.local_today()
    figures = reverse("statistics-figures")
    period = {"from": f"{today:%Y-%m-01}", "to": f"{today}"}
    own_report = reverse(
        "statistics-agency-report", args=[world.skatteverket.code, f"{today:%Y-%m}"]
    )
    other_report = reverse("statistics-agency-report", args=[world.fk.code, f"{today:%Y-%m}"])

    def get(url, token=None, language="en", **params):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language, **headers)

    for token in (setup.tax, setup.person_token):
        assert get(figures, token, **period).status_code == 200
        assert get(own_report, token).status_code == 200
        refused = {language: get(other_report, token, language) for language in ("en", "sv")}
        assert {r.status_code for r in refused.values()} == {403}
        assert refused["en"].json()["detail"] != refused["sv"].json()["detail"]
    for token, english in (
        (setup.revoked, "This API credential was revoked."),
        (setup.expired, "This API credential expired at "),
        (setup.wrong_secret, "Unknown or revoked API credential."),
    ):
        answers = {language: get(figures, token, language, **period) for language in ("en", "sv")}
        assert {a.status_code for a in answers.values()} == {401}
        assert answers["en"].json()["detail"].startswith(english)
        assert answers["sv"].json()["detail"] != answers["en"].json()["detail"]
    analyst = make_user(role="agency_analyst", analyst_agency=world.skatteverket)
    client.force_login(analyst)
    assert get(figures, **period).status_code == 200
    assert get(own_report).status_code == 200


def test_partner_api__a_period_s_refusal_names_the_period_and_says_what(client, setup):
    """Walk of the partner flows: a free period ending before it starts was answered
    `{"periods": ["1: 0: non_field_errors"]}` — neither which period nor what was wrong."""
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {setup.tax}"}
    late = {"starts_at": "2026-12-09T10:00:00+01:00", "ends_at": "2026-12-09T09:00:00+01:00"}
    bad_time = {"starts_at": "tuesday", "ends_at": PERIOD["ends_at"]}
    response = client.put(
        "/api/partner/caseworkers/anna-1/availability/",
        {"display_name": "Anna", "periods": [PERIOD, late, bad_time]},
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 400
    (ends_first, bad_start) = response.json()["periods"]
    assert ends_first == "2: ends_at must be after starts_at."
    assert bad_start.startswith("3: starts_at: ")
