import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from servicekontor.network.models import Offering
from servicekontor.network.tests.admin_forms import form_data, log_in_network_admin, shows
from tests.factories import make_agency, make_offering, make_office, make_service

OVERLAP = "This office already offers this service in part of that period."

pytestmark = pytest.mark.django_db

JUNE_1 = dt.date(2019, 6, 1)


@pytest.fixture
def setup(client: Client) -> dict:
    log_in_network_admin(client)
    skv = make_agency(code="skatteverket", letter="S")
    fk = make_agency(code="forsakringskassan", letter="F")
    kiruna = make_office(code="kiruna", name="Kiruna")
    umea = make_office(code="umea", name="Umeå")
    id_card = make_service(agency=skv, code="id-kort")
    parental = make_service(agency=fk, code="foraldrapenning")
    ended = make_offering(
        office=kiruna, service=parental, valid_from=JUNE_1, valid_to=dt.date(2020, 12, 31)
    )
    current = make_offering(office=kiruna, service=id_card, valid_from=dt.date(2021, 1, 1))
    other = make_offering(office=umea, service=parental, valid_from=JUNE_1)
    return {
        "client": client,
        "kiruna": kiruna,
        "umea": umea,
        "id_card": id_card,
        "parental": parental,
        "ended": ended,
        "current": current,
        "other": other,
        "fk": fk,
    }


def _listed(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


def test_offering_admin__valid_on_date__shows_only_offerings_valid_that_day(setup: dict) -> None:
    url = reverse("admin:network_offering_changelist")
    client = setup["client"]

    assert _listed(client.get(url, {"valid_on": "2020-12-31"})) == {
        setup["ended"].pk,
        setup["other"].pk,
    }
    assert _listed(client.get(url, {"valid_on": "2021-01-01"})) == {
        setup["current"].pk,
        setup["other"].pk,
    }
    assert _listed(client.get(url, {"valid_on": "2019-05-31"})) == set()


def test_offering_admin__valid_on_date_with_other_filters__combines(setup: dict) -> None:
    url = reverse("admin:network_offering_changelist")
    response = setup["client"].get(
        url, {"valid_on": "2020-06-01", "office__id__exact": setup["kiruna"].pk}
    )
    assert _listed(response) == {setup["ended"].pk}
    # The date form keeps the office filter as a hidden field.
    assert f'name="office__id__exact" value="{setup["kiruna"].pk}"' in response.content.decode()


def test_offering_admin__bad_valid_on_date__redirects_with_error_flag(setup: dict) -> None:
    response = setup["client"].get(
        reverse("admin:network_offering_changelist"), {"valid_on": "2021-02-30"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_offering_admin__filters_by_agency_service_office_and_state(setup: dict) -> None:
    url = reverse("admin:network_offering_changelist")
    client = setup["client"]
    assert _listed(client.get(url, {"service__agency__id__exact": setup["fk"].pk})) == {
        setup["ended"].pk,
        setup["other"].pk,
    }
    assert _listed(client.get(url, {"service__id__exact": setup["id_card"].pk})) == {
        setup["current"].pk
    }
    assert _listed(client.get(url, {"office__id__exact": setup["umea"].pk})) == {setup["other"].pk}
    assert _listed(client.get(url, {"state": "ended"})) == {setup["ended"].pk}
    assert _listed(client.get(url, {"q": "umea"})) == {setup["other"].pk}


def test_offering_admin__add_overlapping__form_error_not_server_error(setup: dict) -> None:
    response = setup["client"].post(
        reverse("admin:network_offering_add"),
        {
            "office": setup["kiruna"].pk,
            "service": setup["parental"].pk,
            "valid_from": "2020-12-31",
            "valid_to": "",
            "source": "",
        },
    )
    assert response.status_code == 200
    assert shows(response, OVERLAP)
    assert Offering.objects.count() == 3


def test_offering_admin__add_after_the_ended_one__saved(setup: dict) -> None:
    response = setup["client"].post(
        reverse("admin:network_offering_add"),
        {
            "office": setup["kiruna"].pk,
            "service": setup["parental"].pk,
            "valid_from": "2021-01-01",
            "valid_to": "",
            "source": "",
        },
    )
    assert response.status_code == 302
    assert Offering.objects.filter(office=setup["kiruna"], service=setup["parental"]).count() == 2


def test_office_admin__offering_history__ended_included_oldest_first(setup: dict) -> None:
    response = setup["client"].get(
        reverse("admin:network_office_change", args=[setup["kiruna"].pk])
    )
    assert response.status_code == 200
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Offering
    )
    assert [form.instance.pk for form in formset.forms] == [
        setup["ended"].pk,
        setup["current"].pk,
    ]


def test_office_admin__inline_rows_overlapping_each_other__form_error(setup: dict) -> None:
    client = setup["client"]
    url = reverse("admin:network_office_change", args=[setup["kiruna"].pk])
    data = form_data(client.get(url).content.decode())
    # Two new rows of the same service that overlap each other (neither overlaps the DB rows).
    total = int(data["offerings-TOTAL_FORMS"])
    for i, (first, last) in enumerate([("2030-01-01", "2030-12-31"), ("2030-06-01", "")]):
        prefix = f"offerings-{total + i}"
        data.update(
            {
                f"{prefix}-service": setup["parental"].pk,
                f"{prefix}-valid_from": first,
                f"{prefix}-valid_to": last,
                f"{prefix}-source": "",
                f"{prefix}-office": setup["kiruna"].pk,
            }
        )
    data["offerings-TOTAL_FORMS"] = str(total + 2)
    response = client.post(url, data)
    assert response.status_code == 200
    assert shows(response, OVERLAP)
    assert Offering.objects.count() == 3


def test_office_admin__inline_new_row_after_history__saved(setup: dict) -> None:
    client = setup["client"]
    url = reverse("admin:network_office_change", args=[setup["kiruna"].pk])
    data = form_data(client.get(url).content.decode())
    total = int(data["offerings-TOTAL_FORMS"])
    prefix = f"offerings-{total}"
    data.update(
        {
            f"{prefix}-service": setup["parental"].pk,
            f"{prefix}-valid_from": "2022-01-01",
            f"{prefix}-valid_to": "",
            f"{prefix}-source": "",
            f"{prefix}-office": setup["kiruna"].pk,
        }
    )
    data["offerings-TOTAL_FORMS"] = str(total + 1)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Offering.objects.filter(office=setup["kiruna"]).count() == 3
