from django import forms
from django.utils.translation import gettext_lazy as _


class FinderForm(forms.Form):
    """Search by place name, or by coordinates ("near me")."""

    q = forms.CharField(
        label=_("Town, district or office"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "address-level2"}),
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        has_lat = cleaned.get("lat") is not None
        has_lon = cleaned.get("lon") is not None
        if has_lat != has_lon:
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned
