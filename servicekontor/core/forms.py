"""Forms and patterns shared by public pages."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from servicekontor.core.geography import parse_coordinates, parse_degrees

# Written like a phone number, of any length (a short one is "too short", not "not a number").
PHONE_WRITING = re.compile(r"^\+?[0-9][0-9 \-()]*$")


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
