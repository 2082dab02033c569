"""With production's database queue (decision 0044), a visit change enqueues the "your turn is
near" task only when it moves the line and someone waiting at the office asked to be told;
nothing of it runs in the desk's request, and the worker tells them."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from servicekontor.queueing import services
from servicekontor.queueing.models import Visit
from servicekontor.queueing.signals import visit_changed
from servicekontor.queueing.states import MOVES_THE_LINE, Action
from servicekontor.queueing.tasks import after_visit_change

pytestmark = pytest.mark.django_db
TASK = "servicekontor.queueing.tasks.after_visit_change"


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "planning"],
        }
    }


def _queued() -> list[str]:
    return sorted(
        t.args_kwargs["kwargs"]["action"] for t in DBTaskResult.objects.filter(task_path=TASK)
    )


def test_visit_changed__only_moves_of_the_line_with_someone_to_tell_are_enqueued(
    world, django_capture_on_commit_callbacks
):
    for action in Action:  # nobody waiting asked to be told: no task at all
        visit_changed.send(sender=Visit, office_id=world.office.pk, action=action.value)
    assert _queued() == []

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_ticket(
            office=world.office, service=world.tax, notify_contact="anna@example.org"
        )
    DBTaskResult.objects.all().delete()  # the ticket's own change (not a move)
    for action in Action:
        visit_changed.send(sender=Visit, office_id=world.office.pk, action=action.value)
    assert _queued() == sorted(a.value for a in MOVES_THE_LINE) == ["call", "requeue", "transfer"]
    assert mail.outbox == []  # nothing sent in the request

    with django_capture_on_commit_callbacks(execute=True):
        assert after_visit_change.call(office_id=world.office.pk, action="call") == 1
    assert len(mail.outbox) == 1  # what the worker runs tells her, once
    assert after_visit_change.call(office_id=world.office.pk, action="call") == 0
