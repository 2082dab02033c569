"""Django's Redis cache, with one Redis client object per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call
(`django/core/cache/backends/redis.py`: `self._client(connection_pool=pool)`). With redis-py 8
that constructor copies its table of response callbacks (about 170 entries) each time:
0.1–0.45 ms of CPU per call measured on this machine (`python -m timeit`), as much as the
round trip itself, and every signed-in request makes at least one call (the session).
A `redis.Redis` is safe to share between threads (each command takes a connection from the
pool), so one per pool is enough. Configured as the cache's BACKEND (config/settings.py);
everything else is Django's.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    """`RedisCacheClient` that keeps the `redis.Redis` it builds for each pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        """The client of the pool `write` selects (Django's rule), built once per pool.
        Returns a `redis.Redis`."""
        django: Any = self  # the private helpers below are Django's, absent from its stubs
        index = django._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = django._client(
                connection_pool=django._get_connection_pool(write)
            )
        return client


class SharedClientRedisCache(RedisCache):
    """Django's `RedisCache` (same LOCATION and OPTIONS) using `SharedClientRedisCacheClient`.

    With a KEY_PREFIX, `clear()` deletes this cache's keys only (Django's empties the whole
    Redis database, FLUSHDB): caches that share a database under their own prefixes (each
    test worker's, config/pytest_env.py) do not empty each other. Without one, Django's.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def clear(self) -> None:
        if not self.key_prefix:
            super().clear()
            return
        client = self._cache.get_client(write=True)
        # make_key gives "<prefix>:<version>:<key>"; the prefix's own glob characters escaped.
        pattern = _GLOB_CHARACTER.sub(r"\\\g<0>", self.key_prefix) + ":*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) == 500:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)


_GLOB_CHARACTER = re.compile(r"[*?\[\]\\]")
