import math

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """0.973 -> '97.3 %' (locale-aware decimal separator)."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{number_format(100 * float(value), decimal_pos=digits)}\u00a0%"


@register.filter
def km(value: float | None, digits: int = 1) -> str:
    """12.34 -> '12,3 km'; "–" where there is no distance (None, NaN, infinity: no office)."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{number_format(float(value), decimal_pos=digits)}\u00a0km"


@register.filter
def index(sequence: list[object], i: int) -> object:
    try:
        return sequence[int(i)]
    except (IndexError, TypeError, ValueError):
        return None
