""" "Bring a valid ID document" only for a service that requires identification
(`Service.requires_identification`, what the office page marks "Bring identification"): on
the confirmation page, in every mail and SMS, in the calendar file and at the kiosk; never as
fixed text for every service."""

import re
import types
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments import services
from servicekontor.appointments.calendar_file import booking_ics
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import TUESDAY, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

BRING = "Bring a valid ID document."
READY = "Have your ID document ready when you are called."
MESSAGES = [
    "appointments/mail/confirmation.txt",
    "appointments/mail/confirmation.html",
    "appointments/mail/reminder.txt",
    "appointments/mail/reminder.html",
    "appointments/mail/moved.txt",
    "appointments/mail/moved.html",
    "appointments/sms/confirmation.txt",
    "appointments/sms/reminder.txt",
    "appointments/sms/moved.txt",
]


@pytest.fixture(params=[True, False], ids=["id-required", "no-id"])
def booked(request, office, service, django_capture_on_commit_callbacks):
    service.requires_identification = request.param
    service.save(update_fields=["requires_identification"])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        made = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=Contact(name="Alice", email="alice@example.org"),
            language="en",
        )
    return request.param, made


def test_every_message_says_bring_id_only_if_the_service_requires_it(booked):
    required, made = booked
    context = {"booking": made.booking, "code": "ABCD-1234", "manage_url": "https://x/m/"}
    with translation.override("en"):
        for name in MESSAGES:
            assert (BRING in render_to_string(name, context)) is required, name


def test_the_sent_confirmation_and_its_calendar_file(booked):
    required, made = booked
    (confirmation,) = mail.outbox
    assert (BRING in confirmation.body) is required
    html = getattr(confirmation, "alternatives", [])[0][0]
    assert isinstance(html, str) and (BRING in html) is required
    with translation.override("en"):
        ics = booking_ics(
            made.booking,
            method="PUBLISH",
            domain="example.org",
            organizer_email="noreply@example.org",
            stamp=made.booking.created_at,
            download=True,
        ).decode()
    unfolded = ics.replace("\r\n ", "")
    assert ("Bring a valid ID document" in unfolded) is required


def test_the_confirmation_page(booked, client):
    required, made = booked
    with translation.override("en"):
        page = client.get(reverse("appointments:manage", args=[made.token])).content.decode()
    assert "check in at the kiosk with your booking code" in page
    assert (BRING in page) is required


def test_the_kiosk_after_check_in(booked, office):
    required, made = booked
    for outcome in ("checked_in", "late_walk_in"):
        result = types.SimpleNamespace(
            outcome=outcome, again=False, ticket="A001", booking=made.booking
        )
        with translation.override("en"):
            page = render_to_string(
                "appointments/check_in_done.html", {"result": result, "office": office}
            )
        assert (READY in page) is required, outcome


def test_no_template_says_bring_id_unconditionally():
    """Every ID sentence in a template sits inside a `requires_identification` condition."""
    root = Path(settings.BASE_DIR) / "templates"
    found = 0
    for path in root.rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"ID document|bring ID|Bring identification", line):
                found += 1
                assert "requires_identification" in line, (path, line)
    assert found >= 10
