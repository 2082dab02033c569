"""Loaded by pytest with `-p config.pytest_env` (pyproject addopts), before settings are read.

Tests run with production-like settings (DEBUG off) but without HTTPS redirects.
"""

import os

import pytest

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic before tests


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: the shared fragments (decision 0027) are keyed by
    ids and counts that a rolled-back test's successor may reuse."""
    from django.core.cache import cache

    cache.clear()
