"""Text people type (names, notes, reasons) refuses control characters and bidirectional
overrides, and a value of only invisible characters is empty (probe of issue 13: a booking's
name of "\\u202eevil", of terminal escape sequences, of "a\\r\\nBcc: …" or of one zero-width
space was booked and shown to the officer)."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from servicekontor.core.forms import PlainTextField, refused_characters


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class _Form(forms.Form):
    name = PlainTextField(max_length=120)
    note = PlainTextField(multiline=True, required=False)


@pytest.mark.parametrize(
    ("value", "chars"),
    [
        ("\u202eevil", "U+202E"),
        ("Anna \u202dBerg\u202c", "U+202D, U+202C"),
        ("\u2066x\u2069", "U+2066, U+2069"),
        ("\x1b[31mred", "U+001B"),
        ("a\x07b\x7f", "U+0007, U+007F"),
        ("a\r\nBcc: evil@example.com", "U+000D, U+000A"),
        ("tab\there", "U+0009"),
        ("c1\x85\x9b", "U+0085, U+009B"),
    ],
)
def test_one_line_text__controls_and_overrides__an_error_naming_them(value, chars) -> None:
    form = _Form({"name": value})
    assert not form.is_valid()
    assert form.errors["name"] == [
        f"Remove the invisible control characters ({chars}); they cannot be shown as text."
    ]


@pytest.mark.parametrize("value", ["\u200b", "\ufeff", " \u200b\u2060 ", "\u200c\u200d", "\u3000"])
def test_only_invisible_characters__empty__required_says_so(value) -> None:
    form = _Form({"name": value})
    assert not form.is_valid()
    assert form.errors["name"] == ["This field is required."]


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("Anna Berg", "Anna Berg"),
        ("\u200bAnna\ufeff", "Anna"),
        ("  Åsa Öberg  ", "Åsa Öberg"),
        ("محمد\u200f Ali", "محمد\u200f Ali"),  # a right-to-left mark is how such names are written
        ("Zoë 😀", "Zoë 😀"),
        ("Jean\u2011Luc", "Jean\u2011Luc"),
    ],
)
def test_names_as_people_write_them__kept(value, cleaned) -> None:
    form = _Form({"name": value})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == cleaned


def test_multiline__line_breaks_and_tabs_are_text__other_controls_not() -> None:
    assert _Form({"name": "a", "note": "line 1\r\nline 2\tend"}).is_valid()
    form = _Form({"name": "a", "note": "line 1\n\x1b[2J"})
    assert not form.is_valid() and "U+001B" in form.errors["note"][0]


def test_nul__left_to_djangos_own_message() -> None:
    assert refused_characters("a\x00b") == []
    form = _Form({"name": "a\x00b"})
    assert not form.is_valid()
    assert "U+" not in form.errors["name"][0]


@pytest.mark.django_db
def test_every_free_text_field_people_fill_in_is_plain_text() -> None:
    """The forms whose text is shown to other people: each name, note and reason field."""
    from servicekontor.appointments.forms import ContactForm, DeskContactForm
    from servicekontor.changeplans import forms as plan_forms
    from servicekontor.costs.forms import CorrectForm
    from servicekontor.handovers.forms import HandoverForm
    from servicekontor.planning.forms import SaveScenarioForm

    fields = [
        ContactForm.base_fields["name"],
        DeskContactForm.base_fields["name"],
        HandoverForm.base_fields["needs"],
        CorrectForm.base_fields["reason"],
        SaveScenarioForm.base_fields["name"],
    ]
    for form in vars(plan_forms).values():
        if isinstance(form, type) and issubclass(form, forms.Form):
            for name in ("name", "description", "municipality", "county", "note"):
                # a field picked from a list (the county since walk F15) holds no free text
                if name in form.base_fields and not isinstance(
                    form.base_fields[name], forms.ChoiceField
                ):
                    fields.append(form.base_fields[name])
    assert len(fields) >= 10
    assert all(isinstance(f, PlainTextField) for f in fields), [type(f).__name__ for f in fields]
