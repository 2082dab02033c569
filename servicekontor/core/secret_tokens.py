"""Random tokens that are shown once and stored only as a hash (booking manage links, paired
kiosk and display devices). Pure: no Django.

A token of 24–32 random bytes has at least 2^192 possibilities, so an unsalted SHA-256 is
enough: there is nothing to guess, and a leaked database gives no working token.
"""

import hashlib
import secrets


def new_token(n_bytes: int = 32) -> str:
    """A URL-safe random token of `n_bytes` bytes (secrets.token_urlsafe)."""
    return secrets.token_urlsafe(n_bytes)


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, 64 hex digits."""
    return hashlib.sha256(token.encode()).hexdigest()
