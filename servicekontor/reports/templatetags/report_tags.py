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
