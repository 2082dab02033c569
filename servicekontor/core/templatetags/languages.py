"""{% interpreter_languages as choices %}: (code, name) pairs in the page's language."""

from django import template

from servicekontor.core.i18n import current_language
from servicekontor.core.languages import language_choices

register = template.Library()


@register.simple_tag
def interpreter_languages() -> tuple[tuple[str, str], ...]:
    return language_choices(current_language())
