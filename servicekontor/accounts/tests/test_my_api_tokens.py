"""Walk F7: an analyst could get the personal API token the docs require only by a shell
command on the server. The page "My API tokens" (/staff/api-tokens/): a person who may use the
API makes a token (shown once), sees their tokens and revokes them; no one else's; plain
forms (no JavaScript)."""

import re

import pytest
from django.test import Client

from servicekontor.accounts import personal_tokens
from servicekontor.accounts.models import ApiToken, Role
from servicekontor.reports.services import create_api_token
from tests.factories import make_agency, make_office, make_user

pytestmark = pytest.mark.django_db

URL = "/staff/api-tokens/"


@pytest.fixture
def analyst():
    return make_user(role=Role.AGENCY_ANALYST, analyst_agency=make_agency(), username="ana")


def _shown_token(html: str) -> str:
    found = re.search(r'<code class="token">([^<]+)</code>', html)
    assert found, html
    return found.group(1)


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ("Mina API-nycklar", "visas bara den här gången")),
        ("/en", ("My API tokens", "shown only this once")),
    ],
)
def test_make__shown_once__works_on_the_api__listed_without_it(client, analyst, prefix, words):
    client.force_login(analyst)
    page = client.get(prefix + URL)
    assert page.status_code == 200 and words[0] in page.content.decode()
    made = client.post(prefix + URL, {"name": "Månadsrapport"})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    html = made.content.decode()
    assert words[1] in html
    token = _shown_token(html)
    # the token reads the analyst's costs and statistics (what the docs promise it)
    api = Client()
    answer = api.get("/api/costs/summary/?year=2026", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code in (200, 404), answer.content  # not 401/403
    # never shown again
    again = client.get(prefix + URL).content.decode()
    assert token not in again and "Månadsrapport" in again
    assert ApiToken.objects.get(user=analyst).token_hash == ApiToken.hash(token)


def test_revoke__refused_from_the_next_request__and_only_ones_own(client, analyst):
    token = create_api_token(user=analyst, name="skript")
    other = make_user(role=Role.NETWORK_ADMIN, username="nadia")
    theirs = ApiToken.objects.get(
        pk=ApiToken.objects.create(
            user=other,
            name="deras",
            token_hash=ApiToken.hash("x" * 40),
            created_at=analyst.date_joined,
        ).pk
    )
    client.force_login(analyst)
    mine = ApiToken.objects.get(user=analyst)
    assert client.post(f"{URL}{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    done = client.post(f"{URL}{mine.pk}/revoke/")
    assert done.status_code == 302 and done["Location"] == URL
    mine.refresh_from_db()
    assert not mine.is_active
    answer = Client().get(
        "/api/statistics/figures/?from=2026-11-01&to=2026-11-30",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 401
    assert "Återkallad" in client.get(URL).content.decode()
    # a GET of the form's address goes back to the page
    assert client.get(f"{URL}{mine.pk}/revoke/").status_code == 303


def test_name_required__400_with_the_form_and_nothing_made(client, analyst):
    client.force_login(analyst)
    response = client.post("/en" + URL, {"name": "  "})
    assert response.status_code == 400
    assert 'href="#id_name"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_at_most_max_active(client, analyst):
    for n in range(personal_tokens.MAX_ACTIVE):
        personal_tokens.issue(user=analyst, name=f"t{n}")
    client.force_login(analyst)
    response = client.post("/en" + URL, {"name": "one more"})
    assert response.status_code == 400
    assert "Revoke one you no longer use first" in response.content.decode()
    assert ApiToken.objects.filter(user=analyst).count() == personal_tokens.MAX_ACTIVE


def test_officer__403_and_not_linked(client):
    officer = make_user(offices=[make_office(code="kista")])
    client.force_login(officer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "x"}).status_code == 403
    assert URL not in client.get("/staff/").content.decode()
    assert not ApiToken.objects.exists()


def test_signed_out__to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
