"""Money and quantities on the costs pages: öre shown as kronor, localized (sv: 1 234,56);
every figure rounded half up and grouped by `core.rounding.shown`, the rule of every page."""

from decimal import Decimal
from fractions import Fraction

from django import template

from servicekontor.core.rounding import MINUTE, MINUTE_PLACES, shown

register = template.Library()


@register.filter
def kr(ore: int | Fraction | None) -> str:
    """Öre as kronor with two decimals and grouping; "–" when there is no value."""
    if ore is None:
        return "–"
    return shown(Fraction(ore) / 100, 2)


@register.filter
def minutes(seconds: int) -> str:
    """Seconds as minutes, with the statistics' places (`core.rounding.MINUTE_PLACES`)."""
    return shown(seconds, MINUTE_PLACES, scale=MINUTE)


@register.filter
def percent(share: Fraction | None) -> str:
    if share is None:
        return "–"
    return shown(share, 2, scale=100) + " %"


@register.filter
def amount(value: int | float | Fraction | None) -> str:
    """Hours or FTE with two decimals, localized; "–" when there is no value."""
    return shown(value, 2)


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key)


@register.filter
def cell(value: object) -> object:
    """A cell of the report's tables (`costs.exports`, shared with the CSV and Excel files)
    as the page shows it: whole numbers (öre, visits, seconds) grouped (sv: 1 234 567),
    decimals (kronor, rounded to two places by `exports`) with two places and grouping
    (sv: 43 108,50, not 43108,5); a Decimal (minutes, `core.rounding.MINUTE_PLACES`) with its
    own places (3 568,6, as the statistics show it); text as it is; "–" for no value."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        return value
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return shown(value, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return shown(value, 0 if isinstance(value, int) else 2)
