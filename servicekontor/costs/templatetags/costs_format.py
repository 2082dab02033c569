"""Money and quantities on the costs pages: öre shown as kronor, localized (sv: 1 234,56)."""

from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.formats import number_format

from servicekontor.core.rounding import Number, rounded

register = template.Library()


def _decimal(value: Number, places: int) -> Decimal:
    """Rounded half up, exactly (`core.rounding`: the rule of every figure and export)."""
    return rounded(value, places)


@register.filter
def kr(ore: int | Fraction | None) -> str:
    """Öre as kronor with two decimals and grouping; "–" when there is no value."""
    if ore is None:
        return "–"
    return number_format(_decimal(Fraction(ore) / 100, 2), 2, use_l10n=True, force_grouping=True)


@register.filter
def minutes(seconds: int) -> str:
    return number_format(_decimal(Fraction(seconds, 60), 1), 1, use_l10n=True, force_grouping=True)


@register.filter
def percent(share: Fraction | None) -> str:
    if share is None:
        return "–"
    return number_format(_decimal(share * 100, 2), 2, use_l10n=True) + " %"


@register.filter
def amount(value: int | float | Fraction | None) -> str:
    """Hours or FTE with two decimals, localized; "–" when there is no value."""
    if value is None:
        return "–"
    return number_format(_decimal(value, 2), 2, use_l10n=True, force_grouping=True)


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key)


@register.filter
def cell(value: object) -> object:
    """A cell of the report's tables (`costs.exports`, shared with the CSV and Excel files)
    as the page shows it: whole numbers (öre, visits, seconds) grouped (sv: 1 234 567),
    decimals (kronor, minutes; rounded to two places by `exports`) with two places and grouping
    (sv: 43 108,50, not 43108,5); text as it is; "–" for no value."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        return value
    if isinstance(value, int):
        return number_format(value, 0, use_l10n=True, force_grouping=True)
    return number_format(_decimal(value, 2), 2, use_l10n=True, force_grouping=True)
