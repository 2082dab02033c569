"""`{% form_field %}` (`core/templatetags/form_fields.py`) writes a form field byte for byte as
the template `appointments/_field.html` rendered it (`OLD_FIELD`, the template as it was):
on Hypothesis-made fields (one input or several, required or not, labels and help texts
needing escaping or marked safe, with and without errors, any `auto_id`), in Swedish and
English. The pages that use it: `appointments/tests/test_form_fields_pages.py`."""

from typing import Any

from django import forms
from django.template import engines
from django.template.context import Context
from django.utils import translation
from django.utils.safestring import mark_safe
from hypothesis import example, given, settings
from hypothesis import strategies as st

from servicekontor.core.templatetags.form_fields import form_field_html

HOSTILE = "<b>&amp; \"citat\" 'o' åäö</b>"

OLD_FIELD = (
    "{% load i18n %}{# Errors sit inside the label, so they are read with the field; Django adds"
    " aria-invalid and aria-describedby, naming <id>_helptext and <id>_error, which must exist."
    " A field of several inputs (checkboxes, radio buttons: Django's use_fieldset) is a fieldset"
    ' named by its legend, described as a whole: a label there would name no input (for="").'
    " #}"
    '{% if field.use_fieldset %}<fieldset class="field{% if field.errors %} has-error{% endif %}"'
    '{% if field.aria_describedby %} aria-describedby="{{ field.aria_describedby }}"{% endif %}>\n'
    '  <legend>{{ field.label }}{% if field.field.required %} <span aria-hidden="true">*</span>'
    '<span class="visually-hidden">({% translate "required" %})</span>{% endif %}\n'
    '    {% if field.errors %}<span class="error" id="{{ field.auto_id }}_error">'
    "{% for error in field.errors %} — {{ error }}{% endfor %}</span>{% endif %}</legend>"
    '{% else %}<div class="field{% if field.errors %} has-error{% endif %}">\n'
    '  <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %}'
    ' <span aria-hidden="true">*</span><span class="visually-hidden">'
    '({% translate "required" %})</span>{% endif %}\n'
    '    {% if field.errors %}<span class="error" id="{{ field.auto_id }}_error">'
    "{% for error in field.errors %} — {{ error }}{% endfor %}</span>{% endif %}</label>"
    "{% endif %}\n"
    '  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">'
    "{{ field.help_text }}</p>{% endif %}\n"
    "  {{ field }}\n"
    "{% if field.use_fieldset %}</fieldset>{% else %}</div>{% endif %}\n"
)
_ENGINE = engines["django"].engine  # type: ignore[attr-defined]
_OLD = _ENGINE.from_string(OLD_FIELD)

_TEXT = st.one_of(st.just(HOSTILE), st.just(""), st.text(max_size=12))
_SAFE = _TEXT.map(mark_safe)
CHOICES = [("a", HOSTILE), ("b", "Två")]


def _field(kind: str, *, required: bool, label: str, help_text: str) -> forms.Field:
    common: dict[str, Any] = {"required": required, "label": label, "help_text": help_text}
    if kind == "text":
        return forms.CharField(max_length=5, **common)
    if kind == "email":
        return forms.EmailField(**common)
    if kind == "number":
        return forms.IntegerField(min_value=0, **common)
    if kind == "select":
        return forms.ChoiceField(choices=CHOICES, **common)
    if kind == "radio":  # several inputs: a fieldset
        return forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, **common)
    if kind == "checkboxes":
        return forms.MultipleChoiceField(
            choices=CHOICES, widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.BooleanField(**common)


KINDS = ["text", "email", "number", "select", "radio", "checkboxes", "boolean"]


@settings(max_examples=300, deadline=None)
@example(
    kind="radio",
    required=True,
    label=HOSTILE,
    help_text=HOSTILE,
    data={"f": "x"},
    auto_id="id_%s",
    language="sv",
)
@example(kind="text", required=True, label="", help_text="", data={}, auto_id=False, language="en")
@given(
    kind=st.sampled_from(KINDS),
    required=st.booleans(),
    label=st.one_of(_TEXT, _SAFE),
    help_text=st.one_of(_TEXT, _SAFE),
    data=st.one_of(
        st.none(),
        st.dictionaries(
            st.just("f"), st.sampled_from(["", "a", "b", "x", "123456", HOSTILE, "-1", "a@b.se"])
        ),
    ),
    auto_id=st.sampled_from(["id_%s", "%s", False, "x<%s>"]),
    language=st.sampled_from(["sv", "en"]),
)
def test_form_field__as_the_old_template(kind, required, label, help_text, data, auto_id, language):
    field = _field(kind, required=required, label=label, help_text=help_text)
    form_class = type("Made", (forms.Form,), {"f": field})
    form = form_class(data, auto_id=auto_id)
    form.is_valid()
    with translation.override(language):
        old = _OLD.render(Context({"field": form["f"]}))
        new = form_field_html(form["f"])
    assert new == old


def test_field_template__is_the_tag():
    """`appointments/_field.html` (still included by the staff's and the kiosk's pages)
    renders the tag, nothing around it."""
    form = type("Made", (forms.Form,), {"f": forms.CharField(label=HOSTILE)})({"f": ""})
    form.is_valid()
    included = _ENGINE.from_string('{% include "appointments/_field.html" %}')
    assert included.render(Context({"field": form["f"]})) == _OLD.render(
        Context({"field": form["f"]})
    )
