"""REDIS_URL gives every process one shared cache, and sessions read through it."""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

PROBE = """
import django
django.setup()
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
cache.set("servicekontor-probe", "shared", 30)
print(settings.SESSION_ENGINE, cache.get("servicekontor-probe"), cache.key_prefix)
cache.delete("servicekontor-probe")
"""


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_settings__redis_url__shared_cache_and_cached_sessions() -> None:
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "servicekontor.core.sessions",  # Django's cached_db (decision 0092)
        "shared",
        os.environ["CACHE_KEY_PREFIX"],  # this test process's own (config/pytest_env.py)
    ]


def test_settings__no_redis_url__sessions_in_the_database() -> None:
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set for this run")
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
