"""Loaded by pytest with `-p config.pytest_env` (pyproject addopts), before settings are read.

Tests run with production-like settings (DEBUG off) but without HTTPS redirects.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic before tests
