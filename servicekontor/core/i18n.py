"""Bilingual names stored as two columns (name_sv, name_en), shown in the active language."""

import datetime as dt
from collections.abc import Callable

from django.utils import formats
from django.utils.translation import get_language, gettext

from servicekontor.core import clock


def pick_language(sv: str, en: str) -> str:
    """The Swedish text unless English is active and an English text exists."""
    return language_picker()(sv, en)


def _english(sv: str, en: str) -> str:
    return en or sv


def _swedish(sv: str, en: str) -> str:
    return sv


def language_picker() -> Callable[[str, str], str]:
    """`pick_language` with the active language read once (a loop over many names)."""
    if (get_language() or "sv").split("-")[0] == "en":
        return _english
    return _swedish


def current_language() -> str:
    """The active language as one of settings.LANGUAGES ("sv", "en"); the default otherwise.

    Stored on what a citizen leaves behind (a booking, a queue contact) so that every later
    message to them is written in the language they used.
    """
    from django.conf import settings

    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    known = {language for language, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def when_words(instant: dt.datetime) -> str:
    """A coming instant in words of the active language, Stockholm time: "today at 10:00",
    "tomorrow at 10:00", or "Tuesday 1 December at 10:00" (as the office page and kiosk
    say when an office opens)."""
    local = instant.astimezone(clock.STOCKHOLM)
    days = (local.date() - clock.local_today()).days
    time = formats.time_format(local.time(), "H:i")
    if days == 0:
        return gettext("today at %(time)s") % {"time": time}
    if days == 1:
        return gettext("tomorrow at %(time)s") % {"time": time}
    day = formats.date_format(local.date(), "l j F")
    return gettext("%(day)s at %(time)s") % {"day": day, "time": time}
