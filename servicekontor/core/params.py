"""Parsing of request values (query strings, form fields, URL parts): one strict helper per kind.

Python's own parsers accept more than a database or a calendar can hold: `int()` takes "²"'s
cousins ("١٢", Arabic-Indic digits) and numbers past 64 bits, `"²".isdigit()` is True, and
`date.fromisoformat` takes "20260601" and dates whose neighbours overflow (9999-12-31 + 1 day).
Every view parses through these, so bad input is a 400 with a message, never a 500.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1  # PostgreSQL bigint, the primary keys (BigAutoField)
# Dates a person can mean here. Far enough for any plan; far from date.max so that a week or a
# year added to it cannot overflow.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_id(raw: object) -> int | None:
    """A primary key written in ASCII digits, 1…2⁶³−1; None for anything else (absent,
    empty, "abc", "²", "١٢", "-1", too large)."""
    return parse_int(raw, minimum=1, maximum=MAX_ID)


def parse_int(raw: object, *, minimum: int, maximum: int) -> int | None:
    """An integer in ASCII digits within [minimum, maximum] (minimum ≥ 0); None otherwise."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_date(raw: str) -> dt.date:
    """`YYYY-MM-DD` (ASCII digits, a real calendar day, MIN_DATE…MAX_DATE) as a date.

    Raises ValueError with a message for the person (translated) otherwise: "2026-02-30",
    "20260601", "9999-12-31" are all refused.
    """
    text = raw.strip()
    invalid = _("“%(value)s” is not a valid date. Use YYYY-MM-DD, e.g. 2025-06-01.")
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(invalid % {"value": raw})
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(invalid % {"value": raw}) from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": MIN_DATE.isoformat(), "last": MAX_DATE.isoformat()}
        )
    return day


def date_or_400(raw: str, default: dt.date) -> dt.date:
    """For HTML views: `default` when empty, the date when valid, else BadRequest (a 400
    page showing the message, config/urls.py handler400)."""
    if not raw.strip():
        return default
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
