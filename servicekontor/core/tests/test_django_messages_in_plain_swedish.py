"""Django's own validation messages in plain Swedish (the project's catalogue overrides
Django's): the walk met "Säkerställ att detta värde har som mest 120 tecken (den har 500)."
on the citizens' booking form and the kiosk."""

import pytest
from django import forms
from django.utils import translation


class _Form(forms.Form):
    name = forms.CharField(max_length=120, min_length=2)
    percent = forms.IntegerField(min_value=1, max_value=900)


@pytest.mark.parametrize(
    ("data", "field", "said"),
    [
        ({"name": "A" * 500, "percent": 5}, "name", "Skriv högst 120 tecken (du skrev 500)."),
        ({"name": "A", "percent": 5}, "name", "Skriv minst 2 tecken (du skrev 1)."),
        ({"name": "Ab", "percent": 999}, "percent", "Värdet får vara högst 900."),
        ({"name": "Ab", "percent": 0}, "percent", "Värdet måste vara minst 1."),
    ],
)
def test_django_messages__plain_swedish(data, field, said):
    with translation.override("sv"):
        form = _Form(data)
        assert not form.is_valid()
        assert form.errors[field] == [said]


def test_django_messages__english_as_django_writes_them():
    with translation.override("en"):
        form = _Form({"name": "A" * 500, "percent": 5})
        assert not form.is_valid()
        assert form.errors["name"] == ["Ensure this value has at most 120 characters (it has 500)."]
