"""Background work of appointments (django-tasks). Arguments are ids only, never personal data.

The periodic ones are also management commands, for cron (deploy/crontab): `run_booking_jobs`
(reminders and no-shows) and `purge_personal_data`.

A leaf: the tasks call into services, never the other way round. The use cases announce what
happened through `appointments.signals` (after commit); `apps.ready` connects the receivers
`on_booking_confirmed` and `on_booking_cancelled_by_office`.
"""

from typing import Any

from django.db import transaction
from django.db.models import F
from django_tasks import task

from servicekontor.appointments import conf, mail, services
from servicekontor.appointments.models import Booking, BookingStatus, VideoMeeting
from servicekontor.core import clock


@task()
def send_reminder(*, booking_id: int) -> bool:
    """The day-before reminder; sent once (compare-and-swap on reminder_sent_at)."""
    claimed = Booking.objects.filter(
        pk=booking_id, status=BookingStatus.BOOKED, reminder_sent_at__isnull=True
    ).update(reminder_sent_at=clock.now())
    if claimed != 1:
        return False
    booking = Booking.objects.select_related("office", "service", "service__agency").get(
        pk=booking_id
    )
    return mail.send_reminder(booking)


def schedule_reminder(*, booking_id: int) -> None:
    """Enqueue the reminder to run `reminder_before` the start, where the backend can defer.

    The ImmediateBackend (the default) cannot defer; then the periodic sweep
    (`send_due_reminders`) sends it, so no reminder is lost and none is sent twice.
    """
    booking = Booking.objects.get(pk=booking_id)
    run_after = booking.starts_at - conf.reminder_before()
    if run_after <= clock.now():
        return  # booked less than a day ahead: the confirmation is the reminder
    if send_reminder.get_backend().supports_defer:
        send_reminder.using(run_after=run_after).enqueue(booking_id=booking_id)
    # otherwise the periodic sweep sends it


@task()
def send_due_reminders() -> int:
    """Periodic sweep: remind every booking starting within `reminder_before` not yet reminded."""
    now = clock.now()
    due = Booking.objects.filter(
        status=BookingStatus.BOOKED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + conf.reminder_before(),
        # Booked less than `reminder_before` ahead: the confirmation was the reminder.
        created_at__lte=F("starts_at") - conf.reminder_before(),
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(due) if send_reminder.call(booking_id=pk))


@task()
def send_closure_notice(*, booking_id: int) -> bool:
    """Tell the citizen the office is closed at their time, with a fresh rebooking link.

    The link needs a token, and tokens are stored only hashed, so a new one is issued here
    (the old link stops working); the token never passes through the task queue.
    """
    booking = Booking.objects.select_related("office", "service", "service__agency").get(
        pk=booking_id
    )
    if booking.status != BookingStatus.CANCELLED_BY_OFFICE or booking.closure_notified_at:
        return False
    with transaction.atomic():
        token = services.rotate_token(booking=booking)
        Booking.objects.filter(pk=booking_id).update(closure_notified_at=clock.now())
    return mail.send_closure_notice(booking, token=token)


@task()
def tell_caseworker_of_cancellation(*, meeting_id: int) -> bool:
    """The agency's side learns of a cancellation by the citizen or the office: a mail to
    the caseworker's work address (the agency's API shows the meeting as cancelled at once).
    Sent once: compare-and-swap on `agency_notified_at`."""
    claimed = VideoMeeting.objects.filter(pk=meeting_id, agency_notified_at__isnull=True).update(
        agency_notified_at=clock.now()
    )
    if claimed != 1:
        return False
    meeting = VideoMeeting.objects.select_related(
        "caseworker", "booking", "booking__office", "booking__service", "booking__service__agency"
    ).get(pk=meeting_id)
    return mail.send_meeting_cancelled_to_caseworker(meeting)


@task()
def record_no_shows_task() -> int:
    return services.record_no_shows()


@task()
def purge_personal_data_task() -> int:
    return services.purge_personal_data()


def on_booking_confirmed(sender: Any, *, booking_id: int, **kwargs: Any) -> None:
    """Receiver of `signals.booking_confirmed` (after commit)."""
    schedule_reminder(booking_id=booking_id)


def on_video_meeting_cancelled(sender: Any, *, meeting_id: int, **kwargs: Any) -> None:
    """Receiver of `signals.video_meeting_cancelled` (after commit)."""
    tell_caseworker_of_cancellation.enqueue(meeting_id=meeting_id)


def on_booking_cancelled_by_office(sender: Any, *, booking_id: int, **kwargs: Any) -> None:
    """Receiver of `signals.booking_cancelled_by_office` (after commit)."""
    send_closure_notice.enqueue(booking_id=booking_id)
