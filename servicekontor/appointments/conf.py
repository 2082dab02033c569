"""Appointment settings, each with a default; override them in config/settings.py.

APPOINTMENTS_PURGE_AFTER_DAYS   personal data is blanked this many days after the visit (30)
APPOINTMENTS_EARLY_CHECK_IN_MINUTES   check-in opens this long before the booked time (30)
APPOINTMENTS_GRACE_MINUTES      after the booked time a late arrival still counts as booked (10)
APPOINTMENTS_LATE_POLICY        "walk_in" (late arrivals queue as walk-ins) or "no_show"
APPOINTMENTS_REMINDER_HOURS_BEFORE   the reminder goes out this long before the start (24)
APPOINTMENTS_RATE_BOOK          django-ratelimit rate for booking posts per IP ("10/m")
APPOINTMENTS_RATE_LOOKUP        rate for lookups (search, code and token pages) per IP ("60/m")
APPOINTMENTS_CALENDAR_DOMAIN    host name in calendar UIDs (default: the host of SITE_URL)
VIDEO_PROVIDER                  dotted path of the meeting-link provider (video_links.JitsiProvider)
VIDEO_JITSI_URL, VIDEO_JITSI_APP_ID, VIDEO_JITSI_SECRET   the self-hosted Jitsi and its token
                                secret (empty: derived from SECRET_KEY, for development only)
"""

import datetime as dt
import hashlib
from email.utils import parseaddr
from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings


def purge_after_days() -> int:
    return int(getattr(settings, "APPOINTMENTS_PURGE_AFTER_DAYS", 30))


def early_check_in() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "APPOINTMENTS_EARLY_CHECK_IN_MINUTES", 30)))


def grace() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "APPOINTMENTS_GRACE_MINUTES", 10)))


def late_policy() -> Literal["walk_in", "no_show"]:
    policy = getattr(settings, "APPOINTMENTS_LATE_POLICY", "walk_in")
    if policy == "walk_in":
        return "walk_in"
    if policy == "no_show":
        return "no_show"
    raise ValueError("APPOINTMENTS_LATE_POLICY must be 'walk_in' or 'no_show'")


def reminder_before() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "APPOINTMENTS_REMINDER_HOURS_BEFORE", 24)))


def rate_book() -> str:
    return str(getattr(settings, "APPOINTMENTS_RATE_BOOK", "10/m"))


def rate_lookup() -> str:
    return str(getattr(settings, "APPOINTMENTS_RATE_LOOKUP", "60/m"))


def calendar_domain() -> str:
    """The host name in calendar UIDs: APPOINTMENTS_CALENDAR_DOMAIN, else SITE_URL's host.

    From settings, never from a request: the mail (sent by a task) and the downloaded file
    must name the same event.
    """
    configured = str(getattr(settings, "APPOINTMENTS_CALENDAR_DOMAIN", "") or "")
    if configured:
        return configured
    host = urlsplit(str(getattr(settings, "SITE_URL", ""))).hostname
    return host or "localhost"


def organizer_email() -> str:
    """The calendar ORGANIZER: the address part of DEFAULT_FROM_EMAIL."""
    return parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1] or str(settings.DEFAULT_FROM_EMAIL)


def video_provider() -> str:
    return str(
        getattr(settings, "VIDEO_PROVIDER", "servicekontor.appointments.video_links.JitsiProvider")
    )


def jitsi() -> tuple[str, str, str]:
    """(base URL, app id, secret) of the self-hosted Jitsi."""
    secret = str(getattr(settings, "VIDEO_JITSI_SECRET", "") or "")
    if not secret:
        secret = hashlib.sha256(b"jitsi:" + settings.SECRET_KEY.encode()).hexdigest()
    return (
        str(getattr(settings, "VIDEO_JITSI_URL", "https://meet.servicekontor.example")).rstrip("/"),
        str(getattr(settings, "VIDEO_JITSI_APP_ID", "servicekontor")),
        secret,
    )
