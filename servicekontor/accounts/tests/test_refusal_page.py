"""Every staff screen refuses with the same page (the walk: /change-plans/ said "Det gick
inte" with no way back, /planning/ and the live view offered the public office finder):
"Du har inte behörighet", the reason, and the way back to the staff start page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from servicekontor.accounts.models import Role
from servicekontor.accounts.refusal import permission_denied
from tests.factories import make_agency, make_office, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("analyst", "/change-plans/"),
        ("analyst", "/change-plans/1/"),
        ("officer", "/planning/"),
        ("officer", "/desk/kista/live/"),
        ("manager", "/desk/kiruna/live/"),
        ("officer", "/desk/kista/live/panel/"),
        ("analyst", "/desk/"),
        ("analyst", "/desk/kista/receipt/1/"),
        ("officer", "/statistics/"),
        ("manager", "/statistics/network/"),
        ("manager", "/statistics/office/kiruna/"),
        ("manager", "/staffing/network/"),
        ("manager", "/staffing/office/kiruna/"),
        ("analyst", "/staffing/office/kista/"),
        ("manager", "/costs/"),
        ("officer", "/handovers/"),
    ],
)
def test_every_staff_area__one_refusal_page_with_the_way_back(
    client: Client, role: str, url: str
) -> None:
    kista = make_office(code="kista")
    make_office(code="kiruna")
    make_agency()
    user = {
        "officer": lambda: make_user(offices=[kista]),
        "manager": lambda: make_user(role=Role.OFFICE_MANAGER, offices=[kista]),
        "analyst": lambda: make_user(role=Role.AGENCY_ANALYST),
    }[role]()
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Du har inte behörighet</h1>" in html
    assert 'href="/staff/">Tillbaka till din startsida</a>' in html
    assert "Hitta ett servicekontor" not in html and "Det gick inte" not in html


def test_refusal_page__english_too(client: Client) -> None:
    client.force_login(make_user(role=Role.AGENCY_ANALYST))
    html = client.get("/en/change-plans/").content.decode()
    assert "Change plans are for network administrators." in html
    assert 'href="/en/staff/">Back to your start page</a>' in html


def test_refusal_page__anonymous__the_way_on_is_the_sign_in() -> None:
    request = RequestFactory().get("/planning/")
    request.user = AnonymousUser()

    html = permission_denied(request).content.decode()

    assert 'href="/staff/login/?next=/planning/">Logga in</a>' in html
    assert "Tillbaka till din startsida" not in html
