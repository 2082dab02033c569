"""Bilingual names stored as two columns (name_sv, name_en), shown in the active language."""

from django.utils.translation import get_language


def pick_language(sv: str, en: str) -> str:
    """The Swedish text unless English is active and an English text exists."""
    language = (get_language() or "sv").split("-")[0]
    if language == "en" and en:
        return en
    return sv
