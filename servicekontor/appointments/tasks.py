"""Background work of appointments (django-tasks). Arguments are ids only, never personal data.

The periodic ones are also management commands, for cron (deploy/crontab): `run_booking_jobs`
(reminders and no-shows) and `purge_personal_data`.

A leaf: the tasks call into services, never the other way round. The use cases announce what
happened through `appointments.signals` (after commit); `apps.ready` connects the receiver
`on_booking_changed`.
"""

from typing import Any

from django.db.models import F
from django_tasks import task

from servicekontor.appointments import conf, mail, services, signals
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.core import clock

_MESSAGES = {
    signals.BOOKED: mail.send_confirmation,
    signals.MOVED: mail.send_moved,
    signals.CANCELLED: mail.send_cancelled,
    signals.CANCELLED_BY_OFFICE: mail.send_closure_notice,
}

# Whether the booking holds a place after each change (a message is stale otherwise).
_STATUS_AFTER = {
    signals.BOOKED: True,
    signals.MOVED: True,
    signals.CANCELLED: False,
    signals.CANCELLED_BY_OFFICE: False,
}


@task()
def send_booking_message(*, booking_id: int, change: str) -> bool:
    """The citizen's message about a change of their booking (signals.CHANGES).

    The message describes the booking as it is when sent (its current time and SEQUENCE), so
    a late or repeated message never puts an old time back into a calendar.
    """
    if change not in _MESSAGES:
        raise ValueError(f"unknown booking change {change!r}")
    booking = (
        Booking.objects.select_related("office", "service", "service__agency")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or booking.purged_at is not None:
        return False
    if _STATUS_AFTER[change] != booking.holds_capacity() or (
        change == signals.CANCELLED_BY_OFFICE
        and booking.status != BookingStatus.CANCELLED_BY_OFFICE
    ):
        return False  # changed again since: that change's own message tells the truth
    if change == signals.CANCELLED_BY_OFFICE:
        Booking.objects.filter(pk=booking_id).update(closure_notified_at=clock.now())
    return _MESSAGES[change](booking)


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
def record_no_shows_task() -> int:
    return services.record_no_shows()


@task()
def purge_personal_data_task() -> int:
    return services.purge_personal_data()


def on_booking_changed(sender: Any, *, booking_id: int, change: str, **kwargs: Any) -> None:
    """Receiver of `signals.booking_changed` (after commit): the message, and the reminder of
    a new time."""
    send_booking_message.enqueue(booking_id=booking_id, change=change)
    if change in (signals.BOOKED, signals.MOVED):
        schedule_reminder(booking_id=booking_id)
