"""Wall-clock times that say which one on the night the clocks go back.

On the last Sunday of October 02:00–02:59 happens twice in Stockholm; a slot list reading
"02:30–02:40" twice is ambiguous. In that hour the time carries "(sommartid)" or
"(vintertid)" ("summer time"/"winter time" in English); every other time is plain HH:MM.
"""

from __future__ import annotations

import datetime as dt
import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date as django_date
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from servicekontor.core import clock, i18n

register = template.Library()


@register.filter
def zone_note(instant: dt.datetime | None) -> str:
    """ " (sommartid)" / " (vintertid)" for an instant in the repeated hour, else ""."""
    if instant is None or not clock.in_fold(instant):
        return ""
    return " (%s)" % (_("summer time") if clock.is_summer_time(instant) else _("winter time"))


@register.filter
def wall_time(instant: dt.datetime | None) -> str:
    """HH:MM in Stockholm, with zone_note in the repeated hour of the DST night."""
    if instant is None:
        return ""
    return instant.astimezone(clock.STOCKHOLM).strftime("%H:%M") + zone_note(instant)


@register.filter
def when_words(instant: dt.datetime | None) -> str:
    """`core.i18n.when_words`: "today at 10:00", "tomorrow at 10:00", "Tuesday 1 December
    at 10:00"; "" for None."""
    return "" if instant is None else i18n.when_words(instant)


@register.filter(expects_localtime=True, is_safe=False)
def wall_date(value: dt.date | str | None, arg: str | None = None) -> str:
    """Django's `date` filter, remembered per process: the same day or instant in the same
    zone, format and language is formatted once (a search lists the same earliest times again
    and again; each format costs a dozen translation lookups). The key names all the output
    depends on: for a datetime its wall time, fold, offset and zone (equal instants in other
    zones, or the two 02:30 of the night the clocks go back, are different keys)."""
    if type(value) is dt.datetime:
        key: tuple[object, ...] = (
            value.replace(tzinfo=None),
            value.fold,
            value.utcoffset(),
            value.tzinfo,
        )
    elif type(value) is dt.date:
        key = (value,)
    else:
        return django_date(value, arg)
    return _formatted(key, value, arg, get_language())


@functools.lru_cache(maxsize=4096)
def _formatted(key: tuple[object, ...], value: dt.date, arg: str | None, language: str) -> str:
    # `arg` is the format as asked: a name ("DATE_FORMAT"; None is DATE_FORMAT) is looked up
    # in the language's format module (config/formats) by `django_date`, so the language is
    # in the key and a name is never resolved here.
    return django_date(value, arg)


@receiver(setting_changed)
def _forget_formats(*, setting: str, **kwargs: object) -> None:
    """The formats themselves changed (a test's override_settings): what was remembered was
    formatted with the old ones. Django forgets its own format cache on a `*_FORMAT` setting
    but not on FORMAT_MODULE_PATH (the modules found stay cached): both are forgotten here."""
    if setting == "FORMAT_MODULE_PATH":
        formats.reset_format_cache()
    if setting in ("FORMAT_MODULE_PATH", "LANGUAGE_CODE", "LANGUAGES", "USE_TZ", "TIME_ZONE") or (
        setting.endswith("_FORMAT")
    ):
        _formatted.cache_clear()
