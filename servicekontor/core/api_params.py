"""Query parameters of the read-only API: parsed here, rejected with a 400 that says what to do."""

import datetime as dt

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def date_param(params: QueryDict, name: str, default: dt.date | None = None) -> dt.date | None:
    """`?name=YYYY-MM-DD` as a date; `default` when absent or empty; 400 when malformed."""
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        # fromisoformat also takes "20250601" and week dates; insist on the documented form.
        if len(raw) != 10:
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            {
                name: [
                    _("“%(value)s” is not a valid date. Use YYYY-MM-DD, e.g. 2025-06-01.")
                    % {"value": raw}
                ]
            }
        ) from None


def unknown_value_error(name: str, value: str, allowed: list[str] | None = None) -> ValidationError:
    """A 400 for a code or choice that does not exist, naming the allowed values if few."""
    message = _("Unknown %(name)s “%(value)s”.") % {"name": name, "value": value}
    if allowed:
        message += " " + _("Use one of: %(allowed)s.") % {"allowed": ", ".join(allowed)}
    return ValidationError({name: [message]})
