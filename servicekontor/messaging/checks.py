"""Deployment checks for what citizens receive (`manage.py check --deploy`).

- messaging.E001: `DEFAULT_FROM_EMAIL` is missing or a placeholder (example domain,
  localhost): mail would go out from an address nobody owns, and Message-IDs with it.
- messaging.E002: `SITE_URL` is a placeholder (localhost, 127.0.0.1, an example domain) or
  not https: every link in every mail and SMS would lead nowhere.
- messaging.W001: the console SMS backend in production prints every SMS (manage links).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from servicekontor.messaging import addresses

_LOGGING_SMS_BACKENDS = {"servicekontor.messaging.sms.ConsoleBackend"}


@register(Tags.security, deploy=True)
def check_sender_and_site(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    domain = addresses.sender_domain()
    if not domain or addresses.is_placeholder_host(domain):
        problems.append(
            Error(
                f"DEFAULT_FROM_EMAIL ({settings.DEFAULT_FROM_EMAIL!r}) is not a real sender.",
                hint="Set DEFAULT_FROM_EMAIL to an address at your organisation's mail domain.",
                id="messaging.E001",
            )
        )
    url = urlsplit(addresses.site_url())
    if url.scheme != "https" or addresses.is_placeholder_host(url.hostname or ""):
        problems.append(
            Error(
                f"SITE_URL ({addresses.site_url()!r}) is not the public https address.",
                hint="Set SITE_URL to the address citizens open, e.g. https://boka.example.se.",
                id="messaging.E002",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def check_sms_not_logged(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    backend = str(getattr(settings, "SMS_BACKEND", ""))
    if backend in _LOGGING_SMS_BACKENDS:
        return [
            Warning(
                "SMS texts (manage links) are written to the log.",
                hint="Set SMS_BACKEND to servicekontor.messaging.sms.Elks46Backend.",
                id="messaging.W001",
            )
        ]
    return []
