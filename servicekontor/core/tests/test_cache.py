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


@pytest.mark.skipif(not _redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
@pytest.mark.parametrize("prefix", ["sk-test-worker-a", "sk-test-w*[a]?"])
def test_shared_client_cache__clear_with_a_prefix__leaves_other_prefixes_keys(prefix) -> None:
    """Two test workers share one Redis database under their own prefixes: one's clear()
    (every test's first step, config/pytest_env.py) must not empty the other's cache."""
    mine = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    other = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": "sk-test-worker-b"})
    longer = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": f"{prefix}x"})
    try:
        mine.set_many({f"k{n}": n for n in range(1200)}, 30)  # more than one deletion batch
        other.set("fragment", "b's", 30)
        longer.set("fragment", "longer's", 30)
        mine.clear()
        assert mine.get_many([f"k{n}" for n in range(1200)]) == {}
        assert other.get("fragment") == "b's"
        assert longer.get("fragment") == "longer's"
    finally:
        other.delete("fragment")
        longer.delete("fragment")


def test_test_settings__each_test_process_its_own_cache_prefix_and_push_channels() -> None:
    """config/pytest_env.py: with REDIS_URL set, pytest-xdist workers share the Redis database;
    each has its own key prefix and push channel prefix (worker id and process id)."""
    from config.pytest_env import worker_prefix

    prefix = os.environ["CACHE_KEY_PREFIX"]
    assert prefix == worker_prefix()
    assert str(os.getpid()) in prefix
    assert os.environ.get("PYTEST_XDIST_WORKER", "main") in prefix
    assert os.environ["PUSH_CHANNEL_PREFIX"] == f"sk:push:{prefix}:"
