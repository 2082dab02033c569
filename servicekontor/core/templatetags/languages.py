"""{% interpreter_languages as choices %}: (code, name) pairs in the page's language;
{% interpreter_language_options %}: the same as ready <option> elements; `code|language_name`:
one code's name in the page's language (the code itself if unknown)."""

import functools

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from servicekontor.core.i18n import current_language
from servicekontor.core.languages import (
    common_language_choices,
    language_choices,
    other_language_choices,
)

register = template.Library()


@register.simple_tag
def interpreter_languages() -> tuple[tuple[str, str], ...]:
    return language_choices(current_language())


@register.simple_tag
def interpreter_language_options() -> SafeString:
    """`<option value="code">name</option>` for every `interpreter_languages` pair, escaped,
    in the page's language. Built once per language and kept: the same ~180 options are in
    a desk's finish and errand forms on every render of a visit being served, where a
    template loop over them was the largest part of the render."""
    return _options(current_language())


@functools.cache
def _options(locale: str) -> SafeString:
    """The often needed languages first (`COMMON_INTERPRETER_LANGUAGES`, walk finding F6),
    then the other languages (each once, none that is not interpreted: walk F21); both
    groups labelled."""
    with translation.override(locale):
        common, every = _("Often needed"), _("Other languages")
    return format_html(
        '<optgroup label="{}">{}</optgroup><optgroup label="{}">{}</optgroup>',
        common,
        _option_list(common_language_choices(locale)),
        every,
        _option_list(other_language_choices(locale)),
    )


def _option_list(pairs: tuple[tuple[str, str], ...]) -> SafeString:
    return mark_safe(  # every name and code escaped by format_html
        "".join(format_html('<option value="{}">{}</option>', code, name) for code, name in pairs)
    )


@register.filter
def language_name(code: str) -> str:
    return _names(current_language()).get(code, code)


@functools.cache
def _names(locale: str) -> dict[str, str]:
    return dict(language_choices(locale))
