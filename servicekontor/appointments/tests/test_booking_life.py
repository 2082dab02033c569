"""The booking's life as the citizen sees it, through HTTP: one code, one link, one calendar
event (UID, SEQUENCE, METHOD) from booking to moving to cancelling; confirmations before
every change; refusals up front."""

import datetime as dt
import re
from typing import Any

import icalendar
import pytest
import time_machine
import vobject
from django.core import mail
from django.urls import reverse

from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local
from servicekontor.core import clock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]

WEDNESDAY = TUESDAY + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://boka.example.se"
    settings.DEFAULT_FROM_EMAIL = "Servicekontoren <noreply@boka.example.se>"
    settings.ALLOWED_HOSTS = ["*"]


def _book(client, office, service, start, capture, email="a@example.org") -> str:
    url = reverse("appointments:contact", args=[service.pk, office.code, int(start.timestamp())])
    with capture(execute=True):
        response = client.post(url, {"name": "A", "email": email})
    assert response.status_code == 302
    return response["Location"].split("/manage/")[1].split("/")[0]


def _calendar_parts(message: Any) -> list[tuple[Any, Any]]:
    """(method parameter, file) of each text/calendar part of a sent mail."""
    parsed = message.message()
    return [
        (part.get_param("method"), part.get_payload(decode=True))
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    ]


def _event(ics: bytes) -> Any:
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    # A second, independent parser must read the same file.
    v = vobject.readOne(ics.decode())
    assert str(v.vevent.uid.value) == str(event["UID"])
    assert int(v.vevent.sequence.value) == int(str(event["SEQUENCE"]))
    return event


def test_life__book_move_cancel__one_code_one_link_one_event(
    client, office, service, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    token = _book(client, office, service, local(TUESDAY, 10), capture)
    booking = Booking.objects.get()
    code = booking.code
    manage = reverse("appointments:manage", args=[token])

    # booked: a REQUEST with SEQUENCE 0, the same UID as the downloaded file (PUBLISH)
    (confirmation,) = mail.outbox
    assert manage in confirmation.body
    [(method, ics)] = _calendar_parts(confirmation)
    booked = _event(ics)
    assert method == "REQUEST" and icalendar.Calendar.from_ical(ics)["METHOD"] == "REQUEST"
    uid = str(booked["UID"])
    assert uid == f"booking-{code}@boka.example.se"
    assert int(booked["SEQUENCE"]) == 0
    assert "noreply@boka.example.se" in str(booked["ORGANIZER"])
    download = client.get(reverse("appointments:calendar", args=[token]), HTTP_HOST="other.host")
    assert download.status_code == 200
    downloaded = _event(download.content)
    assert str(downloaded["UID"]) == uid  # not the request's host
    assert icalendar.Calendar.from_ical(download.content)["METHOD"] == "PUBLISH"

    # reschedule: the list, then a confirmation page (GET changes nothing), then the POST
    new_start = local(WEDNESDAY, 11)
    listing = client.get(reverse("appointments:reschedule", args=[token]), {"day": "2025-03-12"})
    assert f"?start={int(new_start.timestamp())}" in listing.content.decode()
    confirm = client.get(
        reverse("appointments:reschedule", args=[token]), {"start": int(new_start.timestamp())}
    )
    assert confirm.status_code == 200
    assert 'name="start"' in confirm.content.decode()
    booking.refresh_from_db()
    assert booking.starts_at == local(TUESDAY, 10) and booking.sequence == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(
            reverse("appointments:reschedule", args=[token]),
            {"start": int(new_start.timestamp())},
        )
    assert moved.status_code == 302 and moved["Location"].startswith(manage)
    assert Booking.objects.count() == 1
    booking.refresh_from_db()
    assert (booking.code, booking.starts_at, booking.sequence) == (code, new_start, 1)
    (update,) = mail.outbox
    assert "updated" in update.subject.lower() or "ändrad" in update.subject.lower()
    assert manage in update.body
    [(method, ics)] = _calendar_parts(update)
    updated = _event(ics)
    assert method == "REQUEST" and str(updated["UID"]) == uid
    assert int(updated["SEQUENCE"]) == 1
    assert updated.decoded("DTSTART") == new_start
    page = client.get(manage).content.decode()
    assert code[:4] in page and "11:00" in page

    # cancel: a question first (GET changes nothing), then the POST
    ask = client.get(reverse("appointments:cancel", args=[token]))
    assert ask.status_code == 200 and "<form" in ask.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("appointments:cancel", args=[token]))
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == (BookingStatus.CANCELLED, 2)
    (cancelled,) = mail.outbox
    [(method, ics)] = _calendar_parts(cancelled)
    gone = _event(ics)
    assert method == "CANCEL" and icalendar.Calendar.from_ical(ics)["METHOD"] == "CANCEL"
    assert str(gone["UID"]) == uid and int(gone["SEQUENCE"]) == 2
    assert str(gone["STATUS"]) == "CANCELLED"
    after = _event(client.get(reverse("appointments:calendar", args=[token])).content)
    assert str(after["STATUS"]) == "CANCELLED" and int(after["SEQUENCE"]) == 2
    # the one link still shows the booking, cancelled, and offers nothing to change
    page = client.get(manage)
    assert page.status_code == 200
    assert reverse("appointments:reschedule", args=[token]) not in page.content.decode()


