"""Unknown is not zero: a figure that cannot be known (no visit recorded a year earlier, a
mean or share of nothing) is empty in CSV and Excel, null in the API (and said so in its
schema) and "–" with an explanation on the page; a real 0 stays 0."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.core.spreadsheets import read_csv_rows
from servicekontor.reports.agency_report import agency_month_report, agency_year_report
from servicekontor.reports.models import DayFigures, MonthFigures
from servicekontor.reports.scope import scope_for

MONTH = "2026-11"


@pytest.fixture
def last_year_at_office(served_world):
    """`office` had two Skatteverket visits in November 2025, neither served (a real 0);
    `other_office` has nothing recorded then (unknown)."""
    w = served_world
    counts = {"visits_walk_in": 2, "reached": 2, "left_queue": 2, "called": 2}
    common = {"office": w.office, "service": w.tax, "agency": w.skatteverket}
    DayFigures.objects.create(local_day=dt.date(2025, 11, 12), **common, **counts)
    MonthFigures.objects.create(month=dt.date(2025, 11, 1), **common, **counts)
    return w


def _rows(report):
    return {r.code: r.values for r in report.offices}


def test_month_report__last_year_unknown_is_none_and_a_real_zero_is_zero(
    last_year_at_office, people
):
    w = last_year_at_office
    report = agency_month_report(
        scope=scope_for(people.admin), agency=w.skatteverket, month=dt.date(2026, 11, 1)
    )
    rows = _rows(report)
    assert rows[w.office.code]["served_visits_last_year"] == 0
    assert rows[w.other_office.code]["served_visits_last_year"] is None
    assert report.total["served_visits_last_year"] == 0


def test_month_report__no_data_a_year_earlier_is_none_in_the_total(served_world, people):
    report = agency_month_report(
        scope=scope_for(people.admin), agency=served_world.skatteverket, month=dt.date(2026, 11, 1)
    )
    assert report.total["served_visits_last_year"] is None
    assert {r.values["served_visits_last_year"] for r in report.offices} == {None}
    assert {r.values["served_visits_last_year"] for r in report.services} == {None}


def test_year_report__unknown_months_offices_and_total_are_none(last_year_at_office, people):
    w = last_year_at_office
    report = agency_year_report(scope=scope_for(people.admin), agency=w.skatteverket, year=2026)
    assert [r.values["served_visits_last_year"] for r in report.months] == [0]
    offices = _rows(report)
    assert offices[w.office.code]["served_visits_last_year"] == 0
    assert offices[w.other_office.code]["served_visits_last_year"] is None
    assert report.total["served_visits_last_year"] == 0


def test_year_report__nothing_a_year_earlier_is_none_in_the_total(served_world, people):
    report = agency_year_report(
        scope=scope_for(people.admin), agency=served_world.skatteverket, year=2026
    )
    assert report.total["served_visits_last_year"] is None


def test_csv__unknown_is_an_empty_cell(last_year_at_office, people, client):
    w = last_year_at_office
    client.force_login(people.admin)
    body = client.get(reverse("reports:csv", args=[w.skatteverket.code, MONTH])).content
    lines = read_csv_rows(body.decode("utf-8"))
    last = [line[-1] for line in lines[1:]]  # the last column: served visits last year
    by_name = {line[0]: line[-1] for line in lines[1:]}
    assert by_name[w.office.name] == "0"
    assert by_name[w.other_office.name] == ""
    assert len(last) == 3  # two offices and the total


def test_xlsx__unknown_is_an_empty_cell(served_world, people, client):
    client.force_login(people.admin)
    response = client.get(reverse("reports:xlsx", args=[served_world.skatteverket.code, MONTH]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    col = len(list(sheet[1])) - 1  # the last column: served visits last year
    values = [row[col].value for row in sheet.iter_rows(min_row=2)]
    assert values and all(v is None for v in values)


def test_api__unknown_is_null_and_documented(last_year_at_office, people, client):
    w = last_year_at_office
    client.force_login(people.admin)
    data = client.get(reverse("statistics-agency-report", args=[w.skatteverket.code, MONTH]))
    offices = {o["code"]: o["values"] for o in data.json()["offices"]}
    assert offices[w.office.code]["served_visits_last_year"] == 0
    assert offices[w.other_office.code]["served_visits_last_year"] is None
    schema = client.get("/api/schema/?format=json")
    if schema.status_code != 200:
        schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    text = schema.content.decode()
    assert "null (unknown, not 0)" in text
    # the figures API's fields as the report's (decision 0100)
    assert "null (unknown, not 0): no visit called" in text
    assert "when no visit was called" not in text


def test_page__unknown_is_a_dash_with_an_explanation(served_world, people, client):
    client.force_login(people.admin)
    with translation.override("en"):
        page = client.get(
            reverse("reports:report", args=[served_world.skatteverket.code, MONTH])
        ).content.decode()
    assert "means unknown, not zero" in page
    assert "before the office opened" in page
    row = page.split("<tbody>")[1].split("</tr>")[0]
    assert row.rstrip().endswith("<td>–</td>")
