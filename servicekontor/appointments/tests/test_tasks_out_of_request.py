"""Booking messages with production's task backend, the database queue (decision 0044): the
booking's request only enqueues; `db_worker` renders and sends the mail, once, even when a
worker dies in the middle (`manage.py requeue_stale_tasks`, then the outbox's minute run)."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from servicekontor.appointments import tasks
from servicekontor.appointments.models import Booking
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.core import clock
from servicekontor.core.task_queue import requeue_stale_tasks
from servicekontor.messaging import conf as messaging_conf
from servicekontor.messaging import services as messaging
from servicekontor.messaging.models import Message, MessageStatus
from servicekontor.messaging.services import deliver_due

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]


@pytest.fixture(autouse=True)
def database_queue(settings):
    """Production's backend (config/settings.py with DEBUG and DEMO off)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "planning"],
        }
    }
    settings.SITE_URL = "https://boka.example.se"
    settings.DEFAULT_FROM_EMAIL = "Servicekontoren <noreply@boka.example.se>"


def _book(client, office, service, capture) -> Booking:
    start = local(TUESDAY, 10)
    url = reverse("appointments:contact", args=[service.pk, office.code, int(start.timestamp())])
    with capture(execute=True):  # the commit: its callbacks enqueue
        response = client.post(url, {"name": "A", "email": "a@example.org"})
    assert response.status_code == 302
    return Booking.objects.get()


def _run_worker(capture) -> None:
    """`manage.py db_worker --batch`: every ready task of the default queue, then exit. Its
    commits (outside a test: autocommit) run their callbacks, as in the worker's process."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    # db_worker closes its connection when it is not in autocommit, as it is inside a test's
    # transaction (on PostgreSQL that would roll the test back): the test's connection stands
    # in for the worker's own.
    with (
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
        capture(execute=True),
    ):
        worker.run()


def _die_after_claiming() -> DBTaskResult:
    """A worker claims the next task (RUNNING, as db_worker does) and is killed."""
    with exclusive_transaction():
        task = DBTaskResult.objects.ready().filter(queue_name="default").get_locked()
        assert task is not None
        task.claim("killed-worker")
    return task


def test_booking__database_queue__the_request_only_enqueues_the_worker_sends_once(
    client, office, service, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    booking = _book(client, office, service, capture)

    # the request rendered and sent nothing: one task row waits for the worker
    assert mail.outbox == [] and not Message.objects.exists()
    (queued,) = DBTaskResult.objects.all()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "servicekontor.appointments.tasks.after_booking_changed"
    assert queued.args_kwargs["kwargs"] == {"booking_id": booking.pk, "change": "booked"}

    _run_worker(capture)
    (sent,) = mail.outbox
    assert booking.code.replace("-", "") in sent.body.replace("-", "").replace(" ", "")
    message = Message.objects.get()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert DBTaskResult.objects.get(pk=queued.pk).status == TaskResultStatus.SUCCESSFUL

    # the worker again, the outbox's minute run, the sweep: nothing more goes out
    _run_worker(capture)
    assert deliver_due().sent == 0
    assert requeue_stale_tasks(now=clock.now() + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1 and Message.objects.count() == 1


def test_booking__worker_killed_before_the_message__requeued_and_sent_once(
    client, office, service, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _book(client, office, service, capture)
    dead = _die_after_claiming()

    _run_worker(capture)  # another worker: the task is claimed, nothing to run
    assert mail.outbox == [] and not Message.objects.exists()
    assert requeue_stale_tasks() == 0  # not stale yet: its worker may be busy with it

    later = clock.now() + dt.timedelta(seconds=django_settings.TASKS_STALE_AFTER_SECONDS + 1)
    assert requeue_stale_tasks(now=later) == 1
    assert requeue_stale_tasks(now=later) == 0  # put back once
    _run_worker(capture)
    assert len(mail.outbox) == 1 and Message.objects.count() == 1
    task = DBTaskResult.objects.get(pk=dead.pk)
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["killed-worker", "test-worker"]


def test_booking__worker_killed_after_queueing_the_message__sent_once(
    client, office, service, django_capture_on_commit_callbacks
):
    """Killed between writing the outbox row and sending it: the task runs again and finds
    the message queued (its dedup key); the outbox's minute run sends it, once."""
    capture = django_capture_on_commit_callbacks
    booking = _book(client, office, service, capture)
    dead = _die_after_claiming()
    # the killed worker's last act: the outbox row committed; its delivery, an after-commit
    # callback, never ran (not executed here)
    assert tasks.after_booking_changed.call(booking_id=booking.pk, change="booked") is True
    assert Message.objects.get().status == MessageStatus.PENDING and mail.outbox == []

    later = clock.now() + dt.timedelta(seconds=django_settings.TASKS_STALE_AFTER_SECONDS + 1)
    assert requeue_stale_tasks(now=later) == 1
    _run_worker(capture)
    assert DBTaskResult.objects.get(pk=dead.pk).return_value is False  # queued before
    assert Message.objects.count() == 1

    with capture(execute=True):
        assert deliver_due().sent == 1  # `manage.py deliver_messages`, every minute
        assert deliver_due().sent == 0
    assert len(mail.outbox) == 1
    assert Message.objects.get().status == MessageStatus.SENT


def test_booking__worker_killed_while_sending__sent_again_after_the_lease(
    client, office, service, django_capture_on_commit_callbacks, monkeypatch
):
    """Killed while the mail server had it (claimed, outcome never recorded): the lease
    expires and the minute run sends it. The one window where a mail can go out twice is
    between the server's acceptance and that record (at least once, as SMTP allows)."""
    capture = django_capture_on_commit_callbacks
    booking = _book(client, office, service, capture)
    _die_after_claiming()
    tasks.after_booking_changed.call(booking_id=booking.pk, change="booked")  # row queued
    message = Message.objects.get()

    class Killed(BaseException):  # not an Exception: the process ends, nothing is recorded
        pass

    def killed(message: Message) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(messaging, "_send", killed)
        with pytest.raises(Killed):
            messaging.deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert mail.outbox == []
    assert deliver_due().sent == 0  # leased to the dead worker

    lease_over = clock.now() + messaging_conf.LEASE + dt.timedelta(seconds=1)
    with time_machine.travel(lease_over), capture(execute=True):
        assert deliver_due().sent == 1
        assert deliver_due().sent == 0
    assert len(mail.outbox) == 1
    assert Message.objects.get().status == MessageStatus.SENT


def test_reminder__deferred_for_the_old_time__a_moved_booking_is_reminded_once_of_the_new(
    client, office, service, django_capture_on_commit_callbacks
):
    """The database queue can defer: the reminder task runs `reminder_before` the start. A
    booking moved later has a deferred reminder for each time; the old one does nothing (it
    would remind of the new time days early)."""
    from servicekontor.appointments.models import BookingStatus

    capture = django_capture_on_commit_callbacks
    booking = Booking.objects.create(
        office=office,
        service=service,
        day=TUESDAY + dt.timedelta(days=7),
        starts_at=local(TUESDAY + dt.timedelta(days=7), 10),
        ends_at=local(TUESDAY + dt.timedelta(days=7), 10, 30),
        code="ABCDEFGH",
        token_hash="x" * 64,
        name="A",
        email="a@example.org",
        status=BookingStatus.BOOKED,
        created_at=clock.now(),
    )
    old_start = booking.starts_at
    with capture(execute=True):
        tasks.schedule_reminder(booking_id=booking.pk)
    # moved a week later (the columns a move changes that the reminder reads)
    Booking.objects.filter(pk=booking.pk).update(
        day=TUESDAY + dt.timedelta(days=14),
        starts_at=old_start + dt.timedelta(days=7),
        ends_at=old_start + dt.timedelta(days=7, minutes=30),
    )
    with capture(execute=True):
        tasks.schedule_reminder(booking_id=booking.pk)
    deferred = sorted(
        DBTaskResult.objects.filter(task_path="servicekontor.appointments.tasks.send_reminder"),
        key=lambda t: t.run_after,
    )
    assert [t.args_kwargs["kwargs"]["for_start"] for t in deferred] == [
        old_start.isoformat(),
        (old_start + dt.timedelta(days=7)).isoformat(),
    ]
    with time_machine.travel(deferred[0].run_after + dt.timedelta(seconds=1), tick=False):
        _run_worker(capture)
    assert mail.outbox == [] and not Message.objects.exists()
    with time_machine.travel(deferred[1].run_after + dt.timedelta(seconds=1), tick=False):
        _run_worker(capture)
    assert len(mail.outbox) == 1 and Message.objects.count() == 1
