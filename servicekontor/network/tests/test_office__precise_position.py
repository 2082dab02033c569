"""An administrator sets an office's own position (admin or CSV import): no longer approximate."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from servicekontor.network.models import CoordinateSource, Office
from servicekontor.network.tests.admin_forms import form_data, log_in_network_admin
from tests.factories import make_agency, make_office, make_service

pytestmark = pytest.mark.django_db
CSV = Path(__file__).parent / "csv"


def test_admin__position_typed__precise_and_set_by_an_administrator(client) -> None:
    office = make_office(code="kiruna")
    assert office.position_approximate
    log_in_network_admin(client)
    url = reverse("admin:network_office_change", args=[office.pk])
    data = form_data(client.get(url).content.decode())
    data.update(latitude="67.8560", longitude="20.2260")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    office.refresh_from_db()
    assert (office.latitude, office.longitude) == (67.856, 20.226)
    assert not office.position_approximate
    assert office.coordinate_source == CoordinateSource.ADMIN


def test_admin__position_typed_with_approximate_ticked__stays_approximate(client) -> None:
    office = make_office(code="kiruna")
    Office.objects.filter(pk=office.pk).update(position_approximate=False)
    log_in_network_admin(client)
    url = reverse("admin:network_office_change", args=[office.pk])
    data = form_data(client.get(url).content.decode())
    data.update(latitude="67.8560", longitude="20.2260", position_approximate="on")
    assert client.post(url, data).status_code == 302
    office.refresh_from_db()
    assert office.position_approximate


def test_import_offices__coordinates__precise_positions() -> None:
    skv = make_agency(code="skatteverket", letter="S")
    make_service(agency=skv, code="personbevis")
    make_office(code="kiruna", name="Kiruna")
    call_command(
        "import_offices",
        "--offices",
        str(CSV / "offices_ok.csv"),
        "--offerings",
        str(CSV / "offerings_for_new_office.csv"),
        stdout=None,
    )
    imported = Office.objects.filter(coordinate_source=CoordinateSource.IMPORTED)
    assert imported.count() >= 2
    assert not imported.filter(position_approximate=True).exists()
