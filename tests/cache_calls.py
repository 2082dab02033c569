"""Counting a cache's round trips in tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches

COUNTED = ("get", "set", "add", "delete", "get_many", "set_many", "incr", "touch")


def count_cache_calls(monkeypatch: pytest.MonkeyPatch, alias: str = "default") -> list[str]:
    """The names of the calls made on the cache `alias` from now on, outermost calls only:
    each is one round trip to a cache server (one MGET for a `get_many` on Redis). A backend
    without its own `get_many` or `set_many` (the tests' local memory) answers it with a call
    per key, which is not counted again."""
    calls: list[str] = []
    depth: list[str] = []
    backend = caches[alias]
    for name in COUNTED:
        original = getattr(backend, name)

        def counted(*args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            if not depth:
                calls.append(_name)
            depth.append(_name)
            try:
                return _original(*args, **kw)
            finally:
                depth.pop()

        monkeypatch.setattr(backend, name, counted)
    return calls
