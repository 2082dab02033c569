"""check_network: the registry against the published counts; shared positions are marked."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command

from servicekontor.core.geography import find_locality
from servicekontor.network import registry_cache
from servicekontor.network.models import Office
from servicekontor.network.network_check import (
    check_network,
    read_published_counts,
    shared_positions,
)
from servicekontor.network.queries import offices_operating_on

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def loaded(reference_data_per_module: None) -> None:
    """The real reference data, loaded once for this module (none of its tests needs an
    empty registry: those are in test_coverage_warning.py)."""
    # A fresh registry version per test, as loading per test gave: an entry cached by an
    # earlier test (whose writes are rolled back) is not read by this one.
    registry_cache.registry_changed()


def test_published_counts__the_issue_figures__with_a_source_each() -> None:
    counts = {(c.day, c.kind): c for c in read_published_counts()}
    for day, count in [
        (D(2019, 6, 1), 113),
        (D(2022, 1, 1), 118),
        (D(2022, 6, 1), 123),
        (D(2022, 12, 1), 126),
        (D(2023, 6, 1), 135),
        (D(2023, 12, 1), 138),
        (D(2025, 1, 1), 148),
    ]:
        assert counts[(day, "offices")].count == count
        assert counts[(day, "offices")].source
    assert any(
        c.kind == "offices" and c.day.year == 2020 and c.count == 117 for c in counts.values()
    )
    assert counts[(D(2019, 6, 1), "offices")].source.count("https://") == 1
    assert counts[(D(2023, 12, 1), "offerings")].count == 33
    assert counts[(D(2023, 12, 1), "places")].count == 27


def test_check_network__gap_per_published_count__is_the_registry_count_on_that_day(
    loaded: None,
) -> None:
    checks = check_network()
    assert len(checks) == len(read_published_counts())
    for check in checks:
        if check.published.kind == "offices":
            operating = offices_operating_on(day=check.published.day).count()
            assert check.registry == operating
            assert check.difference == operating - check.published.count
    on_2025 = next(c for c in checks if c.published.day == D(2025, 1, 1))
    assert on_2025.registry == 77 and on_2025.difference == -71 and on_2025.warns


def test_check_network__migrationsverket__offices_and_places_in_december_2023(loaded: None) -> None:
    checks = {(c.published.kind, c.published.agency_code): c for c in check_network()}
    offices = checks[("offerings", "migrationsverket")]
    places = checks[("places", "migrationsverket")]
    assert (offices.registry, offices.published.count) == (17, 33)
    assert places.registry <= offices.registry and places.published.count == 27


def test_check_network_command__one_line_per_count_with_the_difference(loaded: None) -> None:
    out = StringIO()
    call_command("check_network", stdout=out)
    text = out.getvalue()
    assert re.search(r"2019-06-01\s+offices\s+113\s+\d+\s+-\d+", text)
    assert re.search(r"2025-01-01\s+offices\s+148\s+77\s+-71\s+48% !", text)
    assert re.search(r"2023-12\s+offerings \(migrationsverket\)\s+33\s+17\s+-16", text)
    assert "https://www.statenssc.se/nyheter/nyhetsarkiv/2021-09-29" in text


def test_positions__no_two_operating_offices_share_a_point_unless_marked(loaded: None) -> None:
    days = [c.published.day for c in check_network()] + [D(2026, 11, 30)]
    for day in days:
        for group in shared_positions(day=day):
            assert all(o.position_approximate for o in group), [o.code for o in group]


def test_positions__districts_with_a_sourced_centre__not_on_their_city_point(loaded: None) -> None:
    for code, city in [
        ("liljeholmen", "Stockholm"),
        ("kista", "Stockholm"),
        ("rinkeby", "Stockholm"),
        ("skaggetorp", "Linköping"),
        ("gottsunda", "Uppsala"),
        ("goteborg-biskopsgarden", "Göteborg"),
        ("malmo-rosengard", "Malmö"),
        ("orebro-vivalla", "Örebro"),
        ("helsingborg", "Helsingborg"),
    ]:
        office, centre = Office.objects.get(code=code), find_locality(city)
        assert centre is not None
        assert (office.latitude, office.longitude) != (centre.latitude, centre.longitude), code
        assert office.position_approximate  # a district's centre is not the office itself


def test_positions__namesake_elsewhere__uses_the_city(loaded: None) -> None:
    varnhem = Office.objects.get(code="malmo-varnhem")  # not Varnhem near Skara
    assert varnhem.county == "Skåne län" and varnhem.coordinate_source == "geonames_city_fallback"


@pytest.mark.django_db
def test_planning_page__published_counts_name_the_agency_not_its_code(loaded: None, client) -> None:
    """Walk finding (browser, 2026-11-30): the planning page's table of published counts said
    "kontor som erbjuder migrationsverket", the agency's code; it now names the agency."""
    from django.urls import reverse

    from tests.factories import make_user

    client.force_login(make_user(role="network_admin", username="nadia"))
    body = client.get(reverse("planning:index")).content.decode()
    assert "kontor som erbjuder Migrationsverket" in body
    assert "orter som erbjuder Migrationsverket" in body
    assert "erbjuder migrationsverket" not in body
