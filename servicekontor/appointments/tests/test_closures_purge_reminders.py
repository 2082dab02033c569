import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from servicekontor.appointments import queries, services, tasks, tokens
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local
from servicekontor.network.models import ExceptionKind, OpeningException

pytestmark = pytest.mark.django_db


def book(office, service, start, n=0):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=start,
        contact=Contact(name="A", email=f"a{n}@x.se"),
    )


def test_booking__closure_added_after_booking__listed_cancelled_notified(
    frozen, office, service, client, django_capture_on_commit_callbacks
):
    hit = book(office, service, local(TUESDAY, 10)).booking
    kept = book(office, service, local(TUESDAY + dt.timedelta(days=1), 10), n=1).booking
    link = tokens.manage_token(hit.link_key)
    OpeningException.objects.create(
        office=office, date=TUESDAY, kind=ExceptionKind.CLOSED, reason_sv="Sjukdom"
    )
    assert [(b.pk, why) for b, why in queries.bookings_without_capacity(offices=[office])] == [
        (hit.pk, "closed")
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.release_bookings_without_capacity(offices=[office])
    assert [b.pk for b in done] == [hit.pk]
    hit.refresh_from_db()
    kept.refresh_from_db()
    assert hit.status == BookingStatus.CANCELLED_BY_OFFICE and hit.closure_notified_at
    assert hit.office_cancel_reason == "closed" and hit.sequence == 1
    assert kept.status == BookingStatus.BOOKED
    (notice,) = mail.outbox
    assert notice.to == ["a0@x.se"]
    # The notice carries the booking's one link (the same as in the confirmation).
    assert f"/manage/{link}/" in notice.body
    # rebooking from that link: the same booking, booked again at the new time
    start = local(TUESDAY + dt.timedelta(days=2), 10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:reschedule", args=[link]), {"start": int(start.timestamp())}
        )
    assert response.status_code == 302
    hit.refresh_from_db()
    assert (hit.status, hit.starts_at, hit.sequence) == (BookingStatus.BOOKED, start, 2)
    assert Booking.objects.count() == 2
    # a second run notifies nobody again
    assert services.release_bookings_without_capacity(offices=[office]) == []


def test_booking__release_command__dry_run_lists_then_cancels(frozen, office, service, capsys):
    book(office, service, local(TUESDAY, 10))
    OpeningException.objects.create(office=office, date=TUESDAY, kind=ExceptionKind.CLOSED)
    call_command("release_bookings_without_capacity", "--dry-run")
    assert "1 bookings without a place" in capsys.readouterr().out
    assert Booking.objects.get().status == BookingStatus.BOOKED
    call_command("release_bookings_without_capacity", office.code)
    assert Booking.objects.get().status == BookingStatus.CANCELLED_BY_OFFICE


def test_booking__release_command__unknown_office_is_an_error(frozen, office):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("release_bookings_without_capacity", "NOPE")


def test_booking__purge_personal_data__after_n_days_statistics_survive(office, service, settings):
    settings.APPOINTMENTS_PURGE_AFTER_DAYS = 30
    with time_machine.travel(MONDAY_MORNING, tick=False):
        booking = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=Contact(
                name="Alice",
                email="a@x.se",
                phone="+46701234567",
                identity_hash=tokens.identity_hash("199001010017"),
            ),
        ).booking
    with time_machine.travel(local(TUESDAY + dt.timedelta(days=29), 23, 59), tick=False):
        assert services.purge_personal_data() == 0
    with time_machine.travel(local(TUESDAY + dt.timedelta(days=30), 0, 1), tick=False):
        call_command("purge_personal_data")
    booking.refresh_from_db()
    assert (booking.name, booking.email, booking.phone, booking.identity_hash) == ("", "", "", "")
    assert booking.purged_at is not None
    assert booking.office_id == office.pk and booking.service_id == service.pk
    assert booking.starts_at == local(TUESDAY, 10) and booking.status == BookingStatus.BOOKED


def test_booking__reminder__sent_once_the_day_before(
    office, service, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(MONDAY_MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        booking = book(office, service, local(TUESDAY + dt.timedelta(days=1), 10)).booking
    mail.outbox.clear()
    with time_machine.travel(local(TUESDAY, 9), tick=False):
        assert tasks.send_due_reminders.call() == 0  # more than 24 h ahead
    with time_machine.travel(local(TUESDAY, 10, 30), tick=False):
        call_command("run_booking_jobs")
        assert tasks.send_due_reminders.call() == 0
    assert len(mail.outbox) == 1
    assert booking.code[:4] in mail.outbox[0].body
    # The booking's one link (derived from its link key; no token passes through a task).
    assert f"/manage/{tokens.manage_token(booking.link_key)}/" in mail.outbox[0].body


def test_booking__reminder__cancelled_booking_gets_none(frozen, office, service):
    booking = book(office, service, local(TUESDAY, 10)).booking
    services.cancel_booking(booking=booking)
    assert tasks.send_reminder.call(booking_id=booking.pk) is False


def test_booking__reminder__none_when_booked_less_than_a_day_ahead(office, service):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        book(office, service, local(TUESDAY, 7 + 3))  # 26 h ahead: gets a reminder
        book(office, service, local(MONDAY_MORNING.date(), 12), n=1)  # 4 h ahead: does not
    mail.outbox.clear()
    with time_machine.travel(local(MONDAY_MORNING.date(), 10, 30), tick=False):
        assert tasks.send_due_reminders.call() == 1
    assert mail.outbox[0].to == ["a0@x.se"]
