"""Offices and counties as a form offers them: by name, grouped by county, in the page's
language (walk F15: planning and steering forms asked for office codes and a typed county).

Works without JavaScript: a plain `<select>` with an `<optgroup>` per county. A value is the
office's code (the county's Swedish name, as the registry stores it), so a form's cleaning
and the services are unchanged; a value of comma-separated codes, as the forms took before,
is still read (a saved link or a script).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicekontor.core import clock
from servicekontor.core.geography import county_name, county_names
from servicekontor.network.models import Office

Choice = tuple[str, str]
Group = tuple[str, list[Choice]]


def county_choices() -> list[Choice]:
    """(Swedish name, name in the page's language) of the 21 counties, in the page's
    language's alphabetical order."""
    return sorted(((c, county_name(c)) for c in county_names()), key=lambda c: _sort_key(c[1]))


# Swedish order: å, ä, ö after z (enough for county and office names)
_AFTER_Z: dict[str, str | int | None] = {"å": "{", "ä": "|", "ö": "}"}
_ORDER = str.maketrans(_AFTER_Z)


def _sort_key(text: str) -> str:
    return text.casefold().translate(_ORDER)


def office_groups(
    *,
    extra: Iterable[tuple[str, str, str]] = (),
    extra_label: Any = None,
    key: str = "code",
    closed_too: bool = False,
) -> list[Group]:
    """The offices not closed today (`closed_too`: every office), by name, one group per county (the counties and the
    names in order), then `extra` (code, name, county) offices under `extra_label` (a
    plan's own openings). Each valued by its `key` ("code", or "pk" for a model choice)."""
    today = clock.local_today()
    offices = Office.objects.all()
    if not closed_too:
        offices = offices.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))
    rows = offices.order_by().values_list(key, "name", "county")
    by_county: dict[str, list[Choice]] = {}
    for code, name, county in rows:
        by_county.setdefault(county, []).append((str(code), name))
    groups = [
        (county_name(county), sorted(offices, key=lambda o: _sort_key(o[1])))
        for county, offices in by_county.items()
    ]
    groups.sort(key=lambda g: _sort_key(g[0]))
    added = [
        (code, f"{name} ({county_name(county)})" if county else name)
        for code, name, county in extra
    ]
    if added:
        groups.append((str(extra_label or _("Opened in this plan")), added))
    return groups


def split_codes(values: Iterable[str]) -> list[str]:
    """The codes of a select's values, each value also read as comma- or space-separated
    codes (the text field's form); each code once, in order."""
    codes = (c.strip() for v in values for c in re.split(r"[,\s]+", v or ""))
    return list(dict.fromkeys(c for c in codes if c))


class OfficesField(forms.MultipleChoiceField):
    """Offices picked by name (`office_groups`), cleaned to their codes. Codes that name no
    listed office are kept for the form to refuse with its own words (a plan's own
    openings, an office closed since): the field checks only that one was given when
    required."""

    widget = forms.SelectMultiple(attrs={"size": 10})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", office_groups)
        super().__init__(**kwargs)

    MAX_TEXT = 2000  # the longest value of codes as text the forms took (a select's are short)
    MAX_OFFICES = 1000

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        values = [str(v) for v in value]
        for text in values:
            MaxLengthValidator(self.MAX_TEXT)(text)
        codes = split_codes(values)
        if len(codes) > self.MAX_OFFICES:
            raise forms.ValidationError(
                _("Choose at most %(limit)s offices.") % {"limit": self.MAX_OFFICES}
            )
        return codes

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class CountyField(forms.ChoiceField):
    """A county from the list of Sweden's counties (`county_choices`), its name in the
    page's language; cleaned to the Swedish name the registry stores."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", lambda: [("", "—"), *county_choices()])
        super().__init__(**kwargs)
