"""The real reference data loads, twice, and answers the dated questions correctly."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from servicekontor.catalog.models import Agency, Service
from servicekontor.network import registry_cache
from servicekontor.network.models import CoordinateSource, Offering, Office
from servicekontor.network.queries import offerings_on, offices_offering, offices_operating_on
from servicekontor.network.reference_data import (
    ReferenceDataError,
    load_reference_data,
    locate,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def loaded(reference_data_per_module: None) -> None:
    """The real reference data, loaded once for this module (every test here may see it)."""
    # A fresh registry version per test, as loading per test gave: an entry cached by an
    # earlier test (whose writes are rolled back) is not read by this one.
    registry_cache.registry_changed()


def test_load_reference_data__twice__second_run_creates_nothing(loaded: None) -> None:
    counts = (Office.objects.count(), Offering.objects.count(), Service.objects.count())
    report = load_reference_data(settings.REFERENCE_DATA_DIR)
    assert report.created == {} and report.updated == {} and report.kept == {}
    assert (Office.objects.count(), Offering.objects.count(), Service.objects.count()) == counts
    assert counts[0] == 79
    assert set(Agency.objects.values_list("ticket_letter", flat=True)) == set("FPSAM")


def test_load_reference_data__keeps_admin_edits(loaded: None) -> None:
    Office.objects.filter(code="kista").update(street_address="Kistagången 1")
    load_reference_data(settings.REFERENCE_DATA_DIR)
    assert Office.objects.get(code="kista").street_address == "Kistagången 1"


def test_network__takeover_day__offices_and_three_agencies(loaded: None) -> None:
    assert not offices_operating_on(day=D(2019, 5, 31)).exists()
    on_takeover = offices_operating_on(day=D(2019, 6, 1))
    assert on_takeover.filter(code="kista").exists()
    assert not on_takeover.filter(code="boden").exists()  # opened in phase 1 (2022)
    kista = Office.objects.get(code="kista")
    agencies = {o.service.agency.code for o in offerings_on(office=kista, day=D(2019, 6, 1))}
    assert agencies == {"forsakringskassan", "pensionsmyndigheten", "skatteverket"}


def test_network__closures_2025__last_day_and_first_closed_day(loaded: None) -> None:
    arvika = Office.objects.get(code="arvika")
    assert arvika.closed_on == D(2025, 5, 31) and arvika.closed_precision == "day"
    assert offerings_on(office=arvika, day=D(2025, 5, 30)).exists()  # the last visiting day
    assert not offerings_on(office=arvika, day=D(2025, 5, 31)).exists()
    closed = {"arvika", "bollnas", "filipstad", "kungalv", "landskrona", "lindesberg", "motala"}
    open_codes = set(offices_operating_on(day=D(2025, 7, 1)).values_list("code", flat=True))
    assert not closed & open_codes
    assert {"kista", "kiruna", "visby"} <= open_codes


def test_network__migrationsverket__pilot_2021_then_14_more_from_autumn_2023(loaded: None) -> None:
    service = Service.objects.get(agency__code="migrationsverket", code="lamna-handlingar")
    assert offices_offering(service=service, day=D(2021, 8, 31)).count() == 0
    pilot = offices_offering(service=service, day=D(2021, 9, 1))
    assert set(pilot.values_list("code", flat=True)) == {"borlange", "mariestad", "visby"}
    assert offices_offering(service=service, day=D(2023, 8, 31)).count() == 3
    assert offices_offering(service=service, day=D(2023, 9, 1)).count() == 3 + 14


def test_network__id_card__appointment_only_at_some_offices(loaded: None) -> None:
    id_card = Service.objects.get(agency__code="skatteverket", code="id-kort")
    assert id_card.mode == "appointment_only" and id_card.requires_identification
    offering_offices = offices_offering(service=id_card, day=D(2026, 1, 1))
    assert 0 < offering_offices.count() < 20
    for office in offering_offices:
        assert office.service_points.filter(capabilities__code="id-photo").exists()


def test_network__coordinates__from_geonames_with_district_fallback_flagged(loaded: None) -> None:
    kista = Office.objects.get(code="kista")
    assert kista.coordinate_source == CoordinateSource.LOCALITY
    araby = Office.objects.get(code="vaxjo-araby")
    vaxjo = Office.objects.get(code="vaxjo")
    assert araby.coordinate_source == CoordinateSource.CITY_FALLBACK
    assert (araby.latitude, araby.longitude) == (vaxjo.latitude, vaxjo.longitude)
    goteborg = Office.objects.get(code="goteborg-backaplan")
    assert goteborg.county == "Västra Götalands län"
    assert 57.6 < goteborg.latitude < 57.8


def test_locate__unknown_place_without_fallback__error() -> None:
    with pytest.raises(ReferenceDataError):
        locate("Ingenstans", "")


def test_load_reference_data__all_days_dated_with_precision(loaded: None) -> None:
    assert Office.objects.filter(opened_precision="year").count() > 20
    solleftea = Office.objects.get(code="solleftea")
    assert solleftea.opened_on == D(2019, 11, 1) and solleftea.opened_precision == "month"
    assert Path(settings.REFERENCE_DATA_DIR, "sources.csv").exists()
