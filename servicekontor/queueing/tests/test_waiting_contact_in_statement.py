"""A change that moves the line asks, in its own statement on PostgreSQL, whether anyone waits
at the office with a contact and has not been told (`sql.transition`'s `contact`); the
notification's receiver then does not ask again after commit. Its answer must be the answer
the check after commit gives (`sql.anyone_waiting_with_contact`): the visit the change took
out of the line is not counted (a call clears its contact), one it puts back is."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from servicekontor.core import clock
from servicekontor.queueing import services, sql
from servicekontor.queueing.models import Visit
from servicekontor.queueing.signals import visit_changed
from servicekontor.queueing.states import MOVES_THE_LINE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_queue(settings):
    # Production's queue: the notification is enqueued, not run, so nobody is told (and
    # marked) between the change and the check the test compares it with.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "planning"],
        }
    }


@contextmanager
def _told(django_capture_on_commit_callbacks: Any) -> Iterator[list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        sent.append(kwargs)

    visit_changed.connect(receiver, dispatch_uid="test-waiting-contact")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            yield sent
    finally:
        visit_changed.disconnect(dispatch_uid="test-waiting-contact")


def _check(sent: list[dict[str, Any]], office_id: int) -> None:
    (kwargs,) = sent
    if connection.vendor != "postgresql":
        assert kwargs["waiting_contact"] is None  # the receiver asks
        return
    if kwargs["action"] in {a.value for a in MOVES_THE_LINE}:
        assert kwargs["waiting_contact"] is sql.anyone_waiting_with_contact(office_id=office_id)
    else:
        assert kwargs["waiting_contact"] is None


def test_contact_in_the_statement__as_the_check_after_commit(
    world, clock_at, django_capture_on_commit_callbacks
):
    office = world.office.pk
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax, notify_contact="a@example.org")
    told = services.issue_ticket(
        office=world.office, service=world.tax, notify_contact="b@example.org"
    )
    Visit.objects.filter(pk=told.pk).update(notified_at=clock.now())  # already told
    answers = []

    def act(call: Any) -> Visit:
        with _told(django_capture_on_commit_callbacks) as sent:
            visit = call()
        _check(sent, office)
        answers.append(sent[0]["waiting_contact"])
        return visit

    first = act(lambda: services.call_next(officer=world.alice))  # a contact waits
    act(lambda: services.start_service(officer=world.alice, visit_id=first.pk))
    act(lambda: services.finish_visit(officer=world.alice, visit_id=first.pk, outcome="resolved"))
    second = act(lambda: services.call_next(officer=world.alice))  # its contact: cleared
    act(lambda: services.hold_visit(officer=world.alice, visit_id=second.pk))
    # back in line with a contact (the changed visit itself counts, as it is left)
    Visit.objects.filter(pk=second.pk).update(notify_contact="c@example.org", notified_at=None)
    act(lambda: services.requeue_visit(officer=world.alice, visit_id=second.pk))
    act(lambda: services.call_next(officer=world.alice))  # the same one again, cleared
    services.issue_ticket(office=world.office, service=world.tax, notify_contact="d@example.org")
    act(lambda: services.start_service(officer=world.alice, visit_id=second.pk))
    act(
        lambda: services.transfer_visit(
            officer=world.alice, visit_id=second.pk, service=world.parental
        )
    )
    if connection.vendor == "postgresql":
        # call, start, finish, call, hold, requeue, call, start, transfer
        assert answers == [True, None, None, False, None, True, False, None, True]
