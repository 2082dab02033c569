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


THIRD_PARTY_SWEDISH = {
    "axes": ("Inloggningsförsök", ["AccessAttempt", "AccessLog", "AccessFailureLog"]),
    "django_tasks_database": ("Bakgrundsjobb", ["DBTaskResult"]),
}


@pytest.mark.parametrize("label", THIRD_PARTY_SWEDISH)
def test_app_names__third_party_apps_in_swedish(label: str) -> None:
    """Every app and model the admin lists has a Swedish name (not only ours)."""
    swedish_app, models = THIRD_PARTY_SWEDISH[label]
    config = apps.get_app_config(label)
    with translation.override("sv"):
        assert str(config.verbose_name) == swedish_app
    for name in models:
        meta = config.get_model(name)._meta
        for text in (meta.verbose_name, meta.verbose_name_plural):
            with translation.override("sv"):
                swedish = str(text)
            with translation.override("en"):
                assert swedish != str(text), f"{label}.{name}: {swedish!r} untranslated"


@pytest.mark.django_db
def test_app_names__admin_index_has_no_english_model_names(client) -> None:
    from django.contrib import admin as django_admin

    admin = make_user(role="network_admin", is_staff=True, is_superuser=True)
    assert client.login(username=admin.username, password=DEFAULT_PASSWORD)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    for model in django_admin.site._registry:
        with translation.override("en"):
            english = str(model._meta.verbose_name_plural).capitalize()
        with translation.override("sv"):
            swedish = str(model._meta.verbose_name_plural).capitalize()
        assert swedish != english or english not in html, f"{english} on the Swedish admin"


@pytest.mark.django_db
def test_admin__greets_with_the_first_name(client) -> None:
    admin = make_user(role="network_admin", is_staff=True, is_superuser=True, username="nek")
    admin.first_name, admin.last_name = "Nils", "Ek"
    admin.save()
    assert client.login(username="nek", password=DEFAULT_PASSWORD)

    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert "<strong>Nils</strong>" in html


def test_demo_accounts__have_a_persons_name() -> None:
    from servicekontor.public.demo import DEMO_ACCOUNTS

    for account in DEMO_ACCOUNTS:
        assert account.first_name and account.last_name, account.username
        assert account.first_name.lower() not in account.description.lower()
