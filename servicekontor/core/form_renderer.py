"""The form renderer: Django's own (`DjangoTemplates`), with its `<input>` widgets written out
in Python (decision 0067).

Every `{{ field }}` of a form renders its widget through the renderer's template engine:
`django/forms/widgets/text.html` includes `input.html`, which includes `attrs.html` and loops
over the attributes, each value through `stringformat` and the autoescape. At the national
peak (issue 13) that was about 0.5 ms of CPU per field, a fifth of the office search's
page (three fields) and more of the contact form's. Here the same markup is one f-string:
the templates' `{{ }}` escape as Django's `conditional_escape` (a `SafeString` is left as it
is), `stringformat:'s'` is Django's own filter. Every other widget (select, radio, textarea,
…) still renders from its template. `core/tests/test_form_renderer.py` compares the two
renderers on Hypothesis-made widgets.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import stringformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

# The widget templates that are `{% include "django/forms/widgets/input.html" %}` and nothing
# else (Django 5.2's django/forms/templates; the renderer's engine looks there first, so no
# app's template can replace them).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "search",
        "tel",
        "date",
        "datetime",
        "time",
        "color",
        "checkbox",
        "file",
    )
)


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` under autoescape."""
    text = stringformat(value, "s")
    return text if isinstance(value, SafeData) else conditional_escape(text)


def attrs_html(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(
                f" {conditional_escape(name)}"
                if value is True
                else f' {conditional_escape(name)}="{_formatted(value)}"'
            )
    return "".join(out)


def input_html(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (stripped, as the renderer strips every template)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{attrs_html(widget["attrs"])}>'
    )


class InputsInPython(DjangoTemplates):
    """`DjangoTemplates`, with the `<input>` widgets' templates written out in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        return super().render(template_name, context, request)
