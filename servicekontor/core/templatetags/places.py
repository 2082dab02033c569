"""Reference-data place names in the page's language."""

from django import template

from servicekontor.core.geography import county_name

register = template.Library()


@register.filter
def county(name: str) -> str:
    """A county (län) in the active language: "Västra Götaland County" on English pages."""
    return county_name(str(name or ""))
