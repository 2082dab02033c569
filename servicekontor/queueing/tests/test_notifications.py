import datetime as dt
from email import message_from_bytes

import pytest
from django.core import mail
from django.utils import translation

from servicekontor.messaging import sms
from servicekontor.messaging.models import Message, MessageStatus
from servicekontor.queueing import services
from servicekontor.queueing.forms import TicketForm
from servicekontor.queueing.notifications import mask, notify_near_visits
from tests.factories import make_offering


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "servicekontor.messaging.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


def test_notifications__notify_near_visits__once_when_near_the_front(
    world, clock_at, sms_outbox, django_capture_on_commit_callbacks
):
    for i in range(5):
        services.issue_ticket(
            office=world.office, service=world.tax, notify_contact=f"person{i}@example.org"
        )
        clock_at.shift(dt.timedelta(seconds=10))

    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(officer=world.alice)  # 4 left; the first 4 (3 ahead + 1) are told

    assert sorted(m.to[0] for m in mail.outbox) == [
        "person1@example.org",
        "person2@example.org",
        "person3@example.org",
        "person4@example.org",
    ]
    assert any("S-002" in m.body for m in mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(officer=world.bob)

    assert len(mail.outbox) == 4  # nobody is told twice


def test_notifications__notify_near_visits__only_waiting_contacts_of_this_office(world):
    make_offering(office=world.other_office, service=world.tax)
    services.issue_ticket(
        office=world.other_office, service=world.tax, notify_contact="elsewhere@example.org"
    )
    services.issue_ticket(office=world.office, service=world.tax)  # no contact
    assert notify_near_visits(office_id=world.office.pk) == 0

    services.issue_ticket(office=world.office, service=world.tax, notify_contact="x@example.org")
    assert notify_near_visits(office_id=world.office.pk) == 1
    assert notify_near_visits(office_id=world.office.pk) == 0  # told once
    assert [m.to for m in mail.outbox] == [["x@example.org"]]


def test_notifications__phone_contact__sms_in_the_kiosk_language(world, sms_outbox):
    with translation.override("en"):
        services.issue_ticket(office=world.office, service=world.tax, notify_contact="+46701234567")
    assert notify_near_visits(office_id=world.office.pk) == 1
    assert [s.to for s in sms_outbox] == ["+46701234567"]
    assert sms_outbox[0].text.startswith("Your number S-001 will soon be called")
    assert mail.outbox == []


def test_notifications__mail_refused__recorded_and_the_others_still_told(world, settings):
    settings.EMAIL_BACKEND = "servicekontor.messaging.tests.backends.RefuseAddressBackend"
    for contact in ("refuse@example.org", "b@example.org"):
        services.issue_ticket(office=world.office, service=world.tax, notify_contact=contact)
    assert notify_near_visits(office_id=world.office.pk) == 1
    refused = Message.objects.get(recipient="refuse@example.org")
    assert refused.status == MessageStatus.PENDING and refused.attempts == 1
    assert "refuse@example.org" not in refused.last_error


def test_notifications__kiosk_form__phone_to_e164_and_landline_refused(world):
    from servicekontor.catalog.models import Service

    def contact(raw: str) -> object:
        form = TicketForm(
            {"service": world.tax.pk, "notify_contact": raw},
            services=Service.objects.filter(pk=world.tax.pk),
        )
        return form.cleaned_data["notify_contact"] if form.is_valid() else form.errors

    assert contact("+46 070-123 45 67") == "+46701234567"
    assert contact("070 123 45 67") == "+46701234567"
    assert "notify_contact" in contact("08-123 456 78")  # a landline gets no SMS
    assert "notify_contact" in contact("12345678")


def test_notifications__mask__hides_the_contact():
    assert mask("anna.andersson@example.org") == "ann…rg"
    assert "1234" not in mask("070-1234567")


def test_notifications__message_parses_as_mail(world):
    services.issue_ticket(office=world.office, service=world.tax, notify_contact="x@example.org")
    notify_near_visits(office_id=world.office.pk)
    parsed = message_from_bytes(mail.outbox[0].message().as_bytes())
    assert parsed["Content-Language"] == "sv"
