"""The timeline SVG (pure): labels escaped, the same axis for rows and panels, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from servicekontor.changeplans import charts

DAYS = [dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 6, 1)]


def test_timeline__accessible_and_escaped():
    svg = charts.timeline(
        title="Plan <A> & B",
        desc="desc",
        rows=[charts.Row("Stäng <Kista>", DAYS[1]), charts.Row("Öppna", DAYS[2], follows=0)],
        step_days=DAYS,
        panels=[charts.Panel("FTE", [1.0, 2.0, 3.0])],
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "Plan &lt;A&gt; &amp; B" in svg and "Stäng &lt;Kista&gt;" in svg
    assert "<title" in svg and "<desc" in svg
    assert svg.count("<path") == 1  # one arrow: the second row follows the first


def test_timeline__a_panel_needs_one_value_per_step():
    with pytest.raises(ValueError):
        charts.timeline(
            title="t", desc="d", rows=[], step_days=DAYS, panels=[charts.Panel("x", [1.0])]
        )


@pytest.mark.parametrize(
    ("values", "unit", "shown", "not_shown"),
    [
        ([75.0, 75.0, 75.0], " %", ">75 %</text>", "74"),  # the walk: "74–76 %"
        ([19_293_260.0] * 3, "", ">19 293 260</text>", "19 293 259"),
        ([1.0, 2.0, 3.0], "", ">1–3</text>", None),
    ],
)
def test_timeline__a_panel_s_scale_names_its_values_not_an_invented_range(
    values, unit, shown, not_shown
):
    svg = charts.timeline(
        title="t", desc="d", rows=[], step_days=DAYS, panels=[charts.Panel("x", values, unit)]
    )
    assert shown.replace(" ", "\xa0") in svg or shown in svg, svg
    if not_shown:
        assert not_shown not in svg.replace("\xa0", " ")
