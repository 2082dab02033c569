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
    OpeningException.objects.create(
        office=office, date=TUESDAY, kind=ExceptionKind.CLOSED, reason_sv="Sjukdom"
    )
    assert [
        b.pk
        for b in queries.bookings_affected_by_closures(
            office=office, from_day=MONDAY_MORNING.date()
        )
    ] == [hit.pk]
    with django_capture_on_commit_callbacks(execute=True):
        done = services.notify_closure_affected(office=office)
    assert [b.pk for b in done] == [hit.pk]
    hit.refresh_from_db()
    kept.refresh_from_db()
    assert hit.status == BookingStatus.CANCELLED_BY_OFFICE and hit.closure_notified_at
    assert kept.status == BookingStatus.BOOKED
    notice = mail.outbox[-1]
    assert notice.to == ["a0@x.se"]
    new_token = notice.body.split("/manage/")[1].split("/")[0]
    assert queries.booking_by_token(new_token) == hit
    # rebooking from the notice link
    start = local(TUESDAY + dt.timedelta(days=2), 10)
    response = client.post(
        reverse("appointments:reschedule", args=[new_token]), {"start": int(start.timestamp())}
    )
    assert response.status_code == 302
    assert Booking.objects.filter(rescheduled_from=hit, status=BookingStatus.BOOKED).exists()
    # a second run notifies nobody again
    assert services.notify_closure_affected(office=office) == []


def test_booking__notify_closure_command__lists_then_notifies(frozen, office, service, capsys):
    book(office, service, local(TUESDAY, 10))
    OpeningException.objects.create(office=office, date=TUESDAY, kind=ExceptionKind.CLOSED)
    call_command("notify_closure_bookings", office.code)
    assert "1 bookings affected" in capsys.readouterr().out
    assert Booking.objects.get().status == BookingStatus.BOOKED
    call_command("notify_closure_bookings", office.code, "--notify")
    assert Booking.objects.get().status == BookingStatus.CANCELLED_BY_OFFICE


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
    assert "/manage/" not in mail.outbox[0].body  # the token is not kept, so not in reminders


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


def test_booking__admin_action__notifies_only_managed_offices(frozen, office, service, rf):
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    from servicekontor.appointments.admin_actions import notify_closure_bookings
    from servicekontor.network.models import Office
    from tests.factories import make_user

    book(office, service, local(TUESDAY, 10))
    OpeningException.objects.create(office=office, date=TUESDAY, kind=ExceptionKind.CLOSED)
    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    request.user = make_user(role="service_officer", offices=[office])
    notify_closure_bookings(
        admin.ModelAdmin(Office, admin.site), request, Office.objects.filter(pk=office.pk)
    )
    assert Booking.objects.get().status == BookingStatus.BOOKED
    request.user = make_user(role="office_manager", offices=[office])
    notify_closure_bookings(
        admin.ModelAdmin(Office, admin.site), request, Office.objects.filter(pk=office.pk)
    )
    assert Booking.objects.get().status == BookingStatus.CANCELLED_BY_OFFICE
