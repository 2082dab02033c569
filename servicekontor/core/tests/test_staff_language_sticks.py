"""Walk F24: choosing English on a staff page set the language cookie, but an unprefixed staff
URL (a bookmark, the URLs `make run` prints) still came in Swedish. It now goes to the same
page under /en/; kiosks and displays keep their own URL's language (citizens' pages follow
the choice too since walk F1 of session 18, decision 0104)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _with(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(
    "path", ["/staff/", "/desk/kista/live/?x=1", "/statistics/", "/change-plans/", "/costs/"]
)
def test_english_chosen__unprefixed_staff_url_goes_to_english(path):
    response = _with("en").get(path)
    assert response.status_code == 302
    assert response["Location"] == "/en" + path


def test_english_chosen__the_english_page_is_not_redirected_again():
    assert _with("en").get("/en/staff/login/").status_code == 200


@pytest.mark.parametrize("path", ["/queue/kista/", "/display/kista/"])
def test_english_chosen__devices_keep_their_url(path):
    assert not _with("en").get(path).get("Location", "").startswith("/en/")


@pytest.mark.parametrize("path", ["/", "/book/"])
def test_english_chosen__citizens_pages_go_to_english_too(path):
    """Session 18, walk F1 (decision 0104): a citizen's page on their own browser follows
    the chosen language as the staff screens do (`FirstVisitLanguageMiddleware`)."""
    assert _with("en").get(path)["Location"] == "/en" + path


def test_swedish_or_no_choice__unprefixed_stays():
    for client in (_with("sv"), Client()):
        response = client.get("/staff/login/")
        assert response.status_code == 200


def test_htmx_and_posts_are_left_alone():
    client = _with("en")
    htmx = client.get("/desk/kista/live/", HTTP_HX_REQUEST="true")
    assert not htmx.get("Location", "").startswith("/en/")
    posted = client.post("/staff/login/", {"username": "x", "password": "y"})
    assert not posted.get("Location", "").startswith("/en/")
