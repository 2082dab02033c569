"""Background work of handovers (django-tasks). Arguments are ids only, never personal data.

A leaf: the use cases announce a new handover through `signals.handover_created` (after
commit); `apps.ready` connects `on_handover_created`. The retries are
`manage.py deliver_handovers` (cron every minute, or `--loop` as a worker).
"""

from typing import Any

from django_tasks import task

from servicekontor.handovers import delivery, mail


@task()
def deliver_handover(*, delivery_id: int) -> bool | None:
    """The first attempt right after the finish; later ones come from the sweep."""
    return delivery.attempt(delivery_id)


@task()
def deliver_due_handovers() -> int:
    return delivery.deliver_due().delivered


@task()
def send_reference(*, handover_id: int) -> bool:
    return mail.send_reference(handover_id)


def on_handover_created(*, handover_id: int, delivery_ids: list[int], **kwargs: Any) -> None:
    for delivery_id in delivery_ids:
        deliver_handover.enqueue(delivery_id=delivery_id)
    send_reference.enqueue(handover_id=handover_id)
