"""Loaded by pytest with `-p config.pytest_env` (pyproject addopts), before settings are read.

Tests run with production-like settings (DEBUG off) but without HTTPS redirects.
"""

import os

import pytest


def worker_prefix() -> str:
    """This test process's own prefix: its pytest-xdist worker and its process id."""
    return f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"


os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic before tests
# With REDIS_URL set, every pytest-xdist worker (and every run) shares that Redis database: each
# keeps its own cache keys and push channels, or one worker's test reads another's fragment
# (same ids in each worker's test database) and one's `cache.clear()` empties the other's cache.
# A worker inherits the controller's environment, prefix included: a "test-" prefix is this
# module's own and is replaced; one given by the person running the tests is kept.
_OWN_PREFIX = worker_prefix()
if os.environ.get("CACHE_KEY_PREFIX", "test-").startswith("test-"):
    os.environ["CACHE_KEY_PREFIX"] = _OWN_PREFIX
    os.environ["PUSH_CHANNEL_PREFIX"] = f"sk:push:{_OWN_PREFIX}:"
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
