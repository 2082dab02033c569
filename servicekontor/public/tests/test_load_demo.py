import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from servicekontor.accounts.models import Role, User
from servicekontor.handovers.models import Partner
from servicekontor.network.reference_data import load_reference_data
from servicekontor.queueing.models import Visit, VisitState

pytestmark = pytest.mark.django_db


def test_load_demo__production__refuses_and_creates_no_accounts() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not User.objects.exists()


@override_settings(DEMO=True)
def test_load_demo__demo__one_account_per_role_and_a_live_office_idempotent() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=io.StringIO())
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    officer = User.objects.get(username="officer")
    assert officer.check_password("demo-officer")
    assert officer.offices.filter(code="kista").exists()
    waiting = Visit.objects.filter(office__code="kista", state=VisitState.WAITING).count()
    assert waiting == 6
    text = out.getvalue()
    assert "http://127.0.0.1:8000/desk/" in text and "demo-manager" in text
    # The handover loop: Skatteverket delivers to the built-in receiver, FK polls.
    receiver = Partner.objects.get(agency__code="skatteverket")
    assert (
        receiver.webhook_url == "http://127.0.0.1:8000/handovers/demo-receiver/skatteverket/hook/"
    )
    assert receiver.secrets.filter(retired_at__isnull=True).count() == 1
    assert "http://127.0.0.1:8000/handovers/demo-receiver/skatteverket/" in text
    assert "Authorization: Bearer skc_" in text


@override_settings(DEMO=True)
def test_load_demo__after_an_english_request__still_prints_default_language_urls() -> None:
    from django.utils import translation

    load_reference_data(settings.REFERENCE_DATA_DIR)
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_demo", stdout=out)
    assert "http://127.0.0.1:8000/desk/" in out.getvalue()
