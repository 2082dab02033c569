"""Forms and patterns shared by public pages."""

import re
import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicekontor.core.geography import parse_coordinates, parse_degrees

# Written like a phone number, of any length (a short one is "too short", not "not a number").
PHONE_WRITING = re.compile(r"^\+?[0-9][0-9 \-()]*$")


# Characters a person never types into a name or a note: C0 and C1 controls (escape
# sequences, bells, …) and the bidirectional embeddings, overrides and isolates, which make
# text show in another order than it is stored ("\u202eevil" shows as "live"): a name shown
# to an officer must read as it was given. Line breaks and tabs are text in a multi-line
# field only. Left-to-right and right-to-left marks (U+200E, U+200F) stay: they are how
# mixed-direction names are written.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_LINE_CONTROLS = "\t\n\r"
# Invisible characters at the ends of a value (zero-width space, joiners, word joiner,
# byte-order mark): stripped as whitespace is, so a value of only these is empty.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def refused_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The characters of `value` that `PlainTextField` refuses, each once, as U+XXXX."""
    found = []
    for char in value:
        if char in _LINE_CONTROLS and multiline:
            continue
        if char == "\x00":
            continue  # Django's own validator says what a NUL is (ProhibitNullCharactersValidator)
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            code = f"U+{ord(char):04X}"
            if code not in found:
                found.append(code)
    return found


class PlainTextField(forms.CharField):
    """Text as people type it (names, notes, reasons): control characters and bidirectional
    overrides are an error on the field, and invisible characters at the ends are stripped
    as whitespace is, so a value of only those is empty (a required field then says so).
    `multiline` allows line breaks and tabs (a textarea). Probe of issue 13: a booking's name
    of "\u202eevil", of escape sequences or of one zero-width space was accepted."""

    default_error_messages = {
        "control": _(
            "Remove the invisible control characters (%(chars)s); they cannot be shown as text."
        ),
    }

    def __init__(self, *, multiline: bool = False, **kwargs: object) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text and self.strip:
            text = str(text).strip(_INVISIBLE + " \t\n\r\x0b\x0c").strip()
        return text if text else self.empty_value

    def validate(self, value: object) -> None:
        super().validate(value)
        chars = refused_characters(str(value or ""), multiline=self.multiline)
        if chars:
            raise forms.ValidationError(
                self.error_messages["control"], code="control", params={"chars": ", ".join(chars)}
            )


def labelled_errors(form: forms.Form) -> str:
    """A bound form's errors as one line, each after its field's label as the user sees it
    ("Volume change (%): Ensure this value …"), for answers that cannot show the form (a
    file download, a redirect's message). Never the field's internal name."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(map(str, errors))
        parts.append(f"{form.fields[name].label}: {text}" if name in form.fields else text)
    return " ".join(parts)


class DegreesField(forms.FloatField):
    """Decimal degrees, with a point or a decimal comma ("59,33" as a Swedish keyboard and
    Swedish map sites write it)."""

    default_error_messages = {"invalid": _("Enter decimal degrees, e.g. 59.33.")}

    def __init__(self, *, longitude: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        if longitude:  # the example must be a longitude (Stockholm's), not a latitude
            self.error_messages["invalid"] = _("Enter decimal degrees, e.g. 18.07.")

    def to_python(self, value: object) -> float | None:  # type: ignore[override]
        if isinstance(value, str) and value.strip():
            parsed = parse_degrees(value)
            if parsed is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return parsed
        return super().to_python(value)


class PlaceForm(forms.Form):
    """Where the citizen is: a place name, or coordinates ("near me"). A pair of
    coordinates typed into the place field ("59,33, 18,06") is read as coordinates."""

    q = forms.CharField(
        label=_("Town or district"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "address-level2"}),
    )
    lat = DegreesField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = DegreesField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, longitude=True
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if self.has_error("lat") or self.has_error("lon"):
            # A coordinate that is not one has its own error: it was filled in, so "give
            # both, or neither" would be wrong (and the place field is not read as a pair).
            return cleaned
        pair = parse_coordinates(str(cleaned.get("q") or ""))
        if pair is not None and cleaned.get("lat") is None and cleaned.get("lon") is None:
            cleaned["lat"], cleaned["lon"] = pair
            cleaned["q"] = ""
        if (cleaned.get("lat") is None) != (cleaned.get("lon") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned
