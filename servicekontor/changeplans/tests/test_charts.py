"""The timeline SVG (pure): labels escaped, the same axis for rows and panels, bad input."""

from __future__ import annotations

import datetime as dt
import itertools
import re

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
        # in what the chart says (its texts), not in its coordinates: since the dated axis
        # (walk F13) the ticks' positions depend on today's date and may hold the digits
        said = " ".join(re.findall(r">([^<]*)<", svg)).replace("\xa0", " ")
        assert not_shown not in said


# --- walk F13: the time axis is readable: dated ticks at a regular interval, today marked,
# the axis in words


@pytest.mark.parametrize(
    ("first", "last", "expected", "interval"),
    [
        # a short plan: Mondays
        (dt.date(2026, 12, 2), dt.date(2027, 1, 10), dt.date(2026, 12, 7), (7, 0)),
        # a year: first days of months, every 2 months (at most 8 ticks)
        (dt.date(2026, 12, 2), dt.date(2027, 12, 1), dt.date(2027, 1, 1), (0, 2)),
        # twenty years: every 5 years, on years divisible by 5
        (dt.date(2026, 12, 2), dt.date(2046, 12, 1), dt.date(2030, 1, 1), (0, 60)),
    ],
)
def test_axis_ticks__regular_and_at_most_eight(first, last, expected, interval):
    ticks, got = charts.axis_ticks(first, last)
    assert got == interval
    assert ticks[0] == expected
    assert 1 <= len(ticks) <= charts.MAX_TICKS
    assert all(first <= t <= last for t in ticks)
    gaps = {(b - a).days for a, b in itertools.pairwise(ticks)}
    assert max(gaps) - min(gaps) <= 3 if gaps else True  # regular (months differ by ≤3 days)


def test_timeline__dated_ticks_today_and_the_axis_in_words(settings):
    from django.utils import translation

    days = [dt.date(2026, 12, 2), dt.date(2027, 3, 1), dt.date(2027, 9, 1)]
    with translation.override("en"):
        svg = charts.timeline(
            title="t",
            desc="The tables give the same figures.",
            rows=[charts.Row("1. Close Kista", days[1]), charts.Row("2. Open Y", days[2])],
            step_days=days,
            panels=[charts.Panel("FTE", [1.0, 2.0, 3.0])],
            today=dt.date(2026, 12, 2),
        )
    # ticks every two months with the month and year, between the step days too
    for label in ("Jan 2027", "May 2027", "Jul 2027", "Sep 2027"):
        assert f">{label}</text>" in svg, label
    # today is a labelled solid line, not a colour only
    assert 'class="today"' in svg and ">Today, 2026-12-02</text>" in svg
    # the text alternative names the axis, today and each change's date
    desc = svg.split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "Time axis from 2026-12-02 to 2027-09-01, dated every 2 months." in desc
    assert "Today, 2026-12-02, is the solid line." in desc
    assert "1. Close Kista: 2027-03-01; 2. Open Y: 2027-09-01" in desc


def test_timeline__ticks_spaced_by_time():
    """Equal months are equally far apart: the axis is linear in days."""
    import re

    days = [dt.date(2027, 1, 1), dt.date(2027, 7, 1)]
    svg = charts.timeline(title="t", desc="d", rows=[], step_days=days)
    xs = [float(v) for v in re.findall(r'<text x="([\d.]+)"[^>]*class="tick"', svg)]
    assert len(xs) >= 5
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert max(gaps) - min(gaps) < 0.1 * max(gaps)


def test_timeline__swedish_tick_labels():
    from django.utils import translation

    with translation.override("sv"):
        svg = charts.timeline(
            title="t",
            desc="d",
            rows=[],
            step_days=[dt.date(2027, 1, 1), dt.date(2027, 7, 1)],
            today=dt.date(2027, 1, 1),
        )
    assert ">feb 2027</text>" in svg
    assert ">I dag, 2027-01-01</text>" in svg
    assert "Tidsaxel från 2027-01-01 till 2027-07-01" in svg
