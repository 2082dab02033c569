"""Phone numbers as E.164 (`+46701234567`), parsed by `phonenumbers` (Google's libphonenumber).

Pure: no Django. Swedish numbers may be written nationally ("070-123 45 67"); foreign ones
need their country code ("+358 40 123 4567"). "+46 070-…" and "+46 (0)70 …" (the trunk 0 kept
after the country code, a common way of writing it), "0046 70…", "46 70…" and "70-123 45 67"
(the 0 left out) are read as the same number as "070-…".
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "SE"


class InvalidPhoneNumber(ValueError):
    """Not a phone number that can be dialled (too short, unknown series, letters).

    `reason` says which, for the message to the person: "characters" (something other than
    digits, spaces, -, (, ) and a leading +), "too_short", "too_long", "invalid" (the
    right length but no such number), or "not_mobile" (a number, but text messages cannot
    reach it: `to_mobile_e164`)."""

    def __init__(self, text: str, reason: str = "invalid") -> None:
        super().__init__(text)
        self.reason = reason


MIN_DIGITS = 7  # no dialable number has fewer (a Swedish one has 8–10 with its 0)
_WRITING = frozenset("0123456789 -()+./\u00a0")
_LENGTH_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too_short",
    phonenumbers.ValidationResult.INVALID_LENGTH: "too_short",
    phonenumbers.ValidationResult.TOO_LONG: "too_long",
}


def to_e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """`raw` as E.164, e.g. "070-123 45 67" -> "+46701234567".

    Raises InvalidPhoneNumber if it cannot be parsed or is not a valid number of its country.
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not set(text) <= _WRITING:
        raise InvalidPhoneNumber(text, "characters")
    if sum(c.isdigit() for c in text) < MIN_DIGITS:
        raise InvalidPhoneNumber(text, "too_short")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        reason = {
            phonenumbers.NumberParseException.TOO_SHORT_NSN: "too_short",
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
            phonenumbers.NumberParseException.TOO_LONG: "too_long",
        }.get(exc.error_type, "invalid")
        raise InvalidPhoneNumber(str(exc), reason) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(text, _LENGTH_REASONS.get(_length(number), "invalid"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _length(number: phonenumbers.PhoneNumber) -> int:
    """Whether `number` (not valid) has too few or too many digits: a Swedish 07… number
    by the length of a mobile number (0 + 9 digits), as a Swede who left out or doubled a
    digit of "070-123 45 67" should be told; otherwise by any length of its country
    (Sweden's fixed lines have 7 to 13 digits, so "no such number" there)."""
    if number.country_code == 46 and str(number.national_number).startswith("7"):
        return phonenumbers.is_possible_number_for_type_with_reason(
            number, phonenumbers.PhoneNumberType.MOBILE
        )
    return phonenumbers.is_possible_number_with_reason(number)


def to_mobile_e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """`raw` as E.164 (`to_e164`), for text messages: raises InvalidPhoneNumber with reason
    "not_mobile" for a valid number that cannot receive them (a fixed line)."""
    e164 = to_e164(raw, region=region)
    if not is_mobile(e164):
        raise InvalidPhoneNumber(raw.strip(), "not_mobile")
    return e164


def is_mobile(e164: str) -> bool:
    """True if the number can receive SMS (mobile, or a series that may be either)."""
    number = phonenumbers.parse(e164, None)
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.PAGER,
    )
