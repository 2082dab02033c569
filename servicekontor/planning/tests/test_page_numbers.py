"""The planning page groups the digits of populations and person-km as each language does."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

MEASURES = {
    "offices": 3,
    "mean_km": 12.5,
    "median_km": 8.0,
    "p90_km": 30.0,
    "p99_km": 60.0,
    "max_km": 90.0,
}
SUMMARY = {
    "before": {**MEASURES, "thresholds_km": [], "share_within": []},
    "after": {
        **MEASURES,
        "share_within": [],
        "worst": [],
        "counties": [
            {"county": "Stockholms län", "population": 2454821, "mean_km": 5.0, "max_km": 40.0},
        ],
    },
    "request": {"radius_km": 25},
    "covered_before": 8123456,
    "covered_after": 8234567,
    "solution": {
        "objective": 123456789.4,
        "bound": 123400000.0,
        "gap": 0.0005,
        "seconds": 1.5,
        "status": "optimal",
        "heuristic_objective": 124000000.0,
        "heuristic_gap": 0.004,
    },
}


@pytest.mark.parametrize(
    ("language", "population", "person_km"),
    [("sv", "2\xa0454\xa0821", "123\xa0456\xa0789"), ("en", "2,454,821", "123,456,789")],
)
def test_planning_page__populations_and_person_km__digits_grouped(language, population, person_km):
    with translation.override(language):
        html = render_to_string("planning/_measures.html", {"summary": SUMMARY, "reference": 0.9})
    assert f"<td>{population}</td>" in html
    assert person_km in html
    assert "8123456" not in html and "123456789" not in html
