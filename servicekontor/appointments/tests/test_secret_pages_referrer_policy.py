"""A page whose address carries a secret sends `Referrer-Policy: origin` (core.secret_urls):
a booking's pages under its manage link, with a real booking and a guessed token, in Swedish
and English; the kiosk's ticket and the device pairing pages; every other page keeps the
site's `same-origin`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments import services
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.core.secret_urls import carries_secret
from tests.test_deploy_lanes import SECRET_ROUTES, _paths, _secret_urls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]
MANAGE_ROUTES = ("manage", "cancel", "reschedule", "calendar")


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("route", MANAGE_ROUTES)
def test_booking_pages__referrer_policy_origin(
    client: Client, office, service, language: str, route: str
) -> None:
    made = services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=services.Contact(name="M", email="m@example.org"),
        language=language,
    )
    with translation.override(language):
        url = reverse(f"appointments:{route}", args=[made.token])
    assert url.startswith("/en/") == (language == "en")
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Referrer-Policy"] == "origin", url
    guessed = client.get(url.replace(made.token, "x" + made.token))
    assert guessed.status_code == 404
    assert guessed.headers["Referrer-Policy"] == "origin"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_secret_url__referrer_policy_origin(client: Client, language: str) -> None:
    """Every kind of secret URL the app makes (the access log's list: manage pages, ticket,
    pairing), whatever the answer (here: no such booking, office or device)."""
    with translation.override(language):
        urls = [url for url, _secret in _secret_urls() if not url.startswith("/push")]
    assert len(urls) == 7
    for url in urls:
        response = client.get(url)
        assert response.headers["Referrer-Policy"] == "origin", (url, response.status_code)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_other_pages__the_site_s_policy(client: Client, language: str) -> None:
    with translation.override(language):
        paths = [p for n, p in _paths() if n not in SECRET_ROUTES and not p.startswith("/push")]
    assert len(paths) > 50
    for path in paths:  # the rule, for every other route (no request each)
        assert not carries_secret(path), path
    for path in ("/", "/book/", "/en/" if language == "en" else "/office/kista/"):
        assert client.get(path).headers["Referrer-Policy"] == "same-origin", path
