"""A table cell as a reader expects it: numbers localized with grouping (sv: 49 864 190,5),
trailing zeros of a decimal dropped; text as it is; None empty. A table whose rows are also a
file's (`exported` figures) and whose columns have a number of places shows each figure with
them (`with_places`: `core.rounding.shown`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django import template
from django.utils.formats import number_format

from servicekontor.core.rounding import shown

register = template.Library()


@register.filter
def rounded(value: object, places: int = 0) -> object:
    """A figure rounded half up to `places` decimals, localized and grouped (`core.rounding`:
    the rule of every page and export; Django's `floatformat` is not used on a figure a file
    or the API also carries); "–" without a figure."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return shown(value, int(places))


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


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | Decimal)


@register.filter
def numeric(value: object) -> bool:
    """True for a figure: its cell gets `class="num"` (right-aligned, tabular digits)."""
    return _is_number(value)


@register.filter
def numeric_column(rows: object, i: int) -> bool:
    """True when column `i` of `rows` holds figures (its header aligns with them)."""
    if not isinstance(rows, list | tuple):
        return False
    return any(_is_number(row[i]) for row in rows if isinstance(row, list | tuple) and len(row) > i)


@register.filter
def with_places(row: Sequence[object], places: Sequence[int | None]) -> list[tuple[object, bool]]:
    """The row's cells as a page shows them, each with whether it is a figure: a figure
    rounded half up to its column's `places` decimals, localized and grouped
    (`core.rounding.shown`: sv "12 345", "1 234,5"; the file of the same rows carries the
    number); "–" for None (no figure); text as it is. A column beyond `places` or with None
    shows its figures as `cell` does. The same rule as every other figure on the pages."""
    out: list[tuple[object, bool]] = []
    for i, value in enumerate(row):
        if value is None:
            out.append(("–", False))
        elif not _is_number(value):
            out.append((value, False))
        else:
            digits = places[i] if i < len(places) else None
            assert isinstance(value, int | float | Decimal)
            out.append((cell(value) if digits is None else shown(value, digits), True))
    return out
