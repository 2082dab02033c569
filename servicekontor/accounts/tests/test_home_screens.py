"""The staff start page links every screen the user may open and no other (the walk: a
manager reached the staffing page only by typing its URL; handovers were linked nowhere).

"May open" is asked of the screen itself: each candidate is opened as the user, and a 200
must be linked, anything else must not be."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from servicekontor.accounts.models import Role
from tests.factories import make_agency, make_office, make_user

pytestmark = pytest.mark.django_db

NETWORK_SCREENS = (
    "desk:choose",
    "reports:home",
    "reports:network",
    "staffing:network",
    "costs:index",
    "handovers:list",
    "planning:index",
    "changeplans:index",
    "accounts:api_tokens",
    "admin:index",
    "outreach-day",
)
OFFICE_SCREENS = ("desk:live", "staffing:office")


def _user(role: str, office):
    if role == "officer":
        return make_user(offices=[office])
    if role == "manager":
        return make_user(role=Role.OFFICE_MANAGER, offices=[office])
    if role == "analyst":
        return make_user(role=Role.AGENCY_ANALYST, analyst_agency=make_agency())
    if role == "admin_without_django_admin":
        return make_user(role=Role.NETWORK_ADMIN, is_staff=False)
    return make_user(role=Role.NETWORK_ADMIN)


@pytest.mark.parametrize(
    "role", ["officer", "manager", "analyst", "admin", "admin_without_django_admin"]
)
def test_home__links_exactly_the_screens_the_role_may_open(client: Client, role: str) -> None:
    make_agency()  # a registry has agencies (the handovers page opens on the first)
    own = make_office(code="kista", name="Kista")
    other = make_office(code="kiruna", name="Kiruna")
    client.force_login(_user(role, own))

    page = client.get("/staff/")
    assert page.status_code == 200
    linked = set(re.findall(r'href="([^"]+)"', page.content.decode()))

    candidates = [reverse(name) for name in NETWORK_SCREENS] + [
        reverse(name, args=[office.code]) for name in OFFICE_SCREENS for office in (own, other)
    ]
    opens = {url: _opens(client, url) for url in candidates}
    assert {url for url, ok in opens.items() if ok} == linked & set(candidates), opens
    assert any(opens.values())  # every role has a screen


def _opens(client: Client, url: str) -> bool:
    """200, or a redirect to the screen's own page for the user (an analyst's statistics
    open on their agency), not to a sign-in."""
    response = client.get(url)
    if response.status_code == 302:
        return (
            "login" not in response["Location"]
            and client.get(response["Location"]).status_code == 200
        )
    return response.status_code == 200


def test_home__manager__the_staffing_of_their_office_in_swedish(client: Client) -> None:
    client.force_login(make_user(role=Role.OFFICE_MANAGER, offices=[make_office(code="kista")]))
    html = client.get("/staff/").content.decode()
    assert 'href="/staffing/office/kista/"' in html and "Bemanning" in html


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_home__handovers_linked(client: Client, role: str) -> None:
    client.force_login(_user(role, make_office(code="kista")))
    html = client.get("/staff/").content.decode()
    assert f'href="{reverse("handovers:list")}"' in html and "Överlämningar" in html
