"""A booking at an office whose address is not in the registry yet: no stray commas."""

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments import tasks
from servicekontor.appointments.calendar_file import booking_ics
from servicekontor.appointments.services import Contact, book_appointment
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(office, service, django_capture_on_commit_callbacks):
    office.street_address = office.postal_code = office.postal_town = ""
    office.save()
    with (
        time_machine.travel(MONDAY_MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        new = book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=Contact(name="Anna", email="anna@example.org"),
        )
    return new


def test_no_address__confirmation_and_reminder_mails_name_only_the_office(booked, office):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        tasks.send_reminder.call(booking_id=booked.booking.pk)
    assert len(mail.outbox) == 2  # confirmation, reminder
    for message in mail.outbox:
        where = next(line for line in message.body.splitlines() if line.startswith("Var:"))
        assert where == f"Var: {office.name}"


def test_no_address__manage_page_names_only_the_office(client, booked, office):
    with translation.override("sv"):
        url = reverse("appointments:manage", args=[booked.token])
    with time_machine.travel(MONDAY_MORNING, tick=False):
        body = client.get(url).content.decode()
    assert f"<dd>{office.name}</dd>" in body
    assert ", ," not in body


def test_no_address__calendar_location_is_the_office_name(booked, office):
    ics = booking_ics(
        booked.booking,
        method="PUBLISH",
        domain="example.org",
        organizer_email="noreply@example.org",
        stamp=booked.booking.created_at,
    )
    assert f"LOCATION:{office.name}\r\n".encode() in ics
