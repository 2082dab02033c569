"""Counts on the statistics pages are grouped as the language writes them.

Walk finding (browser, 2026-11-30): Skatteverket's key figures read "74935 (56852 / 18083)",
the per-service table "22940", the outcomes "35440", while the chart beside them labelled
its bars "4 882". Every count of the shared statistics fragments now goes through
`report_tags.count`.
"""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from servicekontor.reports.dashboards import Chart

FIELDS = (
    "visits",
    "visits_walk_in",
    "visits_booked",
    "errand_visits",
    "served",
    "errands",
    "no_show",
    "left_queue",
    "not_served",
    "transfers",
    "interpreter_errands",
    "repeat_contacts",
)


def _figures(base: int) -> SimpleNamespace:
    counts = {name: base + 1000 * i for i, name in enumerate(FIELDS)}
    return SimpleNamespace(
        **counts,
        arrivals=counts["visits_walk_in"] + counts["visits_booked"],
        mean_wait_seconds=600.0,
        wait_median_minutes=3,
        wait_p90_minutes=30,
        service_level=0.73,
        mean_service_seconds=400.0,
    )


@pytest.mark.parametrize(("language", "sep"), [("sv", "\xa0"), ("en", ",")])
def test_statistics_fragments__counts_grouped(language, sep):
    now, before = _figures(74_935), _figures(61_204)
    with translation.override(language):
        # an office's or the network's figures, and an agency's (its visits and served
        # visits per agency: `per_agency`)
        html = "".join(
            render_to_string(
                "reports/_figures.html",
                {"now": now, "before": before, "compare": True, "caption": "c", **extra},
            )
            for extra in ({}, {"per_agency": True})
        )
        html += render_to_string(
            "reports/_groups.html",
            {"groups": [("Personbevis", now, before)], "label": "l", "caption": "c"},
        )
        html += render_to_string(
            "reports/_breakdown.html",
            {"outcomes": [("Löst", 35_440)], "languages": [("arabiska", 1_204)]},
        )
        html += render_to_string(
            "reports/_chart.html",
            {"chart": Chart("<svg></svg>", ["Kontor", "Betjänade"], [["Kista", 4_882]], "t")},
        )
    # A year earlier shows the visits without their walk-in / booked split.
    shown_before = [
        v for k, v in vars(before).items() if k not in ("visits_walk_in", "visits_booked")
    ]
    for value in [*vars(now).values(), *shown_before, 35_440, 1_204, 4_882]:
        if isinstance(value, int) and value >= 1000:
            assert f"{value:,}".replace(",", sep) in html, value
            assert str(value) not in html, value
