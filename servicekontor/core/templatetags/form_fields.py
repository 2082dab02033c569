"""`{% form_field field %}`: the project's form field (`appointments/_field.html`), written out
in Python.

The field's wrapper — a label (or, for a field of several inputs, a fieldset's legend) without
Django's colon, the required marker, the errors read with the label, the help text — was an
`{% include %}` of about ten variable lookups and conditions per field. On the citizens'
search (three fields) and contact form (three or four) the includes were a fifth of the
request's CPU at the national peak (issue 13; the widget itself is already rendered in Python,
decision 0067). The rules of decisions 0051 and 0071: the HTML is byte for byte what the
template rendered (`core/tests/test_form_fields.py` renders the old template beside it on
Hypothesis-made fields): every `{{ value }}` is rendered as the template engine renders a
variable (`render_value_in_context`: localized, then escaped unless safe), the widget is the
field's own rendering (`{{ field }}`), and `{% translate "required" %}` is the translation of
the literal, unescaped, as the tag leaves it. `appointments/_field.html` is now this tag, so
every page that includes it shows the same field.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

# A template's defaults for rendering a variable: autoescape on, the settings' USE_TZ and
# USE_L10N (`None`: as configured); nothing request-specific is read from it.
_VARIABLE = Context()


def _v(value: Any) -> str:
    """`{{ value }}` in a template with autoescaping on."""
    return str(render_value_in_context(value, _VARIABLE))


def form_field_html(field: BoundField) -> str:
    """The field as `appointments/_field.html` rendered it with `field` (a bound field)."""
    errors = field.errors
    has_error = " has-error" if errors else ""
    required = (
        ' <span aria-hidden="true">*</span><span class="visually-hidden">'
        f"({gettext(mark_safe('required'))})</span>"
        if field.field.required
        else ""
    )
    error_html = (
        f'<span class="error" id="{_v(field.auto_id)}_error">'
        + "".join(f" — {_v(error)}" for error in errors)
        + "</span>"
        if errors
        else ""
    )
    label = _v(field.label)
    if field.use_fieldset:
        described = field.aria_describedby
        attribute = f' aria-describedby="{_v(described)}"' if described else ""
        head = (
            f'<fieldset class="field{has_error}"{attribute}>\n'
            f"  <legend>{label}{required}\n    {error_html}</legend>"
        )
        tail = "</fieldset>"
    else:
        head = (
            f'<div class="field{has_error}">\n'
            f'  <label for="{_v(field.id_for_label)}">{label}{required}\n'
            f"    {error_html}</label>"
        )
        tail = "</div>"
    help_text = field.help_text
    help_html = (
        f'<p class="help" id="{_v(field.auto_id)}_helptext">{_v(help_text)}</p>'
        if help_text
        else ""
    )
    return f"{head}\n  {help_html}\n  {_v(field)}\n{tail}\n"


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    """`{% include "appointments/_field.html" with field=… %}` without the include."""
    return mark_safe(form_field_html(field))  # every value rendered as the template did
