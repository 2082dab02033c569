"""A table cell as a reader expects it: numbers localized with grouping (sv: 49 864 190,5),
trailing zeros of a decimal dropped; text as it is; None empty."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def cell(value: object) -> object:
    """``value`` for an HTML table cell (the exports keep the raw number)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, float) and value != value:  # NaN: no figure
        return "–"
    text = format(Decimal(str(value)).normalize(), "f")
    places = len(text.split(".", 1)[1]) if "." in text else 0
    return number_format(Decimal(text), places, use_l10n=True, force_grouping=True)
