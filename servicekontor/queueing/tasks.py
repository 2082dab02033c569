"""Side effects of queue changes; enqueued only after the change has committed."""

from django_tasks import task

from servicekontor.queueing.notifications import notify_near_visits
from servicekontor.queueing.states import Action


@task()
def after_visit_change(*, office_id: int, action: str) -> int:
    """After a call, tell the citizens who are now near the front (if they asked to be told)."""
    if action in (Action.CALL, Action.TRANSFER, Action.REQUEUE):
        return notify_near_visits(office_id=office_id)
    return 0


@task()
def close_queues_task() -> int:
    """Periodic: close what is still waiting after closing time (see services.close_queues)."""
    from servicekontor.queueing.services import close_queues

    return close_queues()
