"""Bilingual names stored as two columns (name_sv, name_en), shown in the active language."""

from django.utils.translation import get_language


def pick_language(sv: str, en: str) -> str:
    """The Swedish text unless English is active and an English text exists."""
    language = (get_language() or "sv").split("-")[0]
    if language == "en" and en:
        return en
    return sv


def current_language() -> str:
    """The active language as one of settings.LANGUAGES ("sv", "en"); the default otherwise.

    Stored on what a citizen leaves behind (a booking, a queue contact) so that every later
    message to them is written in the language they used.
    """
    from django.conf import settings

    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    known = {language for language, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE
