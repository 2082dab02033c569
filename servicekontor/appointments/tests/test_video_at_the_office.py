"""Walk F16: a video meeting's citizen was told only after booking that it takes place in a
room at the office (many expect a video meeting from home). Every place the booking is chosen,
shown or sent says "at the office, not from home": the service line (step 1, the office page),
steps 2–4, the confirmation and manage page, the mail, the text message, the calendar file."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.calendar_file import booking_ics
from servicekontor.appointments.models import Booking
from servicekontor.appointments.templatetags.video_words import booked_sentence, sms_sentence
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.appointments.tests.video import caseworker, office_with_rooms, video_service
from servicekontor.messaging.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]

WORDS = {
    "sv": ("på kontoret, inte hemifrån", "videorum 3"),
    "en": ("at the office, not from home", "video room 3"),
}


@pytest.fixture
def service():
    return video_service()


@pytest.fixture
def office(service):
    office = office_with_rooms(service, rooms=1)
    office.street_address = ""
    office.save()
    caseworker(service.agency, TUESDAY)
    return office


def _in(language: str, name: str, *args: object) -> str:
    with translation.override(language):
        return reverse(name, args=args)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_video__every_step_before_booking_says_at_the_office(client, office, service, language):
    words, _room = WORDS[language]
    start = int(local(TUESDAY, 10).timestamp())
    pages = [
        _in(language, "appointments:services"),
        _in(language, "appointments:offices", service.pk) + "?q=" + office.municipality,
        _in(language, "appointments:times", service.pk, office.code) + "?day=2025-03-11",
        _in(language, "appointments:contact", service.pk, office.code, start),
        _in(language, "public:office", office.code),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert words in response.content.decode(), url


@pytest.mark.parametrize("language", ["sv", "en"])
def test_video__booked__page_mail_sms_and_calendar_say_at_the_office_and_the_room(
    client, office, service, language, django_capture_on_commit_callbacks
):
    words, room = WORDS[language]
    contact = _in(
        language,
        "appointments:contact",
        service.pk,
        office.code,
        int(local(TUESDAY, 10).timestamp()),
    )
    with django_capture_on_commit_callbacks(execute=True):
        by_mail = client.post(contact, {"name": "Alice", "email": "alice@example.org"})
    assert by_mail.status_code == 302
    page = client.get(by_mail["Location"]).content.decode()
    assert words in page and room in page
    # no street address in the registry: said, and the office's page linked
    assert _in(language, "public:office", office.code) in page
    (sent,) = mail.outbox
    assert words in sent.body and room in sent.body
    assert words in str(getattr(sent, "alternatives", [])[0][0])
    booking = Booking.objects.get(email="alice@example.org")
    with translation.override(language):
        ics = booking_ics(
            booking,
            method="PUBLISH",
            domain="example.org",
            organizer_email="noreply@example.org",
            stamp=booking.created_at,
        ).decode()
    assert words in ics.replace("\r\n ", "").replace("\\,", ",")
    with django_capture_on_commit_callbacks(execute=True):
        by_sms = client.post(
            _in(
                language,
                "appointments:contact",
                service.pk,
                office.code,
                int(local(TUESDAY, 11).timestamp()),
            ),
            {"name": "Bo", "phone": "+46701234567"},
        )
    assert by_sms.status_code == 302
    sms_text = Message.objects.get(channel="sms").body_text
    assert words in sms_text


def test_video__cancelled__no_longer_asks_to_come(office, service):
    cancelled = Booking(service=service, office=office, status="cancelled")
    assert booked_sentence(cancelled) == "" and sms_sentence(cancelled) == ""
