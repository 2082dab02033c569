import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from servicekontor.accounts.models import Role, User
from servicekontor.core.clock import STOCKHOLM
from servicekontor.handovers.models import Partner
from servicekontor.network.reference_data import load_reference_data
from servicekontor.queueing.models import Visit, VisitState

pytestmark = pytest.mark.django_db

MONDAY_10 = dt.datetime(2026, 11, 30, 10, tzinfo=STOCKHOLM)


def test_load_demo__production__refuses_and_creates_no_accounts() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not User.objects.exists()


@override_settings(DEMO=True)
def test_load_demo__demo__one_account_per_role_and_a_live_office_idempotent() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)
    out = io.StringIO()
    with time_machine.travel(MONDAY_10, tick=False):  # Kista is open: a queue is seeded
        call_command("load_demo", stdout=out)
        call_command("load_demo", stdout=io.StringIO())
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    officer = User.objects.get(username="officer")
    assert officer.check_password("demo-officer")
    assert officer.offices.filter(code="kista").exists()
    waiting = Visit.objects.filter(office__code="kista", state=VisitState.WAITING).count()
    assert waiting == 6
    assert "demo_screens" in out.getvalue()
    # The handover loop: Skatteverket delivers to the built-in receiver, FK polls.
    receiver = Partner.objects.get(agency__code="skatteverket")
    assert (
        receiver.webhook_url == "http://127.0.0.1:8000/handovers/demo-receiver/skatteverket/hook/"
    )
    assert receiver.secrets.filter(retired_at__isnull=True).count() == 1


@override_settings(DEMO=True, SITE_URL="http://127.0.0.1:8000")
def test_demo_screens__after_an_english_request__still_prints_default_language_urls() -> None:
    from django.utils import translation

    load_reference_data(settings.REFERENCE_DATA_DIR)
    call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    with translation.override("en"):
        call_command("demo_screens", stdout=out)
    assert "http://127.0.0.1:8000/desk/" in out.getvalue()


@override_settings(DEMO=True)
def test_load_demo__manager_reaches_own_hours_and_closures_in_the_admin(client) -> None:
    from servicekontor.appointments.queries import bookable_services, office_choices
    from servicekontor.network.models import OpeningException

    load_reference_data(settings.REFERENCE_DATA_DIR)
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="manager"))
    page = client.get("/admin/network/openingexception/add/")
    assert page.status_code == 200
    # the office choice offers Kista only
    choices = page.context["adminform"].form.fields["office"].queryset
    assert list(choices.values_list("code", flat=True)) == ["kista"]
    assert client.get("/admin/network/office/").status_code == 403
    assert client.get("/admin/network/openinghoursperiod/").status_code == 200
    assert not OpeningException.objects.exists()
    # and the demo books broadly: every bookable service has free time at several offices,
    # but a video meeting only where the demo put a video room and caseworker time (Kista)
    for service in bookable_services():
        with_time = [c for c in office_choices(service=service) if c.earliest]
        if service.video_meeting:
            assert [c.office.code for c in with_time] == ["kista"], service
        else:
            assert len(with_time) >= 10, service


@override_settings(DEMO=True, SITE_URL="http://127.0.0.1:8080")
def test_demo_screens__every_screen_on_the_served_port_then_the_accounts_last() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)
    call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_screens", stdout=out)
    text = out.getvalue()
    for path in (
        "/desk/",
        "/statistics/",
        "/costs/",
        "/staffing/office/kista/",
        "/planning/",
        "/handovers/demo-receiver/skatteverket/",
    ):
        assert f"http://127.0.0.1:8080{path}" in text
    assert "Authorization: Bearer skc_" in text  # the polling agency's fresh demo token
    assert ":8000" not in text
    # The accounts are the last lines printed (make run starts the server right after).
    last = [line for line in text.splitlines() if line.strip()][-5:]
    assert [line.split()[0] for line in last] == [
        "officer",
        "officer2",
        "manager",
        "admin",
        "analyst",
    ]


def test_demo_screens__production__refused() -> None:
    with pytest.raises(CommandError):
        call_command("demo_screens", stdout=io.StringIO())


@override_settings(DEMO=True)
def test_load_demo__rerun__keeps_passwords_and_sessions(client) -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)
    call_command("load_demo", stdout=io.StringIO())
    officer = User.objects.get(username="officer")
    officer.set_password("changed-by-the-officer")
    officer.save()
    client.force_login(officer)
    assert client.get("/desk/").status_code == 200
    call_command("load_demo", stdout=io.StringIO())
    officer.refresh_from_db()
    assert officer.check_password("changed-by-the-officer")
    assert client.get("/desk/").status_code == 200  # still signed in (not sent to login)


def test_settings__port__site_url_follows_it() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}}
    env.update(DEMO="1", DEBUG="1", PORT="8080", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "http://127.0.0.1:8080"
