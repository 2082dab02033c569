"""Walk F23: the cost report of a year rendered every settled line inline (3,222 rows,
1.4 MB, growing with each settled month). The page shows the summaries and the number of
lines with where to get them; the lines are in the CSV/Excel and a page at a time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine

from servicekontor.core.clock import STOCKHOLM
from servicekontor.costs import queries, services
from servicekontor.costs.models import SettlementLine

from .conftest import MONTH, add_pools

MONTHS = [dt.date(2025, m, 1) for m in range(3, 10)]  # seven settled months


@pytest.fixture
def settled_year(world):
    for month in MONTHS:
        if month != MONTH:
            add_pools(world, month)
        services.settle_month(month=month, by=world.admin, usage=world.usage(), service_usage=[])
    return world


def _rows(body: str) -> int:
    return len(re.findall(r"<tr[\s>]", body))


@pytest.fixture
def after_the_year():
    with time_machine.travel(dt.datetime(2026, 1, 15, 12, tzinfo=STOCKHOLM), tick=False):
        yield


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", "rader; de visas inte på den här sidan"),
        ("/en", "lines; they are not shown on this page"),
    ],
)
def test_year_page__rows_bounded_lines_counted_and_linked(
    settled_year, client, after_the_year, prefix, words
):
    client.force_login(settled_year.admin)
    lines = SettlementLine.objects.count()
    assert lines >= 60
    body = client.get(f"{prefix}/costs/report/", {"year": "2025"}).content.decode()
    # summaries only: per agency×office, per agency×month, per agency×service; no line rows
    assert _rows(body) < 60 < lines
    assert f"{lines} {words}" in body
    assert "/costs/report/lines/?year=2025" in body
    assert "format=csv&amp;table=lines" in body and "format=xlsx" in body
    # one more settled month does not add a line's row to the page, only a month's (3 agencies)
    one_month = client.get(f"{prefix}/costs/report/", {"year": "2025", "month": "3"})
    assert _rows(one_month.content.decode()) < 30


def test_year_page__figures_unchanged(settled_year, client, after_the_year):
    """The summary's total is the sum of every line, as before."""
    client.force_login(settled_year.admin)
    response = client.get("/en/costs/report/", {"year": "2025"})
    rep = queries.agency_report(start=MONTHS[0], end=dt.date(2025, 12, 1), agency_ids=None)
    total = sum(ln.amount_ore for ln in SettlementLine.objects.all())
    assert response.context["rows"][-1][4] == total == sum(r.total_ore for r in rep.rows)
    assert f"{total:,}" in response.content.decode()


def test_csv__still_every_line(settled_year, client, after_the_year):
    client.force_login(settled_year.admin)
    response = client.get("/en/costs/report/", {"year": "2025", "format": "csv", "table": "lines"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=text.split("\r\n")[0][5]))
    # header, every line, the total row
    assert len(rows) == SettlementLine.objects.count() + 2


@pytest.mark.parametrize(("prefix", "words"), [("", "Rader 51–100 av"), ("/en", "Lines 51–100 of")])
def test_lines_page__a_page_at_a_time(settled_year, client, after_the_year, prefix, words):
    client.force_login(settled_year.admin)
    lines = SettlementLine.objects.count()
    url = f"{prefix}/costs/report/lines/"
    page = client.get(url, {"year": "2025", "per_page": "50", "page": "2"})
    assert page.status_code == 200
    body = page.content.decode()
    assert _rows(body) == 1 + 50  # the header and 50 lines
    assert f"{words} {lines}" in body
    assert 'rel="next"' in body and 'rel="prev"' in body
    # the pages together are every line, once
    seen = 0
    for n in range(1, lines // 50 + 2):
        seen += len(
            client.get(url, {"year": "2025", "per_page": "50", "page": str(n)})
            .context["page"]
            .object_list
        )
    assert seen == lines


def test_lines_page__by_month_office_and_agency(settled_year, client, after_the_year):
    world = settled_year
    client.force_login(world.admin)
    url = "/en/costs/report/lines/"
    query = {"year": "2025", "month": "4", "office": "lulea", "agency": "skatteverket"}
    page = client.get(url, {**query, "per_page": "500"})
    shown = page.context["page"].object_list
    expected = SettlementLine.objects.filter(
        month=dt.date(2025, 4, 1), office=world.lulea, agency=world.s
    )
    assert len(shown) == expected.count() > 0
    assert {ln.pk for ln in shown} == {ln.pk for ln in expected}
    # the filters are a plain GET form (no JavaScript), each kept as chosen
    body = page.content.decode()
    for name in ("month", "agency", "office", "per_page"):
        assert f'name="{name}"' in body
    assert '<option value="4" selected>2025-04</option>' in body
    assert '<option value="lulea" selected>' in body
    assert '<option value="skatteverket" selected>' in body
    # an analyst sees only their agency's lines
    client.force_login(world.fk_analyst)
    mine = client.get(url, {"year": "2025", "per_page": "500"}).context["page"].object_list
    assert mine and {ln.agency_id for ln in mine} == {world.f.pk}
