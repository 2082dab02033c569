"""Charts as SVG text, drawn on the server: trend lines, the weekday × hour heatmap, ranked
bars. Plain numbers and labels in, an SVG string out; every label is escaped here. The only
Django in it is the number format: figures on the axes and bars follow the active language
(sv 12 345,5; en 12,345.5), as in the tables beside the charts.

Accessibility: each SVG is `role="img"` named by its `<title>` and described by a `<desc>`
that states what it shows; the page puts the same numbers in a table beside it, so nothing
is only in the picture. Colours come from one palette with enough contrast on white
(WCAG 1.4.11: 3:1 for graphics), and lines also differ by dash pattern, not colour alone.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from itertools import count

from django.utils.formats import number_format

from servicekontor.core.rounding import rounded

PALETTE = ("#1f5fa8", "#b3430e", "#2d7d3a", "#6b3fa0", "#8a6d00")
DASHES = ("", "6 4", "2 3", "10 3 2 3", "1 2")
_ids = count(1)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per x label; None: no data (gap in the line)


def _frame(width: int, height: int, title: str, desc: str, body: str) -> str:
    n = next(_ids)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="chart-t{n} chart-d{n}">'
        f'<title id="chart-t{n}">{escape(title)}</title>'
        f'<desc id="chart-d{n}">{escape(desc)}</desc>{body}</svg>'
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if value <= step * factor:
            return step * factor
    return value


CHAR_WIDTH = 6.2  # px per character at font-size 11 (a generous average for sans-serif)


def _text_width(text: str) -> float:
    return CHAR_WIDTH * len(text)


def label_positions(lengths: Sequence[int], plot_width: float, gap: float = 10) -> list[int]:
    """Which of n evenly spaced x labels to draw (by index) so that none overlaps the next:
    every k-th, k the smallest step at which the widest label fits, plus the last one when
    it does not crowd the one before it. `lengths` are the labels' lengths in characters."""
    n = len(lengths)
    if n == 0:
        return []
    if n == 1:
        return [0]
    spacing = plot_width / (n - 1)
    widest = CHAR_WIDTH * max(lengths) + gap
    step = max(1, math.ceil(widest / spacing))
    chosen = list(range(0, n, step))
    if chosen[-1] != n - 1:
        if (n - 1 - chosen[-1]) * spacing >= widest:
            chosen.append(n - 1)
        else:
            chosen[-1] = n - 1  # the latest period matters most: it replaces its neighbour
    return chosen


def line_chart(
    *, title: str, desc: str, x_labels: Sequence[str], series: Sequence[Series], unit: str = ""
) -> str:
    """Lines over the x labels (e.g. days, weeks, months); gaps where a value is None."""
    width, height, left, right, top, bottom = 640, 260, 56, 12, 12, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for s in series for v in s.values if v is not None), default=0)
    y_max = _nice_max(peak)
    n = max(len(x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / y_max)

    # Legend entries side by side, each as wide as its text (no fixed 150 px that a long
    # label such as "Samma period ett år tidigare" would run past).
    legend_x, cursor = [], float(left)
    for s in series:
        legend_x.append(cursor)
        cursor += 28 + _text_width(s.label) + 16
    parts = []
    for k in range(5):
        tick = y_max * k / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ccc" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(_fmt(tick))}{escape(unit)}</text>"
        )
    for i in label_positions([len(label) for label in x_labels], plot_w):
        label = x_labels[i]
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="11">{escape(label)}</text>'
        )
    for j, s in enumerate(series):
        colour, dash = PALETTE[j % len(PALETTE)], DASHES[j % len(DASHES)]
        runs: list[list[str]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
            elif run:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'stroke-dasharray="{dash}" points="{" ".join(run)}"/>'
                )
        lx = legend_x[j]
        parts.append(
            f'<line x1="{lx}" x2="{lx + 24}" y1="{height - 10}" y2="{height - 10}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{lx + 28}" y="{height - 6}" font-size="11">{escape(s.label)}</text>'
        )
    return _frame(width, height, title, desc, "".join(parts))


def heatmap(
    *,
    title: str,
    desc: str,
    values: Mapping[tuple[int, int], int],
    day_labels: Sequence[str],
    hours: Sequence[int],
) -> str:
    """Rows = ISO weekdays 1…7 (labels given), columns = `hours`; darker = more."""
    cell_w, cell_h, left, top = 36, 26, 48, 22
    width, height = left + cell_w * len(hours) + 8, top + cell_h * 7 + 8
    peak = max(values.values(), default=0) or 1
    parts = []
    for c, hour in enumerate(hours):
        parts.append(
            f'<text x="{left + c * cell_w + cell_w / 2}" y="{top - 6}" text-anchor="middle" '
            f'font-size="11">{hour:02d}</text>'
        )
    for r in range(7):
        parts.append(
            f'<text x="{left - 6}" y="{top + r * cell_h + 17}" text-anchor="end" '
            f'font-size="11">{escape(day_labels[r])}</text>'
        )
        for c, hour in enumerate(hours):
            v = values.get((r + 1, hour), 0)
            shade = v / peak
            fill = f"rgba(31,95,168,{0.08 + 0.92 * shade:.2f})" if v else "#f4f4f4"
            ink = "#fff" if shade > 0.55 else "#111"
            parts.append(
                f'<rect x="{left + c * cell_w}" y="{top + r * cell_h}" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" fill="{fill}"><title>{escape(day_labels[r])} '
                f"{hour:02d}: {v}</title></rect>"
                f'<text x="{left + c * cell_w + cell_w / 2 - 1}" y="{top + r * cell_h + 17}" '
                f'text-anchor="middle" font-size="10" fill="{ink}">{v if v else ""}</text>'
            )
    return _frame(width, height, title, desc, "".join(parts))


def ranked_bars(*, title: str, desc: str, rows: Sequence[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, largest first (the caller sorts and cuts)."""
    bar_h, left, width = 20, 190, 640
    height = bar_h * len(rows) + 10
    peak = max((v for _, v in rows), default=0) or 1
    parts = []
    for i, (label, v) in enumerate(rows):
        w = (width - left - 70) * v / peak
        y = 4 + i * bar_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="11">'
            f"{escape(label[:32])}</text>"
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="11">'
            f"{escape(_fmt(v))}{escape(unit)}</text>"
        )
    return _frame(width, max(height, 30), title, desc, "".join(parts))


def number(v: float, places: int) -> str:
    """`v` rounded half up to `places` decimals (`core.rounding`; trailing zeros dropped) in
    the active language's format, grouped: sv "12 345,5", en "12,345.5"."""
    text = format(rounded(v, places), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return number_format(Decimal(text), use_l10n=True, force_grouping=True)


def _fmt(v: float) -> str:
    return number(v, 0 if abs(v) >= 10 or v == int(v) else 1)
