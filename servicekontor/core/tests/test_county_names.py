"""Counties (län) on English pages by their English name ("Västra Götaland County"), from
reference_data/counties.csv; on Swedish pages as the data carries them."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from servicekontor.core.geography import county_name
from tests.factories import make_office

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _counties_of_the_data() -> set[str]:
    with open(Path(settings.REFERENCE_DATA_DIR) / "localities_se.csv", encoding="utf-8") as f:
        return {row["county"] for row in csv.DictReader(f)}


def test_counties__every_county_of_the_data_has_its_english_name():
    counties = _counties_of_the_data()
    assert len(counties) == 21
    for county in counties:
        english = county_name(county, "en")
        assert english != county, county
        assert english.endswith(" County") and "län" not in english, english


@pytest.mark.parametrize(
    ("sv", "en"),
    [
        ("Västra Götalands län", "Västra Götaland County"),
        ("Stockholms län", "Stockholm County"),
        ("Skåne län", "Skåne County"),
        ("Kalmar län", "Kalmar County"),
        ("Norrbottens län", "Norrbotten County"),
    ],
)
def test_county_name__english_on_english_pages_swedish_on_swedish(sv, en):
    assert county_name(sv, "en") == en
    assert county_name(sv, "sv") == sv
    with translation.override("en"):
        assert county_name(sv) == en
        assert Template("{% load places %}{{ c|county }}").render(Context({"c": sv})) == en
    with translation.override("sv"):
        assert county_name(sv) == sv


def test_county_name__a_name_not_in_the_table_as_it_is():
    assert county_name("Nya länet", "en") == "Nya länet"


def test_templates__every_county_shown_goes_through_the_filter():
    """A template that prints a county (`….county }}`, a `by_county` key) without `|county`
    would show the Swedish name on English pages."""
    unfiltered = []
    for path in TEMPLATES.rglob("*.html"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for printed in re.findall(r"\{\{\s*([^}|]*county[^}|]*)\}\}", line):
                unfiltered.append(f"{path.relative_to(TEMPLATES)}:{n}: {printed.strip()}")
    assert unfiltered == []


@pytest.mark.django_db
def test_office_page__county_in_the_page_language(client: Client):
    office = make_office(code="boras", name="Borås", county="Västra Götalands län")
    english = client.get(f"/en/office/{office.code}/").content.decode()
    assert "Västra Götaland County" in english and "Västra Götalands län" not in english
    swedish = client.get(f"/office/{office.code}/").content.decode()
    assert "Västra Götalands län" in swedish and "County" not in swedish
