"""With production's database queue (decision 0044), a visit change enqueues the "your turn is
near" task only when it moves the line; nothing of it runs in the desk's request."""

import pytest
from django_tasks_db.models import DBTaskResult

from servicekontor.queueing.models import Visit
from servicekontor.queueing.signals import visit_changed
from servicekontor.queueing.states import Action
from servicekontor.queueing.tasks import MOVES_THE_LINE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "planning"],
        }
    }


def test_visit_changed__only_moves_of_the_line_are_enqueued():
    for action in Action:
        visit_changed.send(sender=Visit, office_id=7, action=action.value)
    queued = sorted(
        t.args_kwargs["kwargs"]["action"]
        for t in DBTaskResult.objects.filter(
            task_path="servicekontor.queueing.tasks.after_visit_change"
        )
    )
    assert queued == sorted(a.value for a in MOVES_THE_LINE) == ["call", "requeue", "transfer"]
