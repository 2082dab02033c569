"""Secrets of a booking: the manage token (only its hash is stored), the booking code, and the
keyed hash of a personal identity number.

- Manage token: HMAC-SHA256, keyed by SECRET_KEY, of the booking's random link key (24 bytes);
  the database holds the key and the token's SHA-256, so a leaked database alone does not give
  working links (the secret key is needed too), and every later message (moved, cancelled,
  closure, reminder) can carry the same link: one link for the booking's life. Lookup is by
  hash, so there is nothing to enumerate. Rotating SECRET_KEY invalidates the links (decision
  0023).
- Booking code: 8 characters from a 32-letter alphabet without 0/O/1/I (2^40), random, unique.
  It is typed at the kiosk of one office on one day only, and the lookup is rate limited.
- Identity number: HMAC-SHA256 keyed by SECRET_KEY of the 12-digit form; it can be compared
  with the number on the ID shown at the desk and used for the per-person limit, but not read.
"""

import secrets

from django.utils.crypto import salted_hmac

from servicekontor.core.secret_tokens import hash_token, new_token

__all__ = ["hash_token", "new_token"]  # and the booking code and identity hash below

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_link_key() -> str:
    return secrets.token_urlsafe(24)


def manage_token(link_key: str) -> str:
    """The manage token of a booking with this link key (64 hex digits)."""
    if not link_key:
        raise ValueError("a booking without a link key has no derivable token")
    return salted_hmac(
        "servicekontor.appointments.manage-link", link_key, algorithm="sha256"
    ).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """What the citizen typed → the stored form: upper case, no spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def identity_hash(personal_identity_number_12: str) -> str:
    return salted_hmac(
        "servicekontor.appointments.identity", personal_identity_number_12, algorithm="sha256"
    ).hexdigest()


def new_room_name() -> str:
    """A video meeting's room: 128 random bits in hex, so nobody can guess a meeting to join
    (the provider's token is the second lock). Letters and digits only: valid everywhere."""
    return "sk" + secrets.token_hex(16)
