"""Query parameters of the read-only API: parsed here, rejected with a 400 that says what to do."""

import datetime as dt

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from servicekontor.core.params import parse_date


def date_param(params: QueryDict, name: str, default: dt.date | None = None) -> dt.date | None:
    """`?name=YYYY-MM-DD` as a date; `default` when absent or empty; 400 when malformed."""
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from None


def unknown_value_error(name: str, value: str, allowed: list[str] | None = None) -> ValidationError:
    """A 400 for a code or choice that does not exist, naming the allowed values if few."""
    message = _("Unknown %(name)s “%(value)s”.") % {"name": name, "value": value}
    if allowed:
        message += " " + _("Use one of: %(allowed)s.") % {"allowed": ", ".join(allowed)}
    return ValidationError({name: [message]})
