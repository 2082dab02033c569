"""Django's `cached_db` sessions, with the shared cache's keys a request is sure to read
fetched in the session's own round trip (decision 0092, issue 13).

A signed-in request reads its session from the cache (one Redis GET); a desk action then
reads the registry's version (`network.registry_cache.version`, a second GET) for the services
its panel offers. Keys of the default cache (the sessions' own, unless SESSION_CACHE_ALIAS
names another: then nothing is prefetched) registered with `with_session(key)` are read with the session in one
MGET and kept for the rest of the request (`taken_with_session`); the owner forgets its value
when it changes it (`forget`). Only inside a request (between `request_started` and
`request_finished`): a session loaded elsewhere (a task, a shell) prefetches nothing, so no
value outlives the request that read it. A value read at the session's load is what a read
at that moment gave; a change made by another process later in the request is seen by the
next request, as one made just after a read always was.

Everything else is Django's `cached_db` (the database when the cache has no session, the
write-through on save).
"""

from __future__ import annotations

import threading
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import caches
from django.core.signals import request_finished, request_started

_KEYS: list[str] = []


class _Request(threading.local):
    def __init__(self) -> None:
        self.open = False
        self.values: dict[str, Any] = {}


_request = _Request()


def with_session(key: str) -> None:
    """Read the shared cache's `key` with every session (once per process, at import)."""
    if key not in _KEYS:
        _KEYS.append(key)


def taken_with_session(key: str) -> tuple[bool, Any]:
    """(True, value) if this request read `key` with its session (value None: not in the
    cache), else (False, None): read it yourself."""
    if key in _request.values:
        return True, _request.values[key]
    return False, None


def forget(key: str) -> None:
    """This request changed `key`: read it again from the cache from now on."""
    _request.values.pop(key, None)


def _opened(**_signal: object) -> None:
    _request.open, _request.values = True, {}


def _closed(**_signal: object) -> None:
    _request.open, _request.values = False, {}


request_started.connect(_opened, dispatch_uid="core.sessions.opened")
request_finished.connect(_closed, dispatch_uid="core.sessions.closed")


class SessionStore(CachedDBStore):
    def load(self) -> dict[str, Any]:
        store: Any = self  # Django's `_cache`, not in its stubs
        if not (_KEYS and _request.open and store._cache is caches["default"]):
            data: dict[str, Any] = super().load()
            return data
        try:
            found = store._cache.get_many([self.cache_key, *_KEYS])
        except Exception:  # as Django's: a key the cache refuses resets the session
            found = {}
        for key in _KEYS:
            _request.values[key] = found.get(key)
        cached: dict[str, Any] | None = found.get(self.cache_key)
        if cached is not None:
            return cached
        data = super().load()  # Django's: the cache again, then the database
        return data
