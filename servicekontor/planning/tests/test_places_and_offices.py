"""Walk finding (session 14): the measures' first row counts places with an office (offices
on the same approximate point are one place, planning.queries.existing_sites), not offices;
it says so, in the change plans' words, and gives the offices themselves beside it."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from servicekontor.planning.tests.test_page_numbers import MEASURES, SUMMARY

PLAN = {
    **SUMMARY,
    "before": {**MEASURES, "offices": 3, "thresholds_km": [], "share_within": []},
    "after": {**MEASURES, "offices": 4, "share_within": [], "worst": [], "counties": []},
    # Two district offices on their city's point (one place), two more offices; the plan
    # closes one office and opens two new places.
    "existing": [{"code": "kista+solna"}, {"code": "uppsala"}, {"code": "umea"}],
    "closed": [{"code": "umea"}],
    "opened": [{"code": "new-1"}, {"code": "new-2"}],
}


def _row(html: str) -> str:
    match = re.search(r"<tr><th scope=\"row\">([^<]*)</th><td>([^<]*)<", html)
    assert match
    return " | ".join(part.strip() for part in match.groups())


@pytest.mark.parametrize(
    ("language", "row", "after"),
    [
        ("sv", "Platser med kontor | 3 (4 kontor)", "4 (5 kontor)"),
        ("en", "Places with an office | 3 (4 offices)", "4 (5 offices)"),
    ],
)
def test_measures__places_with_an_office_and_the_offices_beside(language, row, after):
    with translation.override(language):
        html = render_to_string("planning/_measures.html", {"summary": PLAN, "reference": 0.9})
    assert _row(html) == row
    assert f"<td>{after}</td>" in html


def test_change_plans_use_the_same_words():
    with translation.override("sv"):
        from django.utils.translation import gettext

        assert gettext("Places with an office") == "Platser med kontor"
