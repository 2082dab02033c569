"""The registry's version read with the session (`core.sessions`, decision 0092)."""

from typing import Any

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from servicekontor.core import sessions
from servicekontor.core.sessions import SessionStore
from servicekontor.network import registry_cache


@pytest.fixture
def store(db) -> SessionStore:
    made = SessionStore()
    made["n"] = 1
    made.save()
    return SessionStore(session_key=made.session_key)


def _commands(monkeypatch) -> list[str]:
    """The cache's commands (Redis: one round trip each; a local cache's `get_many` calls
    its own `get`, not counted)."""
    sent: list[str] = []
    depth = [0]
    for name in ("get", "get_many", "add", "set"):
        original = getattr(cache, name)

        def counting(*args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            if depth[0] == 0:
                sent.append(_name)
            depth[0] += 1
            try:
                return _original(*args, **kw)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, counting)
    return sent


def test_in_a_request__version_read_with_the_session__none_after(store, monkeypatch):
    current = registry_cache.version()
    request_started.send(sender=None)
    try:
        sent = _commands(monkeypatch)
        assert store["n"] == 1
        assert registry_cache.version() == current
        assert registry_cache.version() == current
        assert sent == ["get_many"]  # the session and the version, one round trip
    finally:
        request_finished.send(sender=None)
    assert sessions.taken_with_session(registry_cache.VERSION_KEY) == (False, None)


def test_in_a_request__registry_changed__the_new_version_read(store, monkeypatch):
    request_started.send(sender=None)
    try:
        assert store["n"] == 1
        before = registry_cache.version()
        registry_cache._bump()  # what `registry_changed` does (also after commit)
        assert registry_cache.version() != before
        assert registry_cache.version() == cache.get(registry_cache.VERSION_KEY)
    finally:
        request_finished.send(sender=None)


def test_outside_a_request__nothing_kept(store, monkeypatch):
    registry_cache.version()
    sent = _commands(monkeypatch)
    assert store["n"] == 1
    registry_cache.version()
    assert sent == ["get", "get"]  # the session (Django's load), then the version