def test_life__calendar_client_ends_with_the_current_event_or_none(
    client, office, service, django_capture_on_commit_callbacks
):
    """Apply every calendar part the citizen received, as a client does (RFC 5546: keep the
    highest SEQUENCE per UID; CANCEL removes): one event at the current time, then none."""
    token = _book(client, office, service, local(TUESDAY, 10), django_capture_on_commit_callbacks)
    for start in (local(WEDNESDAY, 11), local(WEDNESDAY, 13)):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("appointments:reschedule", args=[token]),
                {"start": int(start.timestamp())},
            )

    def apply_all() -> dict[str, tuple[int, dt.datetime]]:
        events: dict[str, tuple[int, dt.datetime]] = {}
        for message in mail.outbox:
            for method, ics in _calendar_parts(message):
                event = _event(ics)
                uid, seq = str(event["UID"]), int(event["SEQUENCE"])
                if uid in events and events[uid][0] > seq:
                    continue
                if method == "CANCEL":
                    events.pop(uid, None)
                else:
                    events[uid] = (seq, event.decoded("DTSTART"))
        return events

    assert [start for _seq, start in apply_all().values()] == [local(WEDNESDAY, 13)]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("appointments:cancel", args=[token]))
    assert apply_all() == {}


def test_life__dtstamp_is_when_the_file_is_written(
    client, office, service, django_capture_on_commit_callbacks
):
    token = _book(client, office, service, local(TUESDAY, 10), django_capture_on_commit_callbacks)
    later = MONDAY_MORNING + dt.timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        event = _event(client.get(reverse("appointments:calendar", args=[token])).content)
    assert event.decoded("DTSTAMP") == later.astimezone(dt.UTC)


def test_life__reschedule_page_of_a_cancelled_booking_lists_no_times(
    client, office, service, django_capture_on_commit_callbacks
):
    token = _book(client, office, service, local(TUESDAY, 10), django_capture_on_commit_callbacks)
    client.post(reverse("appointments:cancel", args=[token]))
    page = client.get(reverse("appointments:reschedule", args=[token]))
    assert page.status_code == 409
    body = page.content.decode()
    assert "?start=" not in body and 'class="times"' not in body
    start = int(local(WEDNESDAY, 11).timestamp())
    assert (
        client.get(reverse("appointments:reschedule", args=[token]), {"start": start}).status_code
        == 409
    )
    assert (
        client.post(reverse("appointments:reschedule", args=[token]), {"start": start}).status_code
        == 409
    )
    assert client.get(reverse("appointments:cancel", args=[token])).status_code == 409
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_life__no_get_changes_anything(client, office, service, django_capture_on_commit_callbacks):
    token = _book(client, office, service, local(TUESDAY, 10), django_capture_on_commit_callbacks)
    before = Booking.objects.values().get()
    start = int(local(WEDNESDAY, 11).timestamp())
    for url, params in [
        (reverse("appointments:manage", args=[token]), {}),
        (reverse("appointments:cancel", args=[token]), {}),
        (reverse("appointments:reschedule", args=[token]), {}),
        (reverse("appointments:reschedule", args=[token]), {"start": start}),
        (reverse("appointments:calendar", args=[token]), {}),
    ]:
        assert client.get(url, params).status_code == 200
    assert Booking.objects.values().get() == before


def test_life__reschedule_to_the_same_time_is_refused(
    client, office, service, django_capture_on_commit_callbacks
):
    token = _book(client, office, service, local(TUESDAY, 10), django_capture_on_commit_callbacks)
    same = int(local(TUESDAY, 10).timestamp())
    url = reverse("appointments:reschedule", args=[token])
    assert client.get(url, {"start": same}).status_code == 400
    assert client.post(url, {"start": same}).status_code == 400
    assert Booking.objects.get().sequence == 0


