"""Formatting of statistics in templates (numbers only; the figures come from queries)."""

from fractions import Fraction

from django import template
from django.utils.safestring import SafeString, mark_safe

from servicekontor.core.rounding import shown

register = template.Library()


@register.filter
def minutes(seconds: float | None) -> str:
    """Seconds as minutes with one decimal (rounded half up: `core.rounding`), localised;
    "–" without data."""
    return shown(seconds, 1, scale=Fraction(1, 60))


@register.filter
def hours(seconds: float | None) -> str:
    """Seconds as hours with one decimal (rounded half up), localised; "–" without data."""
    return shown(seconds, 1, scale=Fraction(1, 3600))


@register.filter
def percent(share: float | None) -> str:
    """A share (0…1) as a whole percentage, rounded half up (2 of 3: "67 %"); "–" without
    data."""
    if share is None:
        return "–"
    return shown(share, 0, scale=100) + "\u00a0%"


@register.filter
def minute_bin(minute: int | None) -> str:
    """A median or percentile read from the wait histogram (`reports.measures`: each wait in
    the bin of the whole minutes it lasted) as its bin, "24–25": the wait lies from 24 min
    0 s up to 24 min 59 s; not a rounded figure beside the mean's tenths (walk F11 of
    session 18: "24" was read as 24.0, and as the mean). "–" without data."""
    if minute is None:
        return "–"
    return f"{shown(minute)}–{shown(minute + 1)}"


@register.filter
def dash(value: object) -> object:
    return "–" if value is None or value == "" else value


@register.filter
def svg(markup: str) -> SafeString:
    """Charts are built by reports.charts, which escapes every label it draws."""
    return mark_safe(markup)


@register.filter
def count(value: object) -> object:
    """A count (visits, errands, …) grouped as the language writes it (sv: 74 935, en:
    74,935), like the charts' labels; "–" without data; anything but a whole number (a
    label, a percentage already formatted) as it is."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return shown(value)
