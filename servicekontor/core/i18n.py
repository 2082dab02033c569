"""Bilingual names stored as two columns (name_sv, name_en), shown in the active language."""

import datetime as dt

from django.utils import formats
from django.utils.translation import get_language, gettext

from servicekontor.core import clock


def pick_language(sv: str, en: str) -> str:
    """The Swedish text unless English is active and an English text exists."""
    language = (get_language() or "sv").split("-")[0]
    if language == "en" and en:
        return en
    return sv


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
