"""The push's PUBLISH has a Redis client and connection pool of its own, not the cache's
(issue 13's leftovers: "a slow PUBLISH delays cache reads"). Checked: it never shared them —
`push._client` builds its own `redis.Redis` (short timeouts: 0.2 s) from PUSH_REDIS_URL, the
cache (`core.cache.SharedClientRedisCache`) its own pools from LOCATION — even when both
name the same Redis database. This keeps it so. Nothing is sent to Redis here (a client and
its pool connect only when a command is sent)."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches

from servicekontor.queueing import push

URL = "redis://127.0.0.1:6379/8"


def test_publish_client__not_the_caches_client_nor_its_pool(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "servicekontor.core.cache.SharedClientRedisCache",
            "LOCATION": URL,
            "KEY_PREFIX": "push-own-client",
        }
    }
    settings.PUSH_REDIS_URL = URL
    cache: Any = caches["default"]
    cache_clients = [cache._cache.get_client(write=write) for write in (False, True)]
    publisher = push._client(settings.PUSH_REDIS_URL)
    for client in cache_clients:
        assert publisher is not client
        assert publisher.connection_pool is not client.connection_pool
    # its own short timeouts: a slow or absent Redis holds a request at most 0.2 s
    kwargs = publisher.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == 0.2 and kwargs["socket_connect_timeout"] == 0.2


def test_publish__uses_the_push_client(settings, monkeypatch) -> None:
    settings.PUSH_URL = "/push/"
    settings.PUSH_REDIS_URL = URL
    sent: list[tuple[str, str]] = []

    class Publisher:
        def publish(self, channel: str, message: str) -> int:
            sent.append((channel, message))
            return 1

    monkeypatch.setattr(push, "_client", lambda url: Publisher() if url == URL else None)
    assert push.publish(office_id=7, parts=["desk", "board"])
    assert sent == [(push.channel(7), "board desk")]
