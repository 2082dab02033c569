"""Side effects of queue changes; enqueued only after the change has committed.

A leaf: the tasks call into services and notifications, never the other way round. The use
cases announce a change with `signals.visit_changed` (after commit); `apps.ready` connects
`enqueue_after_visit_change` to it.
"""

from typing import Any

from django_tasks import task

from servicekontor.queueing import sql
from servicekontor.queueing.notifications import notify_near_visits
from servicekontor.queueing.services import close_queues
from servicekontor.queueing.states import MOVES_THE_LINE


@task()
def after_visit_change(*, office_id: int, action: str) -> int:
    """After a call, tell the citizens who are now near the front (if they asked to be told)."""
    if action in MOVES_THE_LINE:
        return notify_near_visits(office_id=office_id)
    return 0


def enqueue_after_visit_change(
    sender: Any,
    *,
    office_id: int,
    action: str,
    waiting_contact: bool | None = None,
    **kwargs: Any,
) -> None:
    """Receiver of `signals.visit_changed` (sent after commit): enqueue `after_visit_change`
    for a change that moves the line while someone waiting at the office asked to be told.

    With the database queue (decision 0044) every other change would cost the request an
    INSERT and the worker a claim and a run for a task that tells nobody (at 10× the
    national peak about nine calls a second); the check is the task's own first step, one
    indexed EXISTS (`sql.anyone_waiting_with_contact`), which the request ran before too.
    `waiting_contact`: that check's answer when the change's own statement gave it
    (`sql.transition`'s `contact`), so it is not asked again."""
    if action not in MOVES_THE_LINE:
        return
    if waiting_contact is None:
        waiting_contact = sql.anyone_waiting_with_contact(office_id=office_id)
    if waiting_contact:
        after_visit_change.enqueue(office_id=office_id, action=action)


@task()
def after_staffing_change(*, office_id: int) -> int:
    """After a desk opened, closed or changed status: who can serve whom changed, so the
    places in line did (`sql.AHEAD_OF_T`); tell those who are now near the front."""
    return notify_near_visits(office_id=office_id)


def enqueue_after_staffing_change(
    sender: Any, *, office_id: int, staffing: bool = False, **kwargs: Any
) -> None:
    """Receiver of `signals.desk_sessions_changed` (sent after commit): enqueue
    `after_staffing_change` for a sign-in, a status change or a sign-out (not a visit
    reaching or leaving a desk: the visit's own change enqueues then) while someone waiting
    at the office asked to be told."""
    if staffing and sql.anyone_waiting_with_contact(office_id=office_id):
        after_staffing_change.enqueue(office_id=office_id)


@task()
def close_queues_task() -> int:
    """Periodic: close what is still waiting after closing time (see services.close_queues)."""
    return close_queues()
