"""The office finder filtered by agency (walk F3: "offices where I can get help with
Migrationsverket"): a plain select (no JavaScript), the agencies by the names the site uses,
only offices offering a service of the chosen agency that day, nearest first; the API's office
list has the same filter (`agency`, by code)."""

import csv
import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from servicekontor.catalog.models import Agency
from servicekontor.network.models import Offering
from servicekontor.network.reference_data import load_reference_data

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)  # Wednesday 11:00 in Stockholm


@pytest.fixture(autouse=True)
def network() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)


def _codes(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/(?:en/)?office/([^"/]+)/">', html)


def _offers(code: str, agency: str) -> bool:
    return (
        Offering.objects.valid_on(NOW.date())
        .filter(office__code=code, service__agency__code=agency)
        .exists()
    )


@time_machine.travel(NOW, tick=False)
def test_finder__agency_choice_is_a_plain_select_with_the_sites_names(client: Client) -> None:
    html = client.get("/").content.decode()
    select = re.search(r'<select name="agency"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    assert options[0] == ("", "Alla myndigheter")
    assert ("migrationsverket", "Migrationsverket") in options
    assert '<label for="id_agency">Hjälp med</label>' in html
    english = client.get("/en/").content.decode()
    assert '<option value="migrationsverket">Swedish Migration Agency</option>' in english
    assert '<option value="" selected>Any agency</option>' in english


@time_machine.travel(NOW, tick=False)
def test_finder__only_offices_helping_with_the_agency(client: Client) -> None:
    every = _codes(client.get("/", {"q": "Kista"}).content.decode())
    assert not all(_offers(code, "migrationsverket") for code in every)

    response = client.get("/", {"q": "Kista", "agency": "migrationsverket"})
    assert response.status_code == 200
    html = response.content.decode()
    found = _codes(html)
    assert len(found) == 10
    assert all(_offers(code, "migrationsverket") for code in found)
    assert "Kontor närmast Kista där du får hjälp med Migrationsverket" in html
    assert '<option value="migrationsverket" selected>' in html  # the choice is kept
    # Nearest first, as without the filter: the offices of the unfiltered list that offer it
    # come in the same order.
    assert [c for c in every if c in found] == found[: len([c for c in every if c in found])]
    english = client.get("/en/", {"q": "Kista", "agency": "migrationsverket"}).content.decode()
    # walk F7 (session 18): every English agency name takes "the"
    assert "Offices nearest Kista that help with the Swedish Migration Agency" in english


@time_machine.travel(NOW, tick=False)
def test_finder__agency_with_coordinates_and_unknown_agency(client: Client) -> None:
    by_position = client.get("/", {"lat": "67.85", "lon": "20.22", "agency": "migrationsverket"})
    assert all(_offers(c, "migrationsverket") for c in _codes(by_position.content.decode()))
    unknown = client.get("/", {"q": "Kista", "agency": "no-such-agency"})
    assert unknown.status_code == 400
    assert "Välj en av myndigheterna i listan." in unknown.content.decode()


@time_machine.travel(NOW, tick=False)
def test_finder__suggestions_keep_the_agency(client: Client) -> None:
    html = client.get("/", {"q": "Kirunaa", "agency": "migrationsverket"}).content.decode()
    links = re.findall(r'<li><a href="(\?q=[^"]+)">', html)
    assert links and all("agency=migrationsverket" in link for link in links)


@time_machine.travel(NOW, tick=False)
def test_api__offices_by_agency(client: Client) -> None:
    agency = Agency.objects.get(code="migrationsverket")
    response = client.get("/api/offices/", {"agency": agency.code})
    assert response.status_code == 200
    codes = [o["code"] for o in response.json()["results"]]
    assert codes and all(_offers(code, agency.code) for code in codes)


def test_finder__english_heading_takes_the_for_every_reference_agency() -> None:
    """The English heading says "help with the {agency}" (walk F7): right for every agency of
    the reference data, all named "Swedish … Agency/Service"."""
    with (settings.REFERENCE_DATA_DIR / "agencies.csv").open(encoding="utf-8") as f:
        names = [row["name_en"] for row in csv.DictReader(f)]
    assert names and all(n.startswith("Swedish ") for n in names), names
