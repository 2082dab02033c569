"""Every admin action that cannot be undone asks first (core/admin_confirm.py): the action's
first POST shows what happens to each selected row and writes nothing; only its confirmation
(`post=yes`) carries it out. A new admin action must be listed here as confirmed or as
harmless to repeat, so none slips in without the step."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from servicekontor.accounts import api_clients
from servicekontor.accounts.models import ApiClient, ApiCredential
from servicekontor.handovers import services as handover_services
from servicekontor.handovers.models import Partner, SigningSecret
from tests.factories import make_agency, make_user

# (app_label.model, action name): carried out only after the confirmation page.
CONFIRMED = {
    ("accounts.apiclient", "rotate"),  # the old credentials' end comes within 7 days
    ("accounts.apiclient", "revoke"),
    ("accounts.apicredential", "revoke"),
    ("handovers.partner", "retire_older"),
    ("auth.group", "delete_selected"),  # Django's own confirmation
}
# Harmless to run twice or undone by another click: no confirmation.
REPEATABLE = {
    ("handovers.partner", "new_secret"),  # adds a secret; the old ones keep signing
    ("handovers.delivery", "retry_now"),
    ("messaging.message", "retry"),
    ("axes.accessattempt", "cleanup_expired_attempts"),  # django-axes: only expired rows
}


def test_admin_actions__each_is_confirmed_or_harmless_to_repeat() -> None:
    found = set()
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        for action in model_admin.actions or ():
            name = action if isinstance(action, str) else action.__name__
            found.add((label, name))
    unlisted = {a for a in found if a not in CONFIRMED | REPEATABLE}
    # delete_selected is Django's, confirmed by Django wherever a model allows deleting
    assert {a for a in unlisted if a[1] != "delete_selected"} == set()


@pytest.fixture
def network_admin(db, client):
    user = make_user(username="root", role="network_admin", is_superuser=True)
    client.force_login(user)
    return user


def _admin_words(singular: str, plural: str, n: int) -> str:
    """A row's detail as the admin says it (the admin speaks the site's default language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(singular, plural, n) % {"count": n}


def _act(client, model: str, action: str, pks, *, confirm: bool):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]}
    if confirm:
        data["post"] = "yes"
    return client.post(reverse(f"admin:{model}_changelist"), data)


@pytest.mark.parametrize("model", ["accounts_apiclient", "accounts_apicredential"])
def test_admin_revoke__asks_first_then_revokes(client, network_admin, model) -> None:
    agency = make_agency(letter="F", code="forsakringskassan")
    api_client, _token = api_clients.create_api_client(agency=agency, name="FK BI")
    credential = ApiCredential.objects.get(client=api_client)
    chosen = api_client if model == "accounts_apiclient" else credential
    pk = chosen.pk

    asked = _act(client, model, "revoke", [pk], confirm=False)

    assert asked.status_code == 200
    page = asked.content.decode()
    assert f"<li>{chosen}" in page and 'name="post" value="yes"' in page
    assert 'name="action" value="revoke"' in page
    assert f'name="{helpers.ACTION_CHECKBOX_NAME}" value="{pk}"' in page
    credential.refresh_from_db()
    assert credential.revoked_at is None  # nothing written before the confirmation
    assert ApiClient.objects.get(pk=api_client.pk).revoked_at is None

    done = _act(client, model, "revoke", [pk], confirm=True)

    assert done.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_at is not None


def test_admin_rotate__asks_first_then_issues(client, network_admin) -> None:
    agency = make_agency(letter="F", code="forsakringskassan")
    api_client, _token = api_clients.create_api_client(agency=agency, name="FK BI")

    asked = _act(client, "accounts_apiclient", "rotate", [api_client.pk], confirm=False)

    assert asked.status_code == 200
    assert (
        _admin_words("%(count)d credential not revoked", "%(count)d credentials not revoked", 1)
        in asked.content.decode()
    )
    credential = ApiCredential.objects.get(client=api_client)
    assert credential.expires_at is None
    _act(client, "accounts_apiclient", "rotate", [api_client.pk], confirm=True)
    assert ApiCredential.objects.filter(client=api_client).count() == 2
    credential.refresh_from_db()
    assert credential.expires_at is not None


def test_admin_retire_older_secrets__asks_first_then_retires(client, network_admin) -> None:
    partner = Partner.objects.create(agency=make_agency(letter="S"), retention_days=30)
    for _ in range(3):
        handover_services.add_signing_secret(partner=partner)

    asked = _act(client, "handovers_partner", "retire_older", [partner.pk], confirm=False)

    assert asked.status_code == 200
    expected = _admin_words(
        "%(count)d older secret stops signing", "%(count)d older secrets stop signing", 2
    )
    assert expected in asked.content.decode()
    assert SigningSecret.objects.filter(retired_at__isnull=False).count() == 0
    _act(client, "handovers_partner", "retire_older", [partner.pk], confirm=True)
    assert SigningSecret.objects.filter(retired_at__isnull=True).count() == 1
