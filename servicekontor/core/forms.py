"""Forms and patterns shared by public pages."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# A phone number as citizens type it: optional +, digits, spaces and dashes, 8–20 characters.
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}[0-9]$")


class PlaceForm(forms.Form):
    """Where the citizen is: a place name, or coordinates ("near me")."""

    q = forms.CharField(
        label=_("Town or district"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "address-level2"}),
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if (cleaned.get("lat") is None) != (cleaned.get("lon") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned
