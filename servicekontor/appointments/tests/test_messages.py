"""Messages about a booking, checked as a mail client and an SMS provider see them.

- mail: parsed with Python's `email` package: multipart/alternative (text and HTML), the
  calendar part with method=PUBLISH, From and Message-ID at the configured domain, a Date
  with a real offset, links on SITE_URL (its port), in the language the citizen booked in;
- SMS: a booking with only a phone number gets confirmation and reminder through the
  46elks backend, posted to a local fake HTTP server;
- background: a reminder run where the mail server refuses once and then accepts; one
  failure never stops the other reminders nor the no-shows.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import threading
import urllib.parse
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from servicekontor.appointments import services, tasks
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local
from servicekontor.messaging import services as messaging
from servicekontor.messaging import sms
from servicekontor.messaging.models import Message, MessageStatus
from servicekontor.messaging.tests import backends

pytestmark = pytest.mark.django_db

# Sunday evening before the Tuesday: the reminders (24 h before) are due Monday 10:00 on.
REMINDER_RUN = local(TUESDAY - dt.timedelta(days=1), 10, 30)


@pytest.fixture
def real_domain(settings):
    settings.DEFAULT_FROM_EMAIL = "Servicekontoren <noreply@servicekontor.se>"
    settings.SITE_URL = "http://127.0.0.1:8080"


def book(office, service, hour, *, n=0, language="sv", email="", phone=""):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, hour),
        contact=Contact(name="A", email=email or ("" if phone else f"a{n}@x.se"), phone=phone),
        language=language,
    )


def parsed(message) -> EmailMessage:
    return message_from_bytes(message.message().as_bytes())


def parts(message: EmailMessage) -> dict[str, EmailMessage]:
    return {part.get_content_type(): part for part in message.walk()}


def body(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_mail__confirmation__multipart_text_html_calendar_and_real_headers(
    office, service, real_domain, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        made = book(office, service, 10)
    message = parsed(mail.outbox[0])
    assert message.get_content_type() == "multipart/mixed"
    found = parts(message)
    assert {"multipart/alternative", "text/plain", "text/html", "text/calendar"} <= set(found)
    text = body(found["text/plain"])
    html = body(found["text/html"])
    link = f"http://127.0.0.1:8080/book/manage/{made.token}/"
    assert link in text and f'href="{link}"' in html
    assert '<html lang="sv">' in html
    assert found["text/calendar"].get_param("method") == "REQUEST"  # the booking's one event
    assert found["text/calendar"].get_filename() == "booking.ics"
    assert email.utils.parseaddr(message["From"])[1] == "noreply@servicekontor.se"
    assert message["Message-ID"].endswith("@servicekontor.se>")
    sent_at = email.utils.parsedate_to_datetime(message["Date"])
    assert sent_at.utcoffset() == dt.timedelta(hours=1)  # March: CET, not "-0000"
    assert "-0000" not in message["Date"]


def test_mail__booked_in_english__confirmation_and_reminder_in_english(
    office, service, client, real_domain, django_capture_on_commit_callbacks, no_rate_limit
):
    with time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False):
        start = local(TUESDAY, 10)
        session = client.session
        session.save()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse_en("appointments:contact", office, service, start),
                {"name": "Anna", "email": "anna@example.org", "phone": ""},
            )
        assert response.status_code in (302, 303), response.content[:500]
    booking = Booking.objects.get()
    assert booking.language == "en"
    with time_machine.travel(REMINDER_RUN, tick=False):
        call_command("run_booking_jobs")
    confirmation, reminder = (parsed(m) for m in mail.outbox)
    assert confirmation["Subject"].startswith("Your booking")
    assert reminder["Subject"].startswith("Reminder: your booking")
    assert "A reminder of your appointment" in body(parts(reminder)["text/plain"])
    assert "/en/book/manage/" in body(parts(confirmation)["text/plain"])


def reverse_en(name, office, service, start) -> str:
    from django.utils import translation

    with translation.override("en"):
        return reverse(
            name,
            kwargs={
                "office_code": office.code,
                "service_id": service.pk,
                "ts": int(start.timestamp()),
            },
        )


def test_reminders__mail_server_refuses_once__retried_then_sent_and_recorded(
    office, service, settings
):
    with time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False):
        first = book(office, service, 10, n=0).booking
        second = book(office, service, 10, n=1).booking
    settings.EMAIL_BACKEND = "servicekontor.messaging.tests.backends.RefuseOnceBackend"
    backends.refusals_left["count"] = 1
    mail.outbox.clear()
    with time_machine.travel(REMINDER_RUN, tick=False):
        call_command("run_booking_jobs")
    first.refresh_from_db()
    second.refresh_from_db()
    # The refused one is not marked sent; the other reminder still went out.
    refused = Message.objects.get(topic="booking.reminder", object_id=first.pk)
    assert refused.status == MessageStatus.PENDING and refused.attempts == 1
    assert "451" in refused.last_error and "a0@x.se" not in refused.last_error
    assert first.reminder_sent_at is None
    assert second.reminder_sent_at is not None
    assert [m.to for m in mail.outbox] == [["a1@x.se"]]
    # Before the backoff has passed nothing is tried; after it, the retry delivers.
    with time_machine.travel(REMINDER_RUN + dt.timedelta(seconds=30), tick=False):
        call_command("run_booking_jobs")
    assert len(mail.outbox) == 1
    with time_machine.travel(REMINDER_RUN + dt.timedelta(minutes=2), tick=False):
        call_command("run_booking_jobs")
    first.refresh_from_db()
    assert [m.to for m in mail.outbox] == [["a1@x.se"], ["a0@x.se"]]
    assert first.reminder_sent_at is not None
    refused.refresh_from_db()
    assert refused.status == MessageStatus.SENT and refused.attempts == 2
    assert refused.recipient == "" and refused.body_text == ""  # personal data gone once sent
    # And never twice.
    with time_machine.travel(REMINDER_RUN + dt.timedelta(hours=1), tick=False):
        call_command("run_booking_jobs")
    assert len(mail.outbox) == 2


def test_reminders__refused_for_good__given_up_and_listed_for_the_administrator(
    office, service, settings, client
):
    from tests.factories import make_user

    settings.MESSAGES_MAX_ATTEMPTS = 3
    with time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False):
        book(office, service, 10, email="refuse@example.org")
    settings.EMAIL_BACKEND = "servicekontor.messaging.tests.backends.RefuseAddressBackend"
    for minutes in (0, 2, 5, 10):
        with time_machine.travel(REMINDER_RUN + dt.timedelta(minutes=minutes), tick=False):
            call_command("run_booking_jobs")
    message = Message.objects.get(topic="booking.reminder")
    assert message.status == MessageStatus.FAILED and message.attempts == 3
    assert "550" in message.last_error
    admin_user = make_user(role="network_admin")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:messaging_message_changelist") + "?status=failed")
    assert listing.status_code == 200
    assert "booking.reminder" in listing.content.decode()
    assert "refuse@example.org" not in listing.content.decode()  # masked
    officer = make_user(role="service_officer", is_staff=True)
    client.force_login(officer)
    assert client.get(reverse("admin:messaging_message_changelist")).status_code == 403


def test_booking_jobs__a_failing_reminder_does_not_stop_the_others_or_the_no_shows(
    office, service, monkeypatch
):
    with time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False):
        broken = book(office, service, 10, n=0).booking
        fine = book(office, service, 10, n=1).booking
        past = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(
                MONDAY_MORNING.date() - dt.timedelta(days=1) + dt.timedelta(days=1), 10
            ),
            contact=Contact(name="B", email="b@x.se"),
        ).booking
    real = tasks.mail.send_reminder

    def explode(booking, **kwargs):
        if booking.pk == broken.pk:
            raise RuntimeError("template broke")
        return real(booking, **kwargs)

    monkeypatch.setattr(tasks.mail, "send_reminder", explode)
    mail.outbox.clear()
    with time_machine.travel(REMINDER_RUN, tick=False):
        call_command("run_booking_jobs")
    fine.refresh_from_db()
    past.refresh_from_db()
    assert fine.reminder_sent_at is not None
    assert past.status == BookingStatus.NO_SHOW
    assert [m.to for m in mail.outbox] == [["a1@x.se"]]


# --- SMS through a fake 46elks server ---------------------------------------------------


class FakeElks(BaseHTTPRequestHandler):
    received: list[dict[str, object]] = []
    fail_next = 0

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = urllib.parse.parse_qs(self.rfile.read(length).decode())
        auth = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
        if FakeElks.fail_next:
            FakeElks.fail_next -= 1
            self.send_response(503)
            self.end_headers()
            return
        FakeElks.received.append(
            {
                "auth": auth,
                "type": self.headers["Content-Type"],
                **{k: v[0] for k, v in body.items()},
            }
        )
        answer = json.dumps({"id": "s1", "status": "created"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_elks(settings) -> Iterator[list[dict[str, object]]]:
    server = HTTPServer(("127.0.0.1", 0), FakeElks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeElks.received = []
    FakeElks.fail_next = 0
    settings.SMS_BACKEND = "servicekontor.messaging.sms.Elks46Backend"
    settings.SMS_API_URL = f"http://127.0.0.1:{server.server_port}/a1/sms"
    settings.SMS_API_USERNAME = "u123"
    settings.SMS_API_PASSWORD = "secret"
    settings.SMS_SENDER = "Servicekont"
    settings.SITE_URL = "https://boka.servicekontor.se"
    yield FakeElks.received
    server.shutdown()
    server.server_close()


def test_sms__phone_only_booking__confirmation_and_reminder_by_sms(
    office, service, fake_elks, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        made = book(office, service, 10, phone="+46 070-123 45 67", language="en")
    assert mail.outbox == []
    assert len(fake_elks) == 1
    confirmation = fake_elks[0]
    assert confirmation["auth"] == "u123:secret"
    assert confirmation["type"] == "application/x-www-form-urlencoded"
    assert confirmation["to"] == "+46701234567"
    assert confirmation["from"] == "Servicekont"
    assert str(confirmation["message"]).startswith("Your appointment is booked.")
    assert f"https://boka.servicekontor.se/en/book/manage/{made.token}/" in str(
        confirmation["message"]
    )
    # The provider is down once at reminder time: retried, then sent.
    FakeElks.fail_next = 1
    with time_machine.travel(REMINDER_RUN, tick=False):
        call_command("run_booking_jobs")
    assert len(fake_elks) == 1
    reminder = Message.objects.get(topic="booking.reminder")
    assert reminder.channel == "sms" and "503" in reminder.last_error
    with time_machine.travel(REMINDER_RUN + dt.timedelta(minutes=2), tick=False):
        call_command("run_booking_jobs")
    assert len(fake_elks) == 2
    assert str(fake_elks[1]["message"]).startswith("A reminder of your appointment")


def test_sms__invalid_number__recorded_as_failed_not_raised(office, service, settings):
    settings.SMS_BACKEND = "servicekontor.messaging.sms.LocmemBackend"
    sms.outbox.clear()
    with time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False):
        booking = Booking.objects.create(
            office=office,
            service=service,
            day=TUESDAY,
            starts_at=local(TUESDAY, 10),
            ends_at=local(TUESDAY, 10, 30),
            code="ABCDEFGH",
            token_hash="x" * 64,
            name="A",
            phone="12",
            created_at=local(TUESDAY, 8) - dt.timedelta(days=5),
        )
    with time_machine.travel(REMINDER_RUN, tick=False):
        assert tasks.send_reminder.call(booking_id=booking.pk)
    message = Message.objects.get()
    assert message.status == MessageStatus.FAILED and message.recipient == ""
    assert sms.outbox == []
    assert messaging.deliver_due().sent == 0


def test_logs__a_refused_message_names_neither_the_address_nor_the_link(
    office, service, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "servicekontor.messaging.tests.backends.RefuseAddressBackend"
    with (
        time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level("DEBUG"),
    ):
        made = book(office, service, 10, email="refuse@example.org")
    assert Message.objects.get().status == MessageStatus.PENDING  # to be retried
    logged = caplog.text
    assert "failed" in logged
    assert "refuse@example.org" not in logged and made.token not in logged


@pytest.mark.parametrize(
    ("email", "phone", "said", "not_said"),
    [
        ("a@x.se", "", "sent it to your e-mail address.", "text message"),
        ("", "+46701234567", "sent it by text message to your mobile.", "e-mail"),
        # both: mail.notify sends by e-mail only (channel_for), so the page says only that
        ("a@x.se", "+46701234567", "sent it to your e-mail address.", "text message"),
    ],
)
def test_confirmation_page__names_where_the_link_was_sent(
    client, office, service, email, phone, said, not_said
):
    """The new booking's page says where its link went: by text message for a phone-only
    booking (walk, 1 Dec 2026: it said "by e-mail if you gave an address")."""
    with time_machine.travel(MONDAY_MORNING - dt.timedelta(days=5), tick=False):
        made = book(office, service, 10, email=email, phone=phone, language="en")
        page = client.get(f"/en/book/manage/{made.token}/?new=1").content.decode()
    assert said in page
    if not_said:
        paragraph = page.split("Keep this page's address", 1)[1].split("</p>", 1)[0]
        assert not_said not in paragraph
