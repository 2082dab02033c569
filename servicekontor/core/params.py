"""Parsing of request values (query strings, form fields, URL parts): one strict helper per kind.

Python's own parsers accept more than a database or a calendar can hold: `int()` takes "²"'s
cousins ("١٢", Arabic-Indic digits) and numbers past 64 bits, `"²".isdigit()` is True, and
`date.fromisoformat` takes "20260601" and dates whose neighbours overflow (9999-12-31 + 1 day).
Every view parses through these, so bad input is a 400 with a message, never a 500.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1  # PostgreSQL bigint, the primary keys (BigAutoField)
# Dates a person can mean here. Far enough for any plan; far from date.max so that a week or a
# year added to it cannot overflow.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_ISO_WEEK = re.compile(r"([0-9]{4})-[Ww]([0-9]{2})")
# Seconds since 1970 (UTC) of the first and the last instant of MIN_DATE…MAX_DATE.
MIN_TIMESTAMP = int(dt.datetime.combine(MIN_DATE, dt.time.min, tzinfo=dt.UTC).timestamp())
MAX_TIMESTAMP = int(dt.datetime.combine(MAX_DATE, dt.time(23, 59, 59), tzinfo=dt.UTC).timestamp())


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
    check_date_range(day)
    return day


def range_message() -> str:
    """The one message for a date, month, week or instant outside MIN_DATE…MAX_DATE."""
    return _("Give a date between %(first)s and %(last)s.") % {
        "first": MIN_DATE.isoformat(),
        "last": MAX_DATE.isoformat(),
    }


def check_date_range(day: dt.date) -> None:
    """Raises ValueError (the range message) unless MIN_DATE <= day <= MAX_DATE: for dates
    read some other way (a form's DateField, a serializer) before any arithmetic on them."""
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(range_message())


def validate_date_range(day: dt.date) -> None:
    """`check_date_range` as a Django validator (forms.DateField(validators=[...]))."""
    try:
        check_date_range(day)
    except ValueError as exc:
        raise ValidationError(str(exc), code="out_of_range") from None


def validate_instant_range(instant: dt.datetime) -> None:
    """`validate_date_range` for an aware instant (its UTC date): a serializer's
    DateTimeField(validators=[...]), before any arithmetic on the instant."""
    validate_date_range(instant.astimezone(dt.UTC).date())


def parse_month(raw: str) -> dt.date:
    """`YYYY-MM` (ASCII digits, month 01–12, within MIN_DATE…MAX_DATE) as the month's first
    day. Raises ValueError with a message for the person: "2026-13", "9999-12", "2026-1"."""
    match = _ISO_MONTH.fullmatch(raw.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError(_("Give the month as YYYY-MM, e.g. 2025-03."))
    first = dt.date(int(match[1]), int(match[2]), 1)
    check_date_range(first)
    return first


def parse_iso_week(raw: str) -> dt.date:
    """An ISO week `YYYY-Www` ("2026-W10", ASCII digits) as its Monday, within
    MIN_DATE…MAX_DATE. Raises ValueError with a message: "2025-W53" (2025 has 52 weeks),
    "2026-W00", "9999-W52", "2026-10"."""
    invalid = _("Give the week as YYYY-Www, e.g. 2026-W10.")
    match = _ISO_WEEK.fullmatch(raw.strip())
    if match is None:
        raise ValueError(invalid)
    try:
        monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValueError(invalid) from None
    check_date_range(monday)
    return monday


def parse_timestamp(raw: object) -> dt.datetime:
    """Whole seconds since 1970-01-01 UTC (ASCII digits, no sign) as an aware UTC instant
    within MIN_DATE…MAX_DATE. Raises ValueError with a message otherwise: "-1", "abc",
    "253402300799" (9999-12-31), 10**30. An int (a URL's <int:…>) is checked the same way."""
    text = str(raw).strip() if isinstance(raw, int | str) else ""
    if not _ASCII_DIGITS.fullmatch(text):
        raise ValueError(_("Choose one of the listed times."))
    seconds = int(text)
    if not MIN_TIMESTAMP <= seconds <= MAX_TIMESTAMP:
        raise ValueError(range_message())
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def date_or_400(raw: str, default: dt.date) -> dt.date:
    """For HTML views: `default` when empty, the date when valid, else BadRequest (a 400
    page showing the message, config/urls.py handler400)."""
    if not raw.strip():
        return default
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
