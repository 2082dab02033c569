"""Every registry page of the admin works for a network administrator, and only for staff."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from servicekontor.accounts.models import Role
from servicekontor.network.models import ExceptionKind, OpeningException, OpeningHoursPeriod
from servicekontor.network.tests.admin_forms import form_data, log_in_network_admin, shows
from tests.factories import (
    make_agency,
    make_capability,
    make_offering,
    make_office,
    make_service,
    make_user,
)

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = [
    "catalog/agency",
    "catalog/service",
    "catalog/capability",
    "network/office",
    "network/offering",
    "network/servicepoint",
    "network/openinghoursperiod",
    "network/openingexception",
    "network/milestone",
    "accounts/user",
]


@pytest.fixture
def registry() -> dict:
    agency = make_agency(code="skatteverket", letter="S")
    service = make_service(agency=agency, required_capability=make_capability(code="id-photo"))
    office = make_office(code="kiruna", name="Kiruna")
    make_offering(office=office, service=service)
    OpeningException.objects.create(
        office=office, date=dt.date(2030, 5, 2), kind=ExceptionKind.CLOSED, reason_en="Staff day"
    )
    return {"agency": agency, "service": service, "office": office}


@pytest.mark.parametrize("model", REGISTRY_MODELS)
def test_admin__network_admin__changelist_and_add_pages(
    client: Client, registry: dict, model: str
) -> None:
    log_in_network_admin(client)
    app, name = model.split("/")
    assert client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{name}_add")).status_code == 200


def test_admin__network_admin__change_pages(client: Client, registry: dict) -> None:
    log_in_network_admin(client)
    office = registry["office"]
    pages = [
        reverse("admin:network_office_change", args=[office.pk]),
        reverse("admin:catalog_agency_change", args=[registry["agency"].pk]),
        reverse("admin:catalog_service_change", args=[registry["service"].pk]),
        reverse("admin:network_servicepoint_change", args=[office.service_points.first().pk]),
        reverse("admin:network_openinghoursperiod_change", args=[office.opening_periods.get().pk]),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_admin__service_officer_with_staff_flag__forbidden(client: Client, registry: dict) -> None:
    client.force_login(make_user(role=Role.SERVICE_OFFICER, is_staff=True))
    assert client.get(reverse("admin:network_office_changelist")).status_code == 403
    index = client.get(reverse("admin:index"))
    assert "network_office" not in str(index.context["app_list"])


def test_admin__not_staff__sent_to_login(client: Client, registry: dict) -> None:
    client.force_login(make_user(role=Role.OFFICE_MANAGER))
    response = client.get(reverse("admin:network_office_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@time_machine.travel(dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC), tick=False)
def test_office_admin__status_county_and_agency_filters(client: Client, registry: dict) -> None:
    log_in_network_admin(client)
    closed = make_office(
        code="arvika",
        opened_on=dt.date(2019, 6, 1),
        closed_on=dt.date(2025, 6, 1),
        county="Värmlands län",
    )
    planned = make_office(code="new", opened_on=dt.date(2026, 1, 1))
    url = reverse("admin:network_office_changelist")

    def listed(**params: str) -> set[str]:
        return {o.code for o in client.get(url, params).context["cl"].result_list}

    assert listed(status="operating") == {"kiruna"}
    assert listed(status="closed") == {closed.code}
    assert listed(status="planned") == {planned.code}
    assert listed(county="Värmlands län") == {"arvika"}
    assert listed(agency="skatteverket") == {"kiruna"}
    assert listed(q="värmland") == {"arvika"}


def test_office_admin__closed_before_opened__form_error(client: Client, registry: dict) -> None:
    log_in_network_admin(client)
    office = registry["office"]
    url = reverse("admin:network_office_change", args=[office.pk])
    data = form_data(client.get(url).content.decode())
    data["closed_on"] = "2019-01-01"
    response = client.post(url, data)
    assert response.status_code == 200
    assert shows(response, "The closing day must be after the opening day.")


def test_opening_hours_admin__period_with_weekly_hours__saved(
    client: Client, registry: dict
) -> None:
    log_in_network_admin(client)
    url = reverse("admin:network_openinghoursperiod_add")
    data = form_data(client.get(url).content.decode())
    data.update(
        {
            "office": registry["office"].pk,
            "name": "Summer",
            "valid_from": "2030-06-15",
            "valid_to": "2030-08-15",
            "hours-TOTAL_FORMS": "1",
            "hours-0-weekday": "0",
            "hours-0-opens": "10:00",
            "hours-0-closes": "14:00",
        }
    )
    assert client.post(url, data).status_code == 302
    summer = OpeningHoursPeriod.objects.get(name="Summer")
    assert [(h.weekday, h.opens, h.closes) for h in summer.hours.all()] == [
        (0, dt.time(10), dt.time(14))
    ]
