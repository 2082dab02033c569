"""What to tell a person whose phone number was refused (`phone.InvalidPhoneNumber.reason`):
say what is wrong with it — only digits written but too few is "too short", not "digits
only"."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from servicekontor.messaging.phone import InvalidPhoneNumber

_MESSAGES: dict[str, Promise] = {
    "characters": _("Enter a phone number with digits only, e.g. 070-123 45 67."),
    "too_short": _("The phone number is too short; enter all its digits, e.g. 070-123 45 67."),
    "too_long": _("The phone number has too many digits; check it, e.g. 070-123 45 67."),
    "invalid": _("There is no such phone number; check the digits, e.g. 070-123 45 67."),
    "not_mobile": _("This is not a mobile number, and text messages need one; e.g. 070-123 45 67."),
}


def phone_error(exc: InvalidPhoneNumber) -> str:
    """The message in the active language."""
    return str(_MESSAGES.get(exc.reason, _MESSAGES["invalid"]))