@pytest.mark.parametrize(
    ("when", "status"),
    [
        (lambda: local(MONDAY_MORNING.date(), 9), 409),  # in the past (before now + 2 h)
        (lambda: local(dt.date(2025, 6, 20), 10), 409),  # midsommarafton: an eve
        (lambda: local(TUESDAY, 17), 409),  # after closing
        (lambda: local(TUESDAY, 10, 5), 404),  # not a slot start: unknown (test_booking_url_parts)
    ],
)
def test_life__contact_page__refuses_up_front(client, office, service, when, status):
    from servicekontor.appointments.models import BookingRule

    BookingRule.objects.create(office=office, service=service, horizon_days=120)
    url = reverse("appointments:contact", args=[service.pk, office.code, int(when().timestamp())])
    response = client.get(url)
    assert response.status_code == status
    body = response.content.decode()
    assert 'name="name"' not in body  # no form to fill in
    assert reverse("appointments:times", args=[service.pk, office.code]) in body


def test_life__contact_page__full_time_refused_up_front(
    client, office, service, django_capture_on_commit_callbacks
):
    start = local(TUESDAY, 10)
    for n in range(2):
        _book(client, office, service, start, django_capture_on_commit_callbacks, f"p{n}@x.se")
    url = reverse("appointments:contact", args=[service.pk, office.code, int(start.timestamp())])
    assert client.get(url).status_code == 409


def test_life__reminder_of_a_moved_booking_is_for_the_new_time(
    client, office, service, django_capture_on_commit_callbacks
):
    from servicekontor.appointments import tasks

    token = _book(client, office, service, local(WEDNESDAY, 10), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("appointments:reschedule", args=[token]),
            {"start": int(local(WEDNESDAY + dt.timedelta(days=1), 10).timestamp())},
        )
    mail.outbox.clear()
    with time_machine.travel(local(TUESDAY, 10, 30), tick=False):
        assert tasks.send_due_reminders.call() == 0  # the old time's reminder is not due
    with time_machine.travel(local(WEDNESDAY, 10, 30), tick=False):
        assert tasks.send_due_reminders.call() == 1
    assert re.search(r"13 mars|13 March|2025-03-13", str(mail.outbox[0].body))


def test_life__stale_message_is_not_sent(office, service, django_capture_on_commit_callbacks):
    """A message queued for a change that was overtaken (moved, then cancelled) is skipped:
    a late REQUEST must not bring a cancelled event back."""
    from servicekontor.appointments import services, signals, tasks

    made = services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=services.Contact(name="A", email="a@x.se"),
    )
    services.cancel_booking(booking=made.booking)
    mail.outbox.clear()
    assert (
        tasks.send_booking_message.call(booking_id=made.booking.pk, change=signals.MOVED) is False
    )
    assert mail.outbox == []
    assert clock.now() == MONDAY_MORNING


def test_life__phone_only__every_change_goes_out_by_sms_with_the_one_link(
    office, service, django_capture_on_commit_callbacks
):
    from servicekontor.appointments import services
    from servicekontor.appointments.tokens import manage_token
    from servicekontor.messaging.models import Message

    with django_capture_on_commit_callbacks(execute=True):
        made = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=services.Contact(name="A", phone="+46701234567"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_booking(booking=made.booking, starts_at=local(WEDNESDAY, 11))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=made.booking)
    sent = list(Message.objects.filter(object_id=made.booking.pk).order_by("pk"))
    assert [m.topic for m in sent] == ["booking.confirmation", "booking.moved", "booking.cancelled"]
    assert {m.channel for m in sent} == {"sms"}
    link = manage_token(made.booking.link_key)
    assert link in sent[0].body_text and link in sent[1].body_text


def test_life__contact_form__nul_byte_and_bad_email__errors_on_the_form_input_kept(
    client, office, service
):
    """Found by the walk: a NUL byte replaced the form with a bare 400 page (the input lost),
    and the e-mail error said "mejladress" beside a field labelled "E-post"."""
    url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    response = client.post(url, {"name": "Anna\x00 Berg", "email": "x@y", "phone": "070"})
    assert response.status_code == 400
    html = response.content.decode()
    form = response.context["form"]
    assert set(form.errors) >= {"name", "email"}
    assert 'name="email"' in html and 'value="x@y"' in html  # the input is kept
    assert "Ange en giltig e-postadress." in html and "mejl" not in html
    assert not Booking.objects.exists()  # nothing half written


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("\u202eevil", "U+202E"),
        ("Anna\x1b[31m", "U+001B"),
        ("Anna\r\nBcc: evil@example.com", "U+000D, U+000A"),
        ("\u200b", "Det här fältet är obligatoriskt."),
        ("\ufeff \u2060", "Det här fältet är obligatoriskt."),
    ],
)
def test_life__contact_form__invisible_or_control_characters_in_the_name__400_nothing_booked(
    client, office, service, name, error
):
    """Probe of issue 13: a name of "\\u202eevil" (shown to the officer as "live"), of
    terminal escapes or of one zero-width space was booked."""
    url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    response = client.post(url, {"name": name, "email": "anna@example.com"})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert 'value="anna@example.com"' in response.content.decode()  # the input is kept
    assert not Booking.objects.exists()
    assert not mail.outbox
