"""Who sees what: pages, exports and the API give an analyst only their agency.

admin (network administrator): all; fk_analyst: Försäkringskassan only; officer: nothing.
"""

import io

import pytest
from openpyxl import load_workbook

from servicekontor.costs import services
from tests.csv_files import read_csv

from .conftest import MONTH

REPORT = "/costs/report/?year=2025&month=3"


@pytest.fixture
def settled(world):
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    return world


def _csv_rows(content: bytes):
    return read_csv(content)


def test_report__admin_sees_all_and_totals_match_the_pools(settled, client):
    client.force_login(settled.admin)
    page = client.get(REPORT)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Försäkringskassan", "Pensionsmyndigheten", "Skatteverket"):
        assert name in html
    rows = _csv_rows(client.get(REPORT + "&format=csv").content)
    assert rows[-1][0] in ("Totalt", "Total")
    assert int(rows[-1][4]) == 15_200_000
    lines = _csv_rows(client.get(REPORT + "&format=csv&table=lines").content)
    # the amount after the unit of the quantities (walk F16)
    assert int(lines[-1][15]) == 15_200_000
    assert sum(int(r[15]) for r in lines[1:-1]) == 15_200_000
    book = load_workbook(io.BytesIO(client.get(REPORT + "&format=xlsx").content))
    summary, per_month, per_service, every_line = book.worksheets
    assert list(per_month.iter_rows(values_only=True))[-1][4] == 15_200_000
    assert list(summary.iter_rows(values_only=True))[-1][4] == 15_200_000
    assert list(every_line.iter_rows(values_only=True))[-1][15] == 15_200_000
    # No per-service figures were frozen (usage handed in): all of it is "no handled time".
    assert list(per_service.iter_rows(values_only=True))[-1][2] == 15_200_000


def test_report__analyst_sees_only_their_agency(settled, client):
    client.force_login(settled.fk_analyst)
    html = client.get(REPORT).content.decode()
    assert "Försäkringskassan" in html
    assert "Pensionsmyndigheten" not in html
    assert "Skatteverket" not in html
    assert "15 200 000" not in html and "152 000" not in html
    rows = _csv_rows(client.get(REPORT + "&format=csv").content)
    assert {r[0] for r in rows[1:-1]} == {"Försäkringskassan"}
    assert int(rows[-1][4]) == 5_036_667
    book = load_workbook(io.BytesIO(client.get(REPORT + "&format=xlsx").content))
    text = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    )
    assert "Skatteverket" not in text and "Pensionsmyndigheten" not in text
    # Asking for another agency is a 404, not a leak.
    assert client.get(REPORT + "&agency=skatteverket").status_code == 404


def test_report__officer_is_refused_everywhere(settled, client):
    client.force_login(settled.officer)
    for url in (
        "/costs/",
        REPORT,
        REPORT + "&format=csv",
        REPORT + "&format=xlsx",
        "/costs/compare/?month=2025-03&a=configured&b=visits",
        "/api/costs/summary/?year=2025",
        "/api/costs/lines/?year=2025",
        "/api/costs/services/?year=2025",
    ):
        assert client.get(url).status_code == 403, url
    refused = client.get("/api/costs/lines/?year=2025", HTTP_ACCEPT_LANGUAGE="sv")
    assert refused.json() == {
        "detail": "Kostnaderna är för nätverksadministratörer och myndighetsanalytiker."
    }


def test_api__scoped_like_the_pages(settled, client):
    client.force_login(settled.fk_analyst)
    rows = client.get("/api/costs/summary/?year=2025&month=3").json()["results"]
    assert {r["agency"] for r in rows} == {"forsakringskassan"}
    assert sum(r["total_ore"] for r in rows) == 5_036_667
    lines = client.get("/api/costs/lines/?year=2025").json()["results"]
    assert {ln["agency"] for ln in lines} == {"forsakringskassan"}
    client.force_login(settled.admin)
    lines = client.get("/api/costs/lines/?year=2025").json()["results"]
    assert sum(ln["amount_ore"] for ln in lines) == 15_200_000
    assert client.get("/api/costs/lines/?year=twenty").status_code == 400
    # Digits Python's isdigit() accepts but int() refuses, and non-ASCII digits: 400, not 500.
    for bad in ("year=²⁰²⁵", "year=٢٠٢٥", "year=2025&month=³", "year=99999999999999999999"):
        assert client.get(f"/api/costs/lines/?{bad}").status_code == 400, bad


def test_api__anonymous_refused_and_schema_documents_scope(settled, client):
    assert client.get("/api/costs/summary/?year=2025").status_code in (401, 403)
    bad_token = {"HTTP_AUTHORIZATION": "Bearer nope"}
    assert client.get("/api/costs/summary/?year=2025", **bad_token).status_code == 401
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/costs/summary/", "/api/costs/lines/", "/api/costs/services/"):
        operation = schema["paths"][path]["get"]
        assert "an agency analyst sees only their own agency" in operation["description"]
        assert {"apiToken": []} in operation["security"]


def test_compare__analyst_sees_own_difference_only(settled, client):
    client.force_login(settled.fk_analyst)
    page = client.get("/costs/compare/?month=2025-03&a=configured&b=visits")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Skatteverket" not in html
    assert "4\xa0299,99" in html  # the worked example's difference for F
    assert "%" not in html.split("<table")[1]  # no share of the total: it would reveal it


def test_what_if__admin_only(settled, client):
    client.force_login(settled.fk_analyst)
    assert client.get("/costs/what-if/").status_code == 403


def test_csv__formula_cells_are_neutralised():
    from servicekontor.core.spreadsheets import csv_bytes

    out = csv_bytes(["a"], [["=HYPERLINK(1)"], [-5], ["@x"]]).decode("utf-8-sig")
    assert out.split("\r\n") == ["a", "'=HYPERLINK(1)", "-5", "'@x", ""]


def test_api__analyst_token_sees_only_their_agency(settled, client):
    from servicekontor.reports.services import create_api_token

    token = create_api_token(user=settled.fk_analyst, name="FK ekonomisystem")
    rows = client.get("/api/costs/lines/?year=2025", HTTP_AUTHORIZATION=f"Bearer {token}").json()[
        "results"
    ]
    assert rows and {r["agency"] for r in rows} == {"forsakringskassan"}


def test_home__costs_link_for_admin_and_analyst_only(world, client):
    for user, shown in ((world.admin, True), (world.fk_analyst, True), (world.officer, False)):
        client.force_login(user)
        assert ('href="/costs/"' in client.get("/staff/").content.decode()) is shown, user
