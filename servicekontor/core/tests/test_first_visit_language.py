"""A citizen's first visit follows the browser's language (walk F4, decision 0104): an
unprefixed citizen's page asked for by a browser that prefers English, with no language
chosen on it yet (no cookie), answers 302 to the page under /en/; the office's shared devices,
staff screens, the API, calendar files, htmx and POSTs are left alone; a choice made with the
language button wins; and every such answer says it varies with Accept-Language and Cookie,
so a cache never gives one language's answer to the other's browser."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils.cache import has_vary_header

from tests.factories import make_office

pytestmark = pytest.mark.django_db

ENGLISH = "en-GB,en;q=0.9,sv;q=0.5"
SWEDISH = "sv-SE,sv;q=0.9,en;q=0.8"


def _get(client: Client, path: str, accept: str, htmx: bool = False):
    if htmx:
        return client.get(path, HTTP_ACCEPT_LANGUAGE=accept, HTTP_HX_REQUEST="true")
    return client.get(path, HTTP_ACCEPT_LANGUAGE=accept)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/", "/en/"),
        ("/?q=Kiruna&agency=migrationsverket", "/en/?q=Kiruna&agency=migrationsverket"),
        ("/book/", "/en/book/"),
        ("/office/no-such-office/", "/en/office/no-such-office/"),
    ],
)
def test_first_visit__english_browser__the_english_page(client: Client, path, target) -> None:
    response = _get(client, path, ENGLISH)
    assert response.status_code == 302
    assert response["Location"] == target
    assert has_vary_header(response, "Accept-Language") and has_vary_header(response, "Cookie")
    page = client.get(target, HTTP_ACCEPT_LANGUAGE=ENGLISH)
    assert page["Content-Language"] == "en"


@pytest.mark.parametrize(
    "accept", ["fr-FR,fr;q=0.9,en;q=0.8", "en", "EN-us", "de, en;q=0.1, sv;q=0.05"]
)
def test_first_visit__the_first_site_language_by_weight(client: Client, accept: str) -> None:
    assert _get(client, "/", accept)["Location"] == "/en/"


@pytest.mark.parametrize("accept", [SWEDISH, "", "fr", "en;q=0, sv;q=0.5", "*", "sv, en"])
def test_first_visit__otherwise_swedish_and_says_what_it_varies_on(client, accept) -> None:
    response = _get(client, "/", accept)
    assert response.status_code == 200
    assert response["Content-Language"] == "sv"
    assert has_vary_header(response, "Accept-Language") and has_vary_header(response, "Cookie")


def test_first_visit__a_chosen_language_wins(client: Client) -> None:
    """Clicking "Svenska" on an English page sets the cookie and lands on the unprefixed
    page: it must stay Swedish, not bounce back to English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = _get(client, "/book/", ENGLISH)
    assert response.status_code == 200 and response["Content-Language"] == "sv"


@pytest.mark.parametrize("accept", [ENGLISH, SWEDISH, ""])
def test_language_button__either_way_lands_on_the_chosen_language(client, accept) -> None:
    """The button's form posts the page's own address as `next`. "Svenska" on /en/book/
    led back to /en/book/ (Django resolved it under Swedish, the language of /i18n/)."""
    to_swedish = client.post(
        "/i18n/setlang/",
        {"language": "sv", "next": "/en/book/?x=1"},
        HTTP_ACCEPT_LANGUAGE=accept,
    )
    assert to_swedish.status_code == 302 and to_swedish["Location"] == "/book/?x=1"
    page = _get(client, "/book/?x=1", accept)
    assert page.status_code == 200 and page["Content-Language"] == "sv"
    client.cookies.clear()
    to_english = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/book/"}, HTTP_ACCEPT_LANGUAGE=accept
    )
    assert to_english["Location"] == "/en/book/"
    assert _get(client, "/en/book/", accept)["Content-Language"] == "en"


def test_first_visit__shared_devices_staff_api_files_left_alone(client: Client) -> None:
    office = make_office()
    for path in (
        f"/queue/{office.code}/",  # the ticket kiosk (its Chromium often says en-US)
        f"/book/check-in/{office.code}/",
        f"/display/{office.code}/",
        f"/book/desk/{office.code}/today/",
        "/staff/login/",
        "/api/agencies/",
        f"/office/{office.code}/visits.ics",
    ):
        response = _get(client, path, "en-US,en;q=0.9")
        location = response.get("Location", "")
        assert not location.startswith("/en/") or path.startswith(("/book/desk/",)), path
        assert response.status_code != 302 or "/staff/" in location, path


def test_first_visit__post_and_htmx_left_alone(client: Client) -> None:
    assert _get(client, "/", ENGLISH, htmx=True).status_code == 200
    assert client.post("/", HTTP_ACCEPT_LANGUAGE=ENGLISH).status_code != 302


@pytest.mark.parametrize("accept", [SWEDISH, ENGLISH, ""])
@pytest.mark.parametrize(
    ("path", "target"),
    [("/", "/en/"), ("/book/", "/en/book/"), ("/?q=Kiruna", "/en/?q=Kiruna")],
)
def test_chosen_english__a_swedish_address_leads_to_its_english_twin(
    client: Client, accept, path, target
) -> None:
    """Walk F1 (session 18): English chosen with the button (the cookie), then "/" opened
    from a bookmark or typed gave Swedish; only cookie-less first visits followed the
    browser. The choice now wins both ways, whatever the browser asks."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _get(client, path, accept)
    assert response.status_code == 302 and response["Location"] == target
    assert has_vary_header(response, "Accept-Language") and has_vary_header(response, "Cookie")
    assert _get(client, target, accept)["Content-Language"] == "en"


def test_chosen_english__shared_devices_api_files_htmx_post_left_alone(client: Client) -> None:
    office = make_office()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for path in (
        f"/queue/{office.code}/",  # a kiosk must not keep one citizen's choice for the next
        f"/book/check-in/{office.code}/",
        f"/display/{office.code}/",
        "/api/agencies/",
        f"/office/{office.code}/visits.ics",
    ):
        response = _get(client, path, SWEDISH)
        assert not response.get("Location", "").startswith("/en/"), path
    assert _get(client, "/", SWEDISH, htmx=True).status_code == 200
    assert client.post("/", HTTP_ACCEPT_LANGUAGE=SWEDISH).status_code != 302


def test_chosen_swedish__an_english_address_stays_english(client: Client) -> None:
    """A cookie saying Swedish on an "/en/" page: the address names its language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = _get(client, "/en/book/", SWEDISH)
    assert response.status_code == 200 and response["Content-Language"] == "en"


@pytest.mark.parametrize("cookie", ["fr", ""])
def test_chosen_unknown_language__swedish_address_stays(client: Client, cookie) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = _get(client, "/", ENGLISH)
    assert response.status_code == 200 and response["Content-Language"] == "sv"
