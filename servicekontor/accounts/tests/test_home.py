import pytest
from django.test import Client

from servicekontor.accounts.models import Role
from tests.factories import make_office, make_user

pytestmark = pytest.mark.django_db


def test_home__anonymous__redirected_to_sign_in(client: Client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_home__officer__desk_link_only(client: Client) -> None:
    client.force_login(make_user(offices=[make_office(code="kiruna")]))
    html = client.get("/en/staff/").content.decode()
    assert 'href="/en/desk/"' in html
    assert "/planning/" not in html and "/live/" not in html


def test_home__manager__live_view_of_own_office(client: Client) -> None:
    client.force_login(make_user(role=Role.OFFICE_MANAGER, offices=[make_office(code="kiruna")]))
    make_office(code="lulea")
    html = client.get("/en/staff/").content.decode()
    assert 'href="/en/desk/kiruna/live/"' in html
    assert "lulea" not in html


def test_home__network_admin__planning_and_admin(client: Client) -> None:
    client.force_login(make_user(role=Role.NETWORK_ADMIN))
    html = client.get("/en/staff/").content.decode()
    assert 'href="/en/planning/"' in html and 'href="/admin/"' in html


def test_home__network_admin__live_view_of_every_office(client: Client) -> None:
    """No office is left out (the list once stopped at 20, so Kista was missing)."""
    offices = [make_office(code=f"office-x{n:02}", name=f"Kontor {n:02}") for n in range(25)]
    kista = make_office(code="kista", name="Kista")
    client.force_login(make_user(role=Role.NETWORK_ADMIN))

    html = client.get("/en/staff/").content.decode()

    for office in [*offices, kista]:
        assert f'href="/en/desk/{office.code}/live/"' in html


def test_home__analyst__no_live_views(client: Client) -> None:
    from tests.factories import make_agency

    make_office(code="kista")
    client.force_login(make_user(role=Role.AGENCY_ANALYST, analyst_agency=make_agency()))

    assert "/live/" not in client.get("/en/staff/").content.decode()
