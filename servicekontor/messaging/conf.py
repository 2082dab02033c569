"""Delivery settings, each with a default; override them in config/settings.py.

MESSAGES_MAX_ATTEMPTS        attempts before a message is given up and shown as failed (8)
MESSAGES_RETRY_BASE_SECONDS  wait after the first failure; doubles each time (60)
MESSAGES_RETRY_MAX_SECONDS   the longest wait between two attempts (3600)

With the defaults a message is tried for about two hours (1+2+4+8+16+32+60 minutes).
"""

import datetime as dt

from django.conf import settings

LEASE = dt.timedelta(minutes=5)  # an attempt in progress; retried after this if the sender died


def max_attempts() -> int:
    return max(1, int(getattr(settings, "MESSAGES_MAX_ATTEMPTS", 8)))


def retry_base() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "MESSAGES_RETRY_BASE_SECONDS", 60)))


def retry_max() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "MESSAGES_RETRY_MAX_SECONDS", 3600)))
