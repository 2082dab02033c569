"""The API speaks the language of Accept-Language (sv or en), English when the header names
neither or is missing (decision 0064; walk finding 2026-12-01: every error was Swedish,
"Autentiseringsuppgifter ej tillhandahållna.", whatever the agency system asked for). The
site's pages keep their own rule (`/` is Swedish, `/en/` English)."""

from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from servicekontor.core.middleware import api_language
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOT_AUTHENTICATED = {
    "en": "Authentication credentials were not provided.",
    "sv": "Autentiseringsuppgifter ej tillhandahållna.",
}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "en"),  # none given: English
        ("en-GB,en;q=0.9", "en"),
        ("sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        ("sv", "sv"),
        ("de-DE,de;q=0.9", "en"),  # neither: English
        ("de,sv;q=0.5", "sv"),  # the first one the API speaks
        ("en;q=0.2,sv;q=0.8", "sv"),  # by weight, not by order
        ("*", "en"),
        # q=0 is "not acceptable" (RFC 9110 12.4.2): never that language
        ("sv;q=0", "en"),
        ("sv;q=0,en;q=0", "en"),
        ("sv-SE;q=0.0,sv;q=0.000", "en"),
        ("de,sv;q=0,en;q=0.1", "en"),
        ("*;q=0,sv", "sv"),
        # malformed or oversized: as if none were sent
        ("*;q=abc", "en"),
        ("sv;q=abc", "en"),
        ("sv;q=nan", "en"),
        ("sv;q=1e309", "en"),
        (";;;,,,", "en"),
        ("١٢", "en"),
        ("x" * 10_000, "en"),
        ("en-" + "x" * 600 + ",sv", "en"),
    ],
)
def test_api_language__from_accept_language(header: str, language: str) -> None:
    assert api_language(header) == language


@pytest.mark.parametrize(
    "header", ["*;q=abc", "sv;q=0", "x" * 10_000, "sv;q=1e309", "\t", "sv;q=0,"]
)
def test_api_language__a_bad_header_is_answered_in_english_not_refused(client, db, header) -> None:
    response = client.get("/api/agencies/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(("header", "language"), [(None, "en"), ("en", "en"), ("sv-SE", "sv")])
def test_api_language__an_error_in_the_asked_language(header: str | None, language: str) -> None:
    headers = {"Accept-Language": header} if header else {}
    response = APIClient().get("/api/change-plans/", headers=headers)

    assert response.status_code in (401, 403)
    assert response.json()["detail"] == NOT_AUTHENTICATED[language]
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


def test_api_language__the_language_cookie_does_not_change_the_api(client) -> None:
    client.cookies["django_language"] = "sv"
    response = client.get("/api/change-plans/")
    assert response.json()["detail"] == NOT_AUTHENTICATED["en"]


@pytest.mark.parametrize(("header", "language"), [(None, "en"), ("sv", "sv")])
def test_api_language__a_parameter_error_in_the_asked_language(
    client, header: str | None, language: str
) -> None:
    client.force_login(make_user(is_superuser=True, is_staff=True))
    headers = {"Accept-Language": header} if header else {}
    response = client.get("/api/costs/summary/", headers=headers)

    assert response.status_code == 400
    text = str(response.json())
    if language == "en":
        assert "Krävs" not in text and "Required" in text
    else:
        assert "Krävs" in text


def test_api_language__the_site_keeps_its_own_rule(client) -> None:
    # `/` is Swedish with the English button on every page; only a first visit (no language
    # chosen, no cookie) from an English browser goes to /en/ (walk F4, decision 0104).
    assert client.get("/", headers={"Accept-Language": "en"})["Location"] == "/en/"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page["Content-Language"] == "sv"
    assert 'name="language" value="en"' in page.content.decode()


def _texts(node: object) -> list[str]:
    """Every description, title and summary of an OpenAPI document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "title", "summary") and isinstance(value, str):
                found.append(value)
            else:
                found += _texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _texts(item)
    return found


def test_api_language__the_schema_is_english_by_default_and_swedish_when_asked(client) -> None:
    """No description of the default schema is a Swedish translation (a label made a str at
    import, in the default language, stayed Swedish: the report's value columns)."""
    from django.utils.translation import trans_real

    catalog = trans_real.translation("sv")._catalog  # type: ignore[attr-defined]  # msgid → Swedish
    swedish = {str(text) for key, text in catalog.items() if isinstance(key, str) and text != key}

    english = client.get("/api/schema/?format=json")
    assert english["Content-Language"] == "en"
    in_swedish = [text for text in _texts(english.json()) if text in swedish]
    assert in_swedish == []
    # the column's label, then when it is null (decision 0065)
    assert any(text.startswith("Mean wait (min)") for text in _texts(english.json()))

    asked = client.get("/api/schema/?format=json", headers={"Accept-Language": "sv"})
    assert any(text.startswith("Medelväntetid (min)") for text in _texts(asked.json()))


def test_site__first_page__links_to_english_before_its_heading(client) -> None:
    body = client.get("/", headers={"Accept-Language": "sv"}).content.decode()
    main = body.split("<main", 1)[1]
    link = main.index('<a href="/en/" hreflang="en">Information in English</a>')
    assert link < main.index("<h1>")
    english = client.get("/en/").content.decode()
    assert "Information in English" not in english
