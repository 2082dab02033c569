"""Encryption at rest of a handover's identity number and contact details, and of the
webhook signing secrets: Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`), several keys
through MultiFernet so keys can be rotated.

Keys: `HANDOVER_ENCRYPTION_KEYS` (environment, comma-separated Fernet keys, newest first;
`Fernet.generate_key()`). The first encrypts, every one decrypts. To rotate: put a new key
first, run `manage.py rotate_handover_keys` (re-encrypts every value with the first key),
then drop the old key. Without the setting the key is derived from SECRET_KEY (development
and tests; `check --deploy` warns, handovers.W001).

Plain text never leaves this module except as the return value of `decrypt`: nothing here
logs, and a wrong key raises `InvalidToken` without the value.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hashlib.sha256(b"servicekontor.handovers:" + secret_key.encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    keys = tuple(getattr(settings, "HANDOVER_ENCRYPTION_KEYS", ()) or ())
    return _fernet(keys, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """The Fernet token of `value` (str), or "" for "" (nothing to hide, nothing stored)."""
    if not value:
        return ""
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text of a token from `encrypt`; "" for "". Raises InvalidToken for a token
    no configured key opens."""
    if not token:
        return ""
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same value encrypted with the first (newest) key."""
    if not token:
        return ""
    return fernet().rotate(token.encode()).decode()
