import pytest
from django.test import Client
from django.urls import reverse

from servicekontor.accounts.models import Role, User
from servicekontor.network.tests.admin_forms import form_data, log_in_network_admin, shows
from tests.factories import make_agency, make_office, make_user

pytestmark = pytest.mark.django_db


def test_user_admin__add_officer_with_offices_and_competences__saved(client: Client) -> None:
    log_in_network_admin(client)
    office, agency = make_office(), make_agency()
    url = reverse("admin:accounts_user_add")
    data = form_data(client.get(url).content.decode())
    data.update(
        {
            "username": "bob",
            "usable_password": "true",
            "password1": "a-long-Password-42",
            "password2": "a-long-Password-42",
            "role": Role.SERVICE_OFFICER,
            "analyst_agency": "",
            "assignments-TOTAL_FORMS": "1",
            "assignments-0-office": office.pk,
            "competence_rows-TOTAL_FORMS": "1",
            "competence_rows-0-agency": agency.pk,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    bob = User.objects.get(username="bob")
    assert list(bob.offices.all()) == [office]
    assert list(bob.competences.all()) == [agency]


def test_user_admin__analyst_without_agency__form_error(client: Client) -> None:
    log_in_network_admin(client)
    charlie = make_user(username="charlie")
    url = reverse("admin:accounts_user_change", args=[charlie.pk])
    data = form_data(client.get(url).content.decode())
    data["role"] = Role.AGENCY_ANALYST
    data["analyst_agency"] = ""
    response = client.post(url, data)
    assert response.status_code == 200
    assert shows(response, "An agency analyst must have an agency; other roles must not.")
    charlie.refresh_from_db()
    assert charlie.role == Role.SERVICE_OFFICER


def test_user_admin__network_admin__cannot_grant_superuser(client: Client) -> None:
    log_in_network_admin(client)
    alice = make_user(username="alice")
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    data = form_data(client.get(url).content.decode())
    data["is_superuser"] = "on"
    assert client.post(url, data).status_code == 302
    alice.refresh_from_db()
    assert not alice.is_superuser


def test_user_admin__filter_by_role_and_office(client: Client) -> None:
    log_in_network_admin(client)
    office, other = make_office(), make_office()
    officer = make_user(username="alice", offices=[office])
    make_user(username="charlie", offices=[other])
    analyst = make_user(username="erin", role=Role.AGENCY_ANALYST)
    url = reverse("admin:accounts_user_changelist")

    def listed(**params: str | int) -> set[str]:
        return {u.username for u in client.get(url, params).context["cl"].result_list}

    assert listed(role=Role.AGENCY_ANALYST) == {analyst.username}
    assert listed(assignments__office__id__exact=office.pk) == {officer.username}
