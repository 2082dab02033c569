"""The plan's timeline as SVG: one row per change on a date axis, and below it, on the same
axis, a step chart per figure (the value holds from one step to the next).

Dates, labels and numbers in, an SVG string out; every label is escaped here, and numbers
follow the active language (`reports.charts.number`). Accessible as `reports.charts`: `role="img"`, a `<title>` and a `<desc>`, and the page
shows the same numbers in tables. Colours from `reports.charts.PALETTE`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import count

from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from servicekontor.reports.charts import PALETTE, number

_ids = count(1)
LABEL_WIDTH = 64  # px of an ISO date at font size 10, with a gap


@dataclass(frozen=True)
class Row:
    label: str
    day: dt.date
    follows: int | None = None  # index of the row this one follows (an arrow is drawn)


@dataclass(frozen=True)
class Panel:
    label: str
    values: Sequence[float]  # one per step day
    unit: str = ""


def _fmt(v: float) -> str:
    return number(v, 0 if abs(v) >= 10 else 2)


MAX_TICKS = 8  # dated ticks on the axis at most (a label is about 60 px of the 616 px plot)
# The ticks' intervals, shortest first: (days, months); the first that gives at most
# MAX_TICKS ticks over the axis is used.
_INTERVALS = ((7, 0), (14, 0), (0, 1), (0, 2), (0, 3), (0, 6), (0, 12), (0, 24), (0, 60))


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def axis_ticks(first: dt.date, last: dt.date) -> tuple[list[dt.date], tuple[int, int]]:
    """Dated ticks from `first` to `last` at a regular interval (walk F13: the axis had
    only the step days' labels, unevenly spaced, with nothing between them): Mondays every
    week or two for a short axis, else first days of months every 1, 2, 3, 6 months or every
    1, 2, 5 years (January, quarters' and half-years' first months, years divisible by the
    step), the shortest interval giving at most MAX_TICKS ticks. Also the interval (days,
    months)."""
    for days, months in _INTERVALS:
        ticks: list[dt.date] = []
        if days:
            d = first + dt.timedelta(days=(7 - first.weekday()) % 7)  # the first Monday
            while d <= last and len(ticks) <= MAX_TICKS:
                ticks.append(d)
                d += dt.timedelta(days=days)
        else:
            m = _month_index(first) + (first.day > 1)
            m += -m % months
            while m <= _month_index(last) and len(ticks) <= MAX_TICKS:
                ticks.append(dt.date(m // 12, m % 12 + 1, 1))
                m += months
        if len(ticks) <= MAX_TICKS:
            return ticks, (days, months)
    return [], (0, 0)  # pragma: no cover - sixty-year intervals fit any horizon


def _tick_label(day: dt.date, interval: tuple[int, int]) -> str:
    """ "2027", "feb 2027" / "Feb 2027", "7 dec" / "7 Dec": a month's abbreviation in
    lower case in Swedish, capitalised in English."""
    days, months = interval
    if months >= 12:
        return date_format(day, "Y")
    text = date_format(day, "j b" if days else "b Y")
    return text.title() if get_language() == "en" else text


def _interval_words(interval: tuple[int, int]) -> str:
    days, months = interval
    if days:
        weeks = days // 7
        return ngettext("every week", "every %(n)s weeks", weeks) % {"n": weeks}
    if months % 12 == 0:
        years = months // 12
        return ngettext("every year", "every %(n)s years", years) % {"n": years}
    return ngettext("every month", "every %(n)s months", months) % {"n": months}


def timeline(
    *,
    title: str,
    desc: str,
    rows: Sequence[Row],
    step_days: Sequence[dt.date],
    panels: Sequence[Panel] = (),
    today: dt.date | None = None,
) -> str:
    """The SVG (module docstring). ``step_days`` are the axis' steps (the first is the
    baseline); each panel has one value per step day. The axis has dated ticks at a
    regular interval (`axis_ticks`) and, given ``today``, a solid line marking it (the
    axis reaches it); the description (`desc`) is followed by the axis in words: its
    range, its ticks' interval, today, each change's date. Raises ValueError for a panel
    whose length differs from ``step_days``."""
    for p in panels:
        if len(p.values) != len(step_days):
            raise ValueError("one value per step day")
    days = sorted({*step_days, *(r.day for r in rows), *([today] if today else [])})
    if not days:
        days = [dt.date(2000, 1, 1)]
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)
    left, right, top = 260, 24, 28
    width = 900
    row_h, panel_h, gap = 22, 70, 18
    plot_w = width - left - right
    foot = 44  # below the plot: the ticks' labels, then today's
    height = top + row_h * max(len(rows), 1) + gap + (panel_h + gap) * len(panels) + foot

    def x(day: dt.date) -> float:
        return left + plot_w * ((day - first).days / span if span else 0.5)

    parts: list[str] = []
    bottom = height - foot
    # the time axis below the plot: a dated tick at a regular interval, its faint line
    # through all rows and panels
    ticks, interval = axis_ticks(first, last)
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{bottom}" y2="{bottom}" stroke="#666"/>'
    )
    for d in ticks:
        parts.append(
            f'<line x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{top - 6}" y2="{bottom}" '
            f'stroke="#eee"/>'
            f'<line x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{bottom}" y2="{bottom + 5}" '
            f'stroke="#666"/>'
            f'<text x="{x(d):.1f}" y="{bottom + 16}" font-size="10" text-anchor="middle" '
            f'class="tick">{escape(_tick_label(d, interval))}</text>'
        )
    if today is not None:
        # solid and labelled, not by colour alone
        anchor = "start" if x(today) < left + 60 else "end" if x(today) > width - 84 else "middle"
        parts.append(
            f'<line x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{top - 6}" y2="{bottom + 22}" '
            f'stroke="#b00020" stroke-width="1.5" class="today"/>'
            f'<text x="{x(today):.1f}" y="{bottom + 34}" font-size="10" font-weight="bold" '
            f'text-anchor="{anchor}" class="today">'
            f"{escape(_('Today, %(day)s') % {'day': today.isoformat()})}</text>"
        )
    # a faint dashed line at every step day, through all panels
    for d in step_days:
        parts.append(
            f'<line x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{top - 6}" y2="{bottom}" '
            f'stroke="#bbb" stroke-dasharray="2 3"/>'
        )
    shown_at = -1e9
    for i, d in enumerate(sorted(set(step_days))):
        # a label only where it does not run into the one before (each date is in the table)
        if x(d) - shown_at < LABEL_WIDTH:
            continue
        shown_at = x(d)
        anchor = "start" if i == 0 else "end" if d == last else "middle"
        parts.append(
            f'<text x="{x(d):.1f}" y="{top - 10}" font-size="10" text-anchor="{anchor}">'
            f"{escape(d.isoformat())}</text>"
        )
    for i, r in enumerate(rows):
        ry = top + row_h * i + row_h / 2
        parts.append(
            f'<text x="{left - 8}" y="{ry + 4:.1f}" font-size="11" text-anchor="end">'
            f"{escape(_short(r.label))}</text>"
            f'<line x1="{left}" x2="{width - right}" y1="{ry:.1f}" y2="{ry:.1f}" stroke="#eee"/>'
            f'<circle cx="{x(r.day):.1f}" cy="{ry:.1f}" r="5" fill="{PALETTE[0]}"/>'
        )
        if r.follows is not None and 0 <= r.follows < len(rows):
            src = rows[r.follows]
            ys = top + row_h * r.follows + row_h / 2
            parts.append(
                f'<path d="M{x(src.day):.1f},{ys:.1f} L{x(r.day):.1f},{ry:.1f}" '
                f'stroke="{PALETTE[1]}" stroke-width="1.5" fill="none" stroke-dasharray="4 2"/>'
            )
    y0 = top + row_h * max(len(rows), 1) + gap
    for k, p in enumerate(panels):
        py = y0 + k * (panel_h + gap)
        lo, hi = min(p.values, default=0.0), max(p.values, default=0.0)
        # The scale's label: the values' range, or the one value of a flat line (the walk:
        # "74–76 %" and "19 293 259–19 293 261" around a single 75 % and 19 293 260)
        scale = _fmt(lo) if hi == lo else f"{_fmt(lo)}–{_fmt(hi)}"
        if hi == lo:
            lo, hi = lo - 1, hi + 1  # room to draw the flat line mid-panel

        def y(v: float, py: float = py, lo: float = lo, hi: float = hi) -> float:
            return py + panel_h - panel_h * (v - lo) / (hi - lo)

        parts.append(
            f'<text x="{left - 8}" y="{py + 12}" font-size="11" text-anchor="end" '
            f'font-weight="bold">{escape(_short(p.label))}</text>'
            f'<text x="{left - 8}" y="{py + panel_h}" font-size="10" text-anchor="end">'
            f"{escape(scale)}{escape(p.unit)}</text>"
            f'<rect x="{left}" y="{py}" width="{plot_w}" height="{panel_h}" fill="none" '
            f'stroke="#ddd"/>'
        )
        points = []
        for i, (d, v) in enumerate(zip(step_days, p.values, strict=True)):
            if i:
                points.append(f"{x(d):.1f},{y(p.values[i - 1]):.1f}")
            points.append(f"{x(d):.1f},{y(v):.1f}")
        if step_days:
            points.append(f"{width - right:.1f},{y(p.values[-1]):.1f}")
        colour = PALETTE[(k + 2) % len(PALETTE)]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
            f'points="{" ".join(points)}"/>'
        )
        for d, v in zip(step_days, p.values, strict=True):
            parts.append(
                f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(d.isoformat())}: {escape(_fmt(v))}{escape(p.unit)}</title>"
                f"</circle>"
            )
    words = [
        _("Time axis from %(first)s to %(last)s, dated %(interval)s.")
        % {
            "first": first.isoformat(),
            "last": last.isoformat(),
            "interval": _interval_words(interval),
        }
    ]
    if today is not None:
        words.append(_("Today, %(day)s, is the solid line.") % {"day": today.isoformat()})
    if rows:
        words.append(
            _("Changes: %(changes)s.")
            % {"changes": "; ".join(f"{r.label}: {r.day.isoformat()}" for r in rows)}
        )
    desc = " ".join([desc, *words])
    n = next(_ids)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart timeline" role="img" aria-labelledby="tl-t{n} tl-d{n}">'
        f'<title id="tl-t{n}">{escape(title)}</title>'
        f'<desc id="tl-d{n}">{escape(desc)}</desc>{"".join(parts)}</svg>'
    )


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
