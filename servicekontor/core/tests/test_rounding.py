"""One rounding rule (half up, on the decimal as written) for every figure shown or exported.

Walk finding (session 14): the statistics pages cut figures instead of rounding them —
"Uppropade inom målet 66 %" for 2 of 3 called in time, a mean wait of 14.99 minutes as
"14,9", 99.6 % as "99 %" — while the agency report's CSV and API rounded with Python's
`round` (ties to even, on the binary value), so a page and its file could disagree.
"""

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.core.rounding import exported, rounded, shown
from servicekontor.core.templatetags.table_cells import rounded as rounded_filter
from servicekontor.planning.templatetags.planning_tags import km, pct
from servicekontor.reports.charts import number
from servicekontor.reports.templatetags.report_tags import hours, minutes, percent


@pytest.mark.parametrize(
    ("value", "places", "scale", "expected"),
    [
        (2 / 3, 0, 100, "67"),  # 66.666… % called within target
        (2 / 3, 1, 100, "66.7"),
        (0.996, 0, 100, "100"),  # 99.6 %
        (99.6, 0, 1, "100"),
        (14.99, 1, 1, "15.0"),
        (899.4, 1, Fraction(1, 60), "15.0"),  # 14.99 minutes in seconds
        (14.95, 1, 1, "15.0"),  # binary 14.9499…: rounded as written
        (0.05, 1, 1, "0.1"),
        (0.15, 1, 1, "0.2"),  # round(0.15, 1) is 0.1
        (0.25, 1, 1, "0.3"),  # round(0.25, 1) is 0.2 (ties to even)
        (2.675, 2, 1, "2.68"),  # round(2.675, 2) is 2.67
        (0.045, 1, 100, "4.5"),  # 100 × 0.045 in binary is 4.49999…
        (-0.05, 1, 1, "-0.1"),  # a tie goes away from zero, as for a positive figure
        (-1.25, 1, 1, "-1.3"),
        (-0.04, 1, 1, "0.0"),  # never "-0.0"
        (-0.4, 0, 1, "0"),
        (0, 1, 1, "0.0"),
        (7, 0, 1, "7"),
        (Fraction(1, 8), 2, 1, "0.13"),
        (Decimal("1.005"), 2, 1, "1.01"),
        (np.float64(0.125), 2, 1, "0.13"),  # numpy's floats are figures too
        (np.float32(0.5), 0, 1, "1"),
    ],
)
def test_rounded__half_up_on_the_written_decimal(value, places, scale, expected):
    assert format(rounded(value, places, scale=scale), "f") == expected
    assert exported(value, places, scale=scale) == float(expected)


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, -math.inf, Decimal("NaN")])
def test_missing_figures__dash_on_pages_none_in_files(missing):
    assert shown(missing, 1) == "–"
    assert exported(missing, 1) is None


def test_rounded__refuses_what_is_not_a_figure():
    with pytest.raises(ValueError):
        rounded(math.nan, 1)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 4))
def test_rounded__within_half_a_step_and_stable(value, places):
    r = rounded(value, places)
    assert abs(Fraction(r) - Fraction(repr(value))) <= Fraction(1, 2 * 10**places)
    assert rounded(r, places) == r  # rounding a shown figure again changes nothing
    in_file = exported(value, places)
    assert in_file is not None and rounded(in_file, places) == r  # the file's is the page's


@pytest.mark.parametrize(("language", "text"), [("sv", "66,7"), ("en", "66.7")])
def test_shown__localized_with_the_places_asked(language, text):
    with translation.override(language):
        assert shown(2 / 3, 1, scale=100) == text
        assert shown(1234567.25, 1).replace("\xa0", " ") in ("1 234 567,3", "1,234,567.3")
        assert shown(3, 2).endswith(("3,00", "3.00"))


def test_every_page_filter_rounds_half_up():
    """The statistics, staffing, planning and chart filters all go through the one rule:
    none of them cuts decimals off."""
    with translation.override("en"):
        assert percent(2 / 3) == "67\xa0%"
        assert percent(0.996) == "100\xa0%"
        assert percent(0.005) == "1\xa0%"
        assert minutes(899.4) == "15.0"  # 14.99 minutes
        assert minutes(3.0) == "0.1"  # 0.05 minutes
        assert hours(3 * 3600 - 1) == "3.0"  # 2.9997 hours
        assert pct(2 / 3) == "66.7\xa0%"
        assert km(12.95) == "13.0\xa0km"
        assert number(14.95, 1) == "15"
        assert number(0.05, 1) == "0.1"
        assert number(-0.04, 1) == "0"
        assert rounded_filter(0.9995, 3) == "1.000"
        assert rounded_filter(None, 1) == "–"
        assert rounded_filter("text", 1) == "text"
