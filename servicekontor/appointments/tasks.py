"""Background work of appointments (django-tasks). Arguments are ids only, never personal data.

The periodic ones are also management commands, for cron (deploy/crontab): `run_booking_jobs`
(reminders and no-shows) and `purge_personal_data`.

A leaf: the tasks call into services, never the other way round. The use cases announce what
happened through `appointments.signals` (after commit); `apps.ready` connects the receiver
`on_booking_changed` (and `on_message_sent` to the outbox's signal).
"""

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django_tasks import task

from servicekontor.appointments import conf, mail, services, signals
from servicekontor.appointments.models import Booking, BookingStatus, VideoMeeting
from servicekontor.core import clock
from servicekontor.messaging import services as messaging
from servicekontor.messaging.models import Message

logger = logging.getLogger(__name__)


@task()
def send_reminder(*, booking_id: int, for_start: str | None = None) -> bool:
    """Queue the reminder of one booking into the outbox (which sends it and retries a
    refusal). Once per booking and time: the outbox's once-only key decides a race, and
    `reminder_sent_at` is written only when the outbox reports it sent
    (`on_message_sent`). True if this call queued it.

    `for_start` (ISO 8601, set by `schedule_reminder` on the deferred task): the start the
    reminder was scheduled for; a booking moved since has another start and its own
    deferred reminder, so this one does nothing (it would remind of the new time early).
    """
    booking = (
        Booking.objects.select_related("office", "service", "service__agency")
        .filter(pk=booking_id, status=BookingStatus.BOOKED, reminder_sent_at__isnull=True)
        .first()
    )
    if booking is None or booking.starts_at <= clock.now():
        return False
    if for_start is not None and dt.datetime.fromisoformat(for_start) != booking.starts_at:
        return False
    message = mail.send_reminder(booking, deliver_after_commit=False)
    if message is None:
        return False
    messaging.deliver(message_id=message.pk)  # a failure is recorded and retried, not raised
    return True


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
        send_reminder.using(run_after=run_after).enqueue(
            booking_id=booking_id, for_start=booking.starts_at.isoformat()
        )
    # otherwise the periodic sweep sends it


@task()
def send_due_reminders() -> int:
    """Periodic sweep: queue the reminder of every booking starting within `reminder_before`
    that has none yet, then send what is due in the outbox (new ones and retries).

    One booking that fails to queue is logged and skipped; the others go on. Returns how
    many reminders were queued by this run.
    """
    now = clock.now()
    queued_before = Message.objects.filter(topic=mail.TOPIC_REMINDER).values("object_id")
    due = (
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + conf.reminder_before(),
            # Booked less than `reminder_before` ahead: the confirmation was the reminder.
            created_at__lte=F("starts_at") - conf.reminder_before(),
        )
        .exclude(pk__in=queued_before)
        .order_by("starts_at", "pk")  # the soonest first, and the same order every run
        .values_list("pk", flat=True)
    )
    queued = 0
    for pk in list(due):
        try:
            queued += bool(send_reminder.call(booking_id=pk))
        except Exception:
            logger.exception("reminder of booking %s could not be queued", pk)
    return queued


@task()
def deliver_messages_task() -> int:
    """Send what is due in the outbox (first attempts and retries). Returns how many went."""
    return messaging.deliver_due().sent


_MESSAGES = {
    signals.BOOKED: mail.send_confirmation,
    signals.MOVED: mail.send_moved,
    signals.CANCELLED: mail.send_cancelled,
    signals.CANCELLED_BY_OFFICE: mail.send_closure_notice,
}
# Whether the booking holds a place after each change (a message is stale otherwise).
_HOLDS_AFTER = {
    signals.BOOKED: True,
    signals.MOVED: True,
    signals.CANCELLED: False,
    signals.CANCELLED_BY_OFFICE: False,
}


@task()
def send_booking_message(*, booking_id: int, change: str) -> bool:
    """Queue the citizen's message about a change of their booking (signals.CHANGES) into the
    outbox, which sends it and retries a refusal; once per change (its dedup key names the
    booking's SEQUENCE).

    The message describes the booking as it is when queued (its current time and SEQUENCE);
    one overtaken by a later change is skipped, so a late REQUEST never brings back a
    cancelled event and a late CANCEL never removes a rebooked one. True if queued.
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
    if _HOLDS_AFTER[change] != booking.holds_capacity() or (
        change == signals.CANCELLED_BY_OFFICE
        and booking.status != BookingStatus.CANCELLED_BY_OFFICE
    ):
        return False  # changed again since: that change's own message tells the truth
    return _MESSAGES[change](booking) is not None


def on_message_sent(
    sender: Any, *, topic: str, object_id: int | None, sent_at: dt.datetime, **kwargs: Any
) -> None:
    """Receiver of `messaging.signals.message_sent`: record on the booking what went out."""
    if object_id is None:
        return
    if topic == mail.TOPIC_REMINDER:
        Booking.objects.filter(pk=object_id, reminder_sent_at__isnull=True).update(
            reminder_sent_at=sent_at
        )
    elif topic == mail.TOPIC_CLOSURE:
        Booking.objects.filter(pk=object_id, closure_notified_at__isnull=True).update(
            closure_notified_at=sent_at
        )


@task()
def record_no_shows_task() -> int:
    return services.record_no_shows()


@task()
def purge_personal_data_task() -> int:
    return services.purge_personal_data()


@task()
def after_booking_changed(*, booking_id: int, change: str) -> bool:
    """The citizen's message about a change (`send_booking_message`) and, for a new time, its
    reminder (`schedule_reminder`): both in one task, so that the request that made the
    change only enqueues (decision 0044). Safe to run again: the outbox's dedup key queues
    each message once, and a reminder is queued once whichever of its runs comes first.
    True if the message was queued by this run."""
    queued = send_booking_message.call(booking_id=booking_id, change=change)
    if change in (signals.BOOKED, signals.MOVED) and Booking.objects.filter(pk=booking_id).exists():
        schedule_reminder(booking_id=booking_id)
    return queued


def on_booking_changed(sender: Any, *, booking_id: int, change: str, **kwargs: Any) -> None:
    """Receiver of `signals.booking_changed` (after commit): enqueue `after_booking_changed`
    (with the database queue, one row; nothing is rendered or sent in the request)."""
    after_booking_changed.enqueue(booking_id=booking_id, change=change)


@task()
def tell_caseworker_of_cancellation(*, meeting_id: int) -> bool:
    """The agency's side learns of a cancellation (or a move) by the citizen or the office: a mail to
    the caseworker's work address through the outbox (the agency's API shows the meeting as
    cancelled at once). Queued once: compare-and-swap on `agency_notified_at` (and the
    outbox's dedup key), in one transaction with the outbox row, so that a worker that dies
    in between leaves neither and the task can run again (decision 0044)."""
    with transaction.atomic():
        claimed = VideoMeeting.objects.filter(
            pk=meeting_id, agency_notified_at__isnull=True
        ).update(agency_notified_at=clock.now())
        if claimed != 1:
            return False
        meeting = VideoMeeting.objects.select_related(
            "caseworker",
            "booking",
            "booking__office",
            "booking__service",
            "booking__service__agency",
            "moved_to__room",
        ).get(pk=meeting_id)
        return mail.send_meeting_cancelled_to_caseworker(meeting) is not None


def on_video_meeting_cancelled(sender: Any, *, meeting_id: int, **kwargs: Any) -> None:
    """Receiver of `signals.video_meeting_cancelled` (after commit)."""
    tell_caseworker_of_cancellation.enqueue(meeting_id=meeting_id)
