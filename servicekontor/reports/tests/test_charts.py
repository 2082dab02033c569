"""The SVG charts: accessible names, escaped labels, gaps for missing data (no database)."""

import itertools
import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from servicekontor.reports import charts
from servicekontor.reports.charts import Series, heatmap, line_chart, ranked_bars

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_line_chart__named_escaped_and_gapped():
    svg = line_chart(
        title="Besök <över> tid",
        desc="Betjänade besök & ett år tidigare",
        x_labels=["v. 1", "v. 2", "v. 3", "v. 4"],
        series=[Series("I år", [3, None, 5, 6]), Series("<script>", [1, 2, 3, 4])],
    )

    root = _parse(svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text == "Besök <över> tid"
    assert desc is not None and root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "<script>" not in svg
    # the gap splits the first series: a dot for the lone first value, a line for the rest
    assert len(root.findall(f"{NS}circle")) == 1
    assert len(root.findall(f"{NS}polyline")) == 2


def test_heatmap__every_cell_has_its_value_as_text():
    values = {(1, 10): 12, (5, 15): 3}
    root = _parse(
        heatmap(title="t", desc="d", values=values, day_labels=list("MTWTFSS"), hours=range(10, 16))
    )

    cells = root.findall(f"{NS}rect")
    assert len(cells) == 7 * 6
    labels = [getattr(c.find(f"{NS}title"), "text", None) for c in cells]
    assert "M 10: 12" in labels and "F 15: 3" in labels


def test_ranked_bars__longest_bar_for_the_largest():
    root = _parse(ranked_bars(title="t", desc="d", rows=[("Kista", 700), ("Kiruna", 70)]))

    widths = [float(r.get("width", "0")) for r in root.findall(f"{NS}rect")]
    assert widths[0] == 10 * widths[1]


@given(
    st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=120),
    st.floats(min_value=200, max_value=1200),
)
def test_label_positions__never_overlap_and_keep_the_latest(lengths, width):
    chosen = charts.label_positions(lengths, width)
    assert chosen[-1] == len(lengths) - 1  # the latest period is always labelled
    assert chosen == sorted(set(chosen))
    if len(lengths) > 1:
        spacing = width / (len(lengths) - 1)
        widest = charts.CHAR_WIDTH * max(lengths) + 10
        for a, b in itertools.pairwise(chosen):
            # centred labels of at most `widest` px: their centres are that far apart
            assert (b - a) * spacing >= widest


def test_line_chart__legend_entries_do_not_overlap():
    svg = charts.line_chart(
        title="t",
        desc="d",
        x_labels=["a", "b"],
        series=[
            charts.Series("Samma period ett år tidigare, längre text", [1, 2]),
            charts.Series("Denna period", [2, 3]),
        ],
    )
    xs = [float(x) for x in re.findall(r'<line x1="([\d.]+)" x2="[\d.]+" y1="250"', svg)]
    assert xs[1] - xs[0] >= 28 + charts.CHAR_WIDTH * 41


def test_chart_figures_follow_the_active_language():
    """Axis and bar figures as in the tables beside them: en 12,345 and 2.5, sv 12 345 and
    2,5 (a no-break space, not the narrow one whatever the language)."""
    from django.utils import translation

    from servicekontor.changeplans import charts as plan_charts

    rows = [("Kista", 12345.0), ("Kiruna", 2.5)]
    with translation.override("en"):
        svg = ranked_bars(title="t", desc="d", rows=rows)
        assert ">12,345<" in svg and ">2.5<" in svg
        assert plan_charts._fmt(1234567.0) == "1,234,567" and plan_charts._fmt(2.25) == "2.25"
    with translation.override("sv"):
        svg = ranked_bars(title="t", desc="d", rows=rows)
        assert ">12\xa0345<" in svg and ">2,5<" in svg
        assert plan_charts._fmt(1234567.0) == "1\xa0234\xa0567" and plan_charts._fmt(2.25) == "2,25"
    assert "\u202f" not in svg
    assert charts.number(-0.001, 1) == "0"
