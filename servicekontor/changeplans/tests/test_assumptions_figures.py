"""The assumptions table's sentences show their figures as every other figure is shown:
grouped in the language's way (walk F18: "1796628 visits a year")."""

import datetime as dt
from types import SimpleNamespace

from django.utils import translation

from servicekontor.changeplans.exports import assumptions_table

NBSP = "\xa0"


def _evaluation(visits: float) -> SimpleNamespace:
    return SimpleNamespace(
        assumptions=[],
        statistics_period=(dt.date(2025, 12, 1), dt.date(2026, 11, 30)),
        statistics_visits=visits,
        reference_month=None,
        staff_rate=None,
    )


def test_statistics_visits_grouped_in_each_language():
    with translation.override("sv"):
        _header, rows = assumptions_table(_evaluation(1_796_627.6))  # type: ignore[arg-type]
        assert f"1{NBSP}796{NBSP}628" in rows[0][1]
    with translation.override("en"):
        _header, rows = assumptions_table(_evaluation(1_796_627.6))  # type: ignore[arg-type]
        assert "1,796,628 visits a year" in rows[0][1]
