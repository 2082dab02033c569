"""Phone numbers as one canonical form (E.164, "+46701234567"), with the `phonenumbers`
library (Google's libphonenumber metadata). Pure: no Django.

Citizens type "070-123 45 67", "+46 70 123 45 67", "+46 070-123 45 67" or "0046701234567" for
the same mobile; every comparison (the per-person booking limit) and every SMS needs one form.
Numbers without a country code are read as Swedish (`DEFAULT_REGION`).
"""

import phonenumbers

DEFAULT_REGION = "SE"


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number that can be dialled."""


def to_e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of `raw` ("+46701234567").

    Raises InvalidPhoneNumber when `raw` cannot be parsed or is not a valid number for its
    country (libphonenumber's `is_valid_number`: right length and number range).
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def canonical_or_raw(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """E.164 where `raw` is a valid number, otherwise `raw` stripped (for comparing stored
    values written before numbers were normalised)."""
    try:
        return to_e164(raw, region=region)
    except InvalidPhoneNumber:
        return raw.strip()
