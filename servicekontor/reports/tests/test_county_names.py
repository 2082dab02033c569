"""One name per county per language, on the statistics pages and in their files.

Walk finding F24: the analyst's English CSV of the agency report had English headers and
decimal points but the County column in Swedish ("Norrbottens län") while every English page
said "Norrbotten County". The month and year tables (page, CSV, Excel) now name the county
in the language asked for.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.reports import agency_report
from servicekontor.reports.queries import Figures

NAMES = {"sv": "Norrbottens län", "en": "Norrbotten County"}


@pytest.fixture
def one_office(world, monkeypatch):
    f = Figures(visits_walk_in=1, reached=1, served=1, called=1, handled_seconds=60)
    keys = {(): (), ("office",): (world.office.pk,), ("service",): (world.tax.pk,)}
    keys[("month",)] = (dt.date(2026, 10, 1),)

    def fake_figures(*, by=(), waits=True, **kwargs):
        by = tuple(by)
        if by not in keys:
            return {}
        return {keys[by]: f} if waits else {}

    monkeypatch.setattr(agency_report, "figures", fake_figures)
    assert world.office.county == NAMES["sv"]
    return world


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    ("page", "csv", "xlsx", "period"),
    [("report", "csv", "xlsx", "2026-10"), ("year", "year_csv", "year_xlsx", "2026")],
)
def test_county_named_alike_on_page_csv_and_excel(
    client, one_office, people, clock_at, language, page, csv, xlsx, period
):
    code = one_office.skatteverket.code
    client.force_login(people.tax_analyst)
    other = NAMES["en" if language == "sv" else "sv"]
    with translation.override(language):
        html = client.get(reverse(f"reports:{page}", args=[code, period])).content.decode()
        text = client.get(reverse(f"reports:{csv}", args=[code, period])).content
        book = client.get(reverse(f"reports:{xlsx}", args=[code, period])).content
    cells = [
        c.value for sheet in openpyxl.load_workbook(io.BytesIO(book)) for r in sheet for c in r
    ]
    for where, body in (("page", html), ("csv", text.decode("utf-8-sig")), ("xlsx", cells)):
        if not (page == "year" and where == "csv"):  # the year's CSV has the months only
            assert NAMES[language] in body, where
        assert other not in body, where
