"""`{% fixed_url 'name' arg … %}` and `{% fixed_static 'path' %}`: Django's `{% url %}` and
`{% static %}`, remembered per process (decision 0067).

Every public page's frame (base.html) reverses the same five URLs and two static paths; each
`{% url %}` cost about 0.2 ms of CPU at the national peak (issue 13), on every citizen's and
kiosk's request. The result is a pure function of what the key names: the URL's name and
arguments, the URLconf in use, the script prefix and the active language (the language prefix of
`i18n_patterns`) for a URL; the path for a static file (the storage and its manifest are
fixed for the process). Settings that change them (a test's override_settings) forget
everything remembered. The output is escaped as the tags escape theirs.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def fixed_url(name: str, *args: str | int) -> SafeString:
    """`{% url name arg … %}`, for a URL whose arguments take few values (none, an office's
    code, a service's id: the registry's), never a per-visitor one (a booking's token) that
    would only fill the memory. The project has one instance of each URL namespace, so the
    current app (`{% url %}` passes the request's) changes nothing."""
    return _reversed(
        name, args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language()
    )


@functools.lru_cache(maxsize=4096)
def _reversed(
    name: str, args: tuple[str | int, ...], urlconf: str, prefix: str, language: str | None
) -> SafeString:
    # reversed under the thread's script prefix and active language: those in the key
    return conditional_escape(reverse(name, args=args, urlconf=urlconf))


@register.simple_tag
def fixed_static(path: str) -> SafeString:
    """`{% static path %}`."""
    return _static(path)


@functools.lru_cache(maxsize=1024)
def _static(path: str) -> SafeString:
    return conditional_escape(static(path))


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting in (
        "ROOT_URLCONF",
        "LANGUAGES",
        "LANGUAGE_CODE",
        "FORCE_SCRIPT_NAME",
        "STATIC_URL",
        "STATIC_ROOT",
        "STORAGES",
        "DEBUG",
        "INSTALLED_APPS",
    ):
        _reversed.cache_clear()
        _static.cache_clear()
