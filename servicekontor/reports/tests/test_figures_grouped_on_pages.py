"""Every figure a page shows is grouped as its language writes it (sv "12 345", en "12,345")
with its column's decimals (`core.rounding.shown`); the files of the same rows carry the
numbers as they are (`exported`).

Found in session 15 (branch steerfix): the monthly and yearly reports' tables, the staffing
pages' tables and the dashboards' median waits printed the files' numbers as Django prints a
number (localized, never grouped: "12345", "1234,5"), the costs page its line count ("12345
lines") and the change plan's adoption its row counts; planning's km and % were formatted
without grouping ("1234,5 km").
"""

import datetime as dt
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from servicekontor.core.templatetags.table_cells import with_places
from servicekontor.costs.templatetags.costs_format import amount, kr, minutes, percent
from servicekontor.planning.templatetags.planning_tags import km, pct
from servicekontor.reports import agency_report
from servicekontor.reports.templatetags.report_tags import count
from servicekontor.staffing import exports as staffing_exports

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "sv",
            [
                ("Kista", False),
                ("–", False),
                (f"12{NBSP}345", True),
                (f"1{NBSP}234,5", True),
                ("15,0", True),
                ("7", True),
            ],
        ),
        (
            "en",
            [
                ("Kista", False),
                ("–", False),
                ("12,345", True),
                ("1,234.5", True),
                ("15.0", True),
                ("7", True),
            ],
        ),
    ],
)
def test_with_places__grouped_fixed_decimals_dash_for_none(language, expected):
    row = ["Kista", None, 12345, 1234.45, 14.95, 7]
    with translation.override(language):
        assert with_places(row, [None, None, 0, 1, 1]) == expected  # the last: as `cell`


def test_with_places__a_nan_is_no_figure():
    with translation.override("sv"):
        assert with_places([float("nan")], [1]) == [("–", True)]


def _report(rf, rows: list[list[object]]) -> str:
    month = dt.date(2026, 10, 1)
    report = SimpleNamespace(
        agency=SimpleNamespace(name="Skatteverket", code="skatteverket"),
        month=month,
        running=False,
        offices=[object()],
    )
    return render_to_string(
        "reports/agency_report.html",
        {
            "report": report,
            "month": "2026-10",
            "header": ["Office", "County", *[str(label) for _k, label in agency_report.COLUMNS]],
            "rows": rows,
            "places": agency_report.column_places(2),
            "service_header": [],
            "service_rows": [],
            "service_places": agency_report.column_places(1),
            "unknown_notes": [],
        },
        request=rf.get("/"),
    )


def test_monthly_report_page__counts_grouped_minutes_with_one_decimal(rf):
    values: dict[str, float | None] = {key: 12345 for key, _label in agency_report.COLUMNS}
    values |= {"handled_minutes": 123456.7, "mean_wait_minutes": 15.0, "median_wait_minutes": None}
    row: list[object] = [
        "Kista",
        "Stockholms län",
        *[values[k] for k, _label in agency_report.COLUMNS],
    ]
    with translation.override("sv"):
        body = _report(rf, [row])
    assert f'<td class="num">12{NBSP}345</td>' in body
    assert f'<td class="num">123{NBSP}456,7</td>' in body
    assert '<td class="num">15,0</td>' in body  # one decimal, as the dashboard's minutes
    assert "<td>–</td>" in body  # unknown, not 0
    assert "12345" not in body


def test_report_places__one_per_column_and_the_files_round_to_them():
    assert len(agency_report.column_places(2)) == 2 + len(agency_report.COLUMNS)
    assert set(agency_report.PLACES) <= {key for key, _label in agency_report.COLUMNS}
    from servicekontor.reports.queries import Figures

    now = Figures(
        handled_seconds=7407,
        served=3,
        errand_visits=3,
        called=3,
        within_target=2,
        wait_seconds=2697,
    )
    values = agency_report.row_values(now, None)
    for key, places in agency_report.PLACES.items():
        value = values[key]
        if value is not None:
            assert round(value, places) == value, key


@pytest.mark.parametrize(
    ("header", "places"),
    [
        (staffing_exports.week_header, staffing_exports.WEEK_PLACES),
        (staffing_exports.shift_header, staffing_exports.SHIFT_PLACES),
        (staffing_exports.network_header, staffing_exports.NETWORK_PLACES),
        (staffing_exports.competence_header, staffing_exports.COMPETENCE_PLACES),
        (staffing_exports.wape_header, staffing_exports.WAPE_PLACES),
    ],
)
def test_staffing_tables__places_for_every_column(header, places):
    assert len(places) == len(header())


def test_other_figures__grouped():
    with translation.override("sv"):
        assert km(1234.5) == f"1{NBSP}234,5{NBSP}km"
        assert pct(12.345, 0) == f"1{NBSP}235{NBSP}%"
        assert count(74935) == f"74{NBSP}935"
        assert kr(123456789) == f"1{NBSP}234{NBSP}567,89"
        assert minutes(7_407_000) == f"123{NBSP}450,0"
        assert percent(Fraction(25, 2)) == f"1{NBSP}250,00 %"
        assert amount(None) == "–" and amount(1234.5) == f"1{NBSP}234,50"
    with translation.override("en"):
        assert km(1234.5) == "1,234.5\xa0km"


def test_adoption_counts__grouped(rf):
    with translation.override("sv"):
        page = render_to_string(
            "changeplans/adopt_confirm.html",
            {"plan": SimpleNamespace(pk=1), "changes": [], "counts": [("Rader", 12345)]},
            request=rf.get("/"),
        )
    assert f'<td class="num">12{NBSP}345</td>' in page
