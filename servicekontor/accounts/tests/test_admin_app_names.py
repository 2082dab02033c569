"""The admin names each app in the staff's language, not by its Python label."""

import pytest
from django.apps import apps
from django.utils import translation

from tests.factories import DEFAULT_PASSWORD, make_user

SWEDISH_NAMES = {
    "accounts": "Personalkonton",
    "appointments": "Tidsbokning",
    "catalog": "Tjänstekatalog",
    "core": "Gemensamt",
    "network": "Kontorsregister",
    "planning": "Planering av kontorsnätet",
    "queueing": "Kö utan bokad tid",
    "public": "Publika sidor",
}


@pytest.mark.parametrize(("label", "swedish"), SWEDISH_NAMES.items())
def test_app_names__swedish_and_english(label: str, swedish: str) -> None:
    config = apps.get_app_config(label)
    with translation.override("sv"):
        assert str(config.verbose_name) == swedish
    with translation.override("en"):
        assert str(config.verbose_name) != swedish


@pytest.mark.django_db
def test_app_names__admin_index_in_swedish(client) -> None:
    admin = make_user(role="network_admin", is_staff=True, is_superuser=True)
    assert client.login(username=admin.username, password=DEFAULT_PASSWORD)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    for label in ("accounts", "appointments", "catalog", "network"):
        assert SWEDISH_NAMES[label] in html
