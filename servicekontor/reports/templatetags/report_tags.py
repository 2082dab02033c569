"""Formatting of statistics in templates (numbers only; the figures come from queries)."""

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def minutes(seconds: float | None) -> str:
    """Seconds as minutes with one decimal, localised; "–" without data."""
    if seconds is None:
        return "–"
    return number_format(seconds / 60, 1)


@register.filter
def hours(seconds: float | None) -> str:
    """Seconds as hours with one decimal, localised."""
    if seconds is None:
        return "–"
    return number_format(seconds / 3600, 1)


@register.filter
def percent(share: float | None) -> str:
    if share is None:
        return "–"
    return number_format(100 * share, 0) + "\u00a0%"


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
    return number_format(value, 0, use_l10n=True, force_grouping=True)
