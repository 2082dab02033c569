"""Walk findings: the manage page said "sent to your e-mail and as SMS" when both were given,
though `mail.notify` sends by e-mail only then (messaging.services.channel_for); and the
calendar file after a cancel was METHOD:PUBLISH with STATUS:CANCELLED, which calendar apps
ignore. The page asks the sending's own rule (`mail.contact_channel`); the downloaded file
of a cancelled booking is METHOD:CANCEL with the same UID and the raised SEQUENCE."""

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.messaging.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]

EMAIL = "We have also sent it to your e-mail address."
SMS = "We have also sent it by text message to your mobile."


def _book(client, office, service, capture, **contact) -> str:
    url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    with capture(execute=True):
        response = client.post(url, {"name": "A", **contact})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].split("/manage/")[1].split("/")[0]


@pytest.mark.parametrize(
    ("contact", "channel"),
    [
        ({"email": "a@example.org", "phone": "070-123 45 67"}, "email"),
        ({"email": "a@example.org"}, "email"),
        ({"phone": "070-123 45 67"}, "sms"),
    ],
    ids=["both", "email", "phone"],
)
def test_page_says_the_channel_the_messages_went_by(
    client, office, service, django_capture_on_commit_callbacks, contact, channel
):
    capture = django_capture_on_commit_callbacks
    token = _book(client, office, service, capture, **contact)
    assert list(Message.objects.values_list("channel", flat=True)) == [channel]
    manage = reverse("appointments:manage", args=[token])
    page = client.get("/en" + manage.removeprefix("/sv"), {"new": "1"}).content.decode()
    assert (EMAIL in page, SMS in page) == (channel == "email", channel == "sms")
    assert "and, by text message" not in page

    moved = client.get("/en" + manage.removeprefix("/sv"), {"done": "moved"}).content.decode()
    by = "by e-mail." if channel == "email" else "by text message to your mobile."
    assert f"We have sent you the new time {by}" in moved
    with capture(execute=True):
        client.post(reverse("appointments:cancel", args=[token]))
    assert list(Message.objects.values_list("channel", flat=True)) == [channel, channel]
    done = client.get("/en" + manage.removeprefix("/sv"), {"done": "cancelled"}).content.decode()
    assert f"We have sent you a confirmation {by}" in done


@pytest.mark.parametrize("email", ["a@example.org", ""], ids=["with-email", "phone-only"])
def test_calendar_file_after_cancel_is_a_cancel(
    client, office, service, django_capture_on_commit_callbacks, email
):
    capture = django_capture_on_commit_callbacks
    contact = {"email": email} if email else {"phone": "070-123 45 67"}
    token = _book(client, office, service, capture, **contact)
    url = reverse("appointments:calendar", args=[token])
    before = client.get(url)
    assert before["Content-Type"].endswith("method=PUBLISH")
    standing = icalendar.Calendar.from_ical(before.content)
    (event_before,) = standing.walk("VEVENT")
    with capture(execute=True):
        client.post(reverse("appointments:cancel", args=[token]))
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CANCELLED
    after = client.get(url)
    assert after["Content-Type"] == "text/calendar; charset=utf-8; method=CANCEL"
    cancelled = icalendar.Calendar.from_ical(after.content)
    assert cancelled["METHOD"] == "CANCEL"
    (event,) = cancelled.walk("VEVENT")
    assert str(event["UID"]) == str(event_before["UID"])
    assert int(str(event["SEQUENCE"])) > int(str(event_before["SEQUENCE"]))
    assert int(str(event["SEQUENCE"])) == booking.sequence
    assert str(event["STATUS"]) == "CANCELLED"
    assert ("ATTENDEE" in event) == bool(email)
    # the mail's CANCEL (when there is one) names the same event
    for message in mail.outbox:
        for part in message.message().walk():
            if part.get_content_type() == "text/calendar" and part.get_param("method") == "CANCEL":
                (mailed,) = icalendar.Calendar.from_ical(bytes(part.get_payload(decode=True))).walk(
                    "VEVENT"
                )
                assert str(mailed["UID"]) == str(event["UID"])
                assert int(str(mailed["SEQUENCE"])) == int(str(event["SEQUENCE"]))


def test_calendar_file_after_office_cancel_is_a_cancel(
    client, office, service, django_capture_on_commit_callbacks
):
    token = _book(client, office, service, django_capture_on_commit_callbacks, email="a@x.se")
    Booking.objects.update(status=BookingStatus.CANCELLED_BY_OFFICE, sequence=1)
    after = client.get(reverse("appointments:calendar", args=[token]))
    assert icalendar.Calendar.from_ical(after.content)["METHOD"] == "CANCEL"
