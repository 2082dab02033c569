"""The one rounding rule for every figure the product shows: half up, as a person rounds.

A figure is rounded on the decimal it is written as (a float's shortest form, `repr`: 14.95
is "14.95", not the binary 14.9499…), scaled exactly (a share × 100, seconds ÷ 60) and rounded
half away from zero: 66.666… → 66.7, 14.99 → 15.0, 0.05 → 0.1, 2.675 → 2.68, -0.05 → -0.1;
a result of zero is 0, never "-0". Django's `number_format` cuts decimals off (66.67 with no
decimals was "66", 14.99 with one "14,9") and Python's `round` rounds a tie to even on the
binary value (round(0.25, 1) is 0.2, round(2.675, 2) is 2.67), so neither is used on a figure.

Pages show `shown(…)`; exports (CSV, Excel) and the API carry `exported(…)`, the same rounded
figure as a number, so a page and its file cannot disagree.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from django.utils.formats import number_format

Number = int | float | Decimal | Fraction

#: Seconds → minutes (`scale=MINUTE`).
MINUTE = Fraction(1, 60)
#: Minutes (handled, mean service, mean wait) have one decimal on every page, file and API
#: answer that shows them: the statistics and the cost report show one figure alike.
MINUTE_PLACES = 1


def _exact(value: Number) -> Fraction:
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite figure: {value!r}")
        return Fraction(value)
    number = float(value)  # a float, or numpy's (whose repr is not the number's)
    if not math.isfinite(number):
        raise ValueError(f"not a finite figure: {value!r}")
    return Fraction(repr(number))  # as written, not the binary value


def _missing(value: Number) -> bool:
    """No figure: NaN or an infinity."""
    if isinstance(value, int | Fraction):
        return False
    if isinstance(value, Decimal):
        return not value.is_finite()
    return not math.isfinite(float(value))


def rounded(value: Number, places: int = 0, *, scale: Number = 1) -> Decimal:
    """`value` × `scale` rounded half up (a tie away from zero) to `places` decimals, exactly.

    `scale` is exact too: `rounded(2 / 3, 1, scale=100)` is 66.7, `rounded(899.4, 1,
    scale=Fraction(1, 60))` (seconds as minutes) is 15.0. Raises ValueError for NaN or an
    infinity (callers show "–" for those)."""
    figure = _exact(value) * _exact(scale)
    step = Fraction(10) ** places
    whole = math.floor(abs(figure) * step + Fraction(1, 2))
    return Decimal(-whole if figure < 0 else whole).scaleb(-places)


def exported(value: Number | None, places: int = 0, *, scale: Number = 1) -> float | None:
    """The figure as a file or the API carries it: `rounded`, as a number (None stays None:
    unknown, not 0; NaN and infinities are None too)."""
    if value is None or _missing(value):
        return None
    return float(rounded(value, places, scale=scale))


def shown(
    value: Number | None, places: int = 0, *, scale: Number = 1, grouping: bool = True
) -> str:
    """The figure as a page shows it: `rounded`, in the active language's format (sv
    "1 234,5", en "1,234.5"), always `places` decimals; "–" without a figure (None, NaN,
    infinity)."""
    if value is None or _missing(value):
        return "–"
    return number_format(
        rounded(value, places, scale=scale), places, use_l10n=True, force_grouping=grouping
    )
