"""The Redis cache backend keeps one Redis client per pool (servicekontor.core.cache)."""

import os
import socket

import pytest

from servicekontor.core.cache import SharedClientRedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_shared_client_cache__one_client_object_for_every_call() -> None:
    cache = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": "sk-test-cache"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client("a-key") is client  # one server: reads use the same pool
    assert cache._cache.get_client(write=True) is client


@pytest.mark.skipif(not _redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_shared_client_cache__works_as_djangos() -> None:
    cache = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": "sk-test-cache"})
    cache.set("probe", {"a": 1}, 30)
    assert cache.get("probe") == {"a": 1}
    assert cache.add("probe", "other", 30) is False
    assert cache.incr("count", 1) if cache.add("count", 0, 30) else True
    cache.delete_many(["probe", "count"])
    assert cache.get("probe") is None
