"""One figure, one rounding (walk finding F28): Skatteverket's handled minutes at Askersund in
November 2026 read "3568,6" on the statistics' report and "3 568,55" on the cost report. Both
now round seconds ÷ 60 half up to `core.rounding.MINUTE_PLACES` decimals, on the pages and in
the files."""

from decimal import Decimal

import pytest
from django.utils import translation

from servicekontor.core.rounding import MINUTE_PLACES
from servicekontor.core.templatetags.table_cells import with_places
from servicekontor.costs import exports
from servicekontor.costs.templatetags import costs_format
from servicekontor.reports.agency_report import PLACES, row_values
from servicekontor.reports.queries import Figures


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(214_113, "3568.6"), (214_110, "3568.5"), (897, "15.0"), (0, "0.0"), (3, "0.1")],
)
@pytest.mark.parametrize(("language", "text"), [("sv", "3\xa0568,6"), ("en", "3,568.6")])
def test_handled_minutes__statistics_and_costs_alike(seconds, minutes, language, text):
    statistics = row_values(Figures(handled_seconds=seconds), None)["handled_minutes"]
    costs = exports._minutes(seconds)
    assert costs == Decimal(minutes) and statistics == float(minutes)
    assert PLACES["handled_minutes"] == MINUTE_PLACES
    with translation.override(language):
        page_costs = costs_format.cell(costs)
        page_stats = with_places([statistics], [PLACES["handled_minutes"]])[0][0]
        assert page_costs == page_stats == costs_format.minutes(seconds)
        if seconds == 214_113:
            assert page_costs == text
