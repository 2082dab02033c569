"""Loaded by pytest with `-p config.pytest_env` (pyproject addopts), before settings are read.

Tests run with production-like settings (DEBUG off) but without HTTPS redirects.
"""

import os

import pytest

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic before tests
# Production queues background tasks in the database for `db_worker` (decision 0044). The
# tests run each task where it is enqueued, after the commit, as a worker would run it right
# away: they check what the task does. The queue itself, a worker's run and its crash are
# tested with the database backend named in those tests
# (servicekontor/appointments/tests/test_tasks_out_of_request.py).
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: the shared fragments (decision 0027) are keyed by
    ids and counts that a rolled-back test's successor may reuse."""
    from django.core.cache import cache

    cache.clear()
