"""Decision 0101: an office open on a day offers at least one agency's services (the admin,
the CSV import; the data check lists what is already stored), and its county is one of
Sweden's 21 (the admin offers them; the import and the data check refuse others)."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicekontor.network.dates import DateSpan, new_gaps, uncovered
from servicekontor.network.models import Office
from servicekontor.network.tests.admin_forms import form_data, log_in_network_admin
from tests.factories import make_agency, make_offering, make_office, make_service

D = dt.date


def test_uncovered_and_new_gaps():
    span = DateSpan(D(2020, 1, 1), D(2020, 12, 31))
    covers = [DateSpan(D(2020, 3, 1), D(2020, 5, 31)), DateSpan(D(2020, 8, 1), None)]
    assert uncovered(span, covers) == [
        DateSpan(D(2020, 1, 1), D(2020, 2, 29)),
        DateSpan(D(2020, 6, 1), D(2020, 7, 31)),
    ]
    # a gap already there before the edit is not new; one the edit makes is
    before = [DateSpan(D(2020, 1, 1), None), DateSpan(D(2020, 3, 1), None)]
    assert new_gaps(span, covers, before=before) == [DateSpan(D(2020, 6, 1), D(2020, 7, 31))]


@pytest.fixture
def registry(db) -> dict:
    skv = make_agency(code="skatteverket", letter="S")
    service = make_service(agency=skv, code="personbevis")
    kiruna = make_office(code="kiruna", name="Kiruna", opened_on=D(2019, 6, 1))
    offering = make_offering(office=kiruna, service=service, valid_from=D(2019, 6, 1))
    return {"kiruna": kiruna, "service": service, "offering": offering}


def _add_form(client: Client) -> dict:
    data = form_data(client.get(reverse("admin:network_office_add")).content.decode())
    data.update(
        code="pajala",
        name="Pajala",
        municipality="Pajala",
        county="Norrbottens län",
        latitude="67.21",
        longitude="23.37",
        opened_on="2027-01-01",
    )
    return data


def test_admin__new_office_without_offerings__refused_saying_why(client: Client, registry):
    log_in_network_admin(client)
    response = client.post(reverse("admin:network_office_add"), _add_form(client))
    assert response.status_code == 200
    assert "erbjuder minst en myndighets tjänster" in response.content.decode()
    assert not Office.objects.filter(code="pajala").exists()


def test_admin__new_office_with_an_offering__saved(client: Client, registry):
    log_in_network_admin(client)
    data = _add_form(client)
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS") and "offering" in k).split("-")[0]
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-service": str(registry["service"].pk),
            f"{prefix}-0-valid_from": "2027-01-01",
        }
    )
    response = client.post(reverse("admin:network_office_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Office.objects.get(code="pajala").offerings.count() == 1


def test_admin__ending_the_only_offering_of_an_open_office__refused(client: Client, registry):
    log_in_network_admin(client)
    office = registry["kiruna"]
    url = reverse("admin:network_office_change", args=[office.pk])
    data = form_data(client.get(url).content.decode())
    key = next(k for k in data if k.endswith("-0-valid_to"))
    data[key] = "2026-12-31"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "2027-01-01–…" in response.content.decode()
    assert office.offerings.get().valid_to is None


def test_admin__county_is_chosen_from_the_21(client: Client, registry):
    log_in_network_admin(client)
    office = registry["kiruna"]
    url = reverse("admin:network_office_change", args=[office.pk])
    html = client.get(url).content.decode()
    select = html.split('name="county"', 1)[1].split("</select>", 1)[0]
    assert select.count("<option") == 22  # "—" and the 21 counties
    data = form_data(html)
    data["county"] = "Atlantis län"
    response = client.post(url, data)
    assert response.status_code == 200
    office.refresh_from_db()
    assert office.county == "Norrbottens län"


def test_data_check__lists_unknown_counties_and_offices_offering_nothing(registry):
    make_office(code="typo", name="Typo", county="Norrbotten", opened_on=D(2019, 6, 1))
    out = StringIO()
    call_command("check_network", stdout=out)
    text = out.getvalue()
    assert "typo: 'Norrbotten'" in text
    assert "typo: Typo" in text and "kiruna: Kiruna" not in text


def _csv(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


HEADER = "code,name,municipality,county,street_address,postal_code,postal_town,latitude,longitude,opened_on,closed_on,source\n"


def test_import__an_office_with_no_offering_or_an_unknown_county__refused(tmp_path, registry):
    offices = _csv(
        tmp_path,
        "offices.csv",
        HEADER
        + "boden,Boden,Boden,Norrbottens län,,,,65.82518,21.68856,2027-01-01,,\n"
        + "arvid,Arvidsjaur,Arvidsjaur,Norrbotten,,,,65.59,19.17,2027-01-01,,\n",
    )
    with translation.override("en"), pytest.raises(CommandError):
        err = StringIO()
        call_command("import_offices", "--offices", offices, stdout=StringIO(), stderr=err)
    text = err.getvalue()
    assert "county “Norrbotten” is not one of Sweden's 21 counties" in text
    offerings = _csv(
        tmp_path,
        "offerings.csv",
        "office_code,agency_code,service_code,valid_from,valid_to,source\n"
        "boden,skatteverket,personbevis,2027-03-01,,\n",
    )
    offices = _csv(
        tmp_path,
        "offices2.csv",
        HEADER + "boden,Boden,Boden,Norrbottens län,,,,65.82518,21.68856,2027-01-01,,\n",
    )
    with translation.override("en"), pytest.raises(CommandError):
        err = StringIO()
        call_command(
            "import_offices",
            "--offices",
            offices,
            "--offerings",
            offerings,
            stdout=StringIO(),
            stderr=err,
        )
    assert (
        "office “boden” would be open with no agency's services 2027-01-01–2027-02-28"
        in err.getvalue()
    )
    assert not Office.objects.filter(code="boden").exists()
