"""The API's throttles are real classes with the configured rates, and it takes no passwords."""

from __future__ import annotations

import base64
from typing import cast

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_api_throttle__every_configured_rate_has_a_class() -> None:
    # The setting holds dotted paths; api_settings imports them (the stubs still say str).
    classes = cast(list[type[SimpleRateThrottle]], api_settings.DEFAULT_THROTTLE_CLASSES)
    scopes = {cls.scope for cls in classes}
    assert scopes == set(api_settings.DEFAULT_THROTTLE_RATES)


def test_api_throttle__anonymous_over_the_rate__429(monkeypatch) -> None:
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/min")
    cache.clear()
    client = APIClient()
    statuses = [client.get("/api/agencies/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    cache.clear()


def test_api_throttle__signed_in_over_the_rate__429(monkeypatch, client) -> None:
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/min")
    cache.clear()
    client.force_login(make_user())
    statuses = [client.get("/api/agencies/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    cache.clear()


def test_api_auth__http_basic_is_not_accepted() -> None:
    user = make_user(username="basic-user")
    credentials = base64.b64encode(f"{user.username}:{DEFAULT_PASSWORD}".encode()).decode()
    response = APIClient().get("/api/agencies/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    # Answered as anonymous: no password was checked, so guessing one gains nothing.
    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous
    assert "WWW-Authenticate" not in response
