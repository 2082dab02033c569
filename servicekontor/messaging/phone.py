"""Phone numbers as E.164 (`+46701234567`), parsed by `phonenumbers` (Google's libphonenumber).

Pure: no Django. Swedish numbers may be written nationally ("070-123 45 67"); foreign ones
need their country code ("+358 40 123 4567"). "+46 070-…" and "+46 (0)70 …" (the trunk 0 kept
after the country code, a common way of writing it) are read as the same number as "070-…".
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "SE"


class InvalidPhoneNumber(ValueError):
    """Not a phone number that can be dialled (too short, unknown series, letters)."""


def to_e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """`raw` as E.164, e.g. "070-123 45 67" -> "+46701234567".

    Raises InvalidPhoneNumber if it cannot be parsed or is not a valid number of its country.
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """True if the number can receive SMS (mobile, or a series that may be either)."""
    number = phonenumbers.parse(e164, None)
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.PAGER,
    )
