"""Signals of the queue: how the write use cases reach their side effects without importing
the tasks (which import the use cases; tasks are leaves).

`visit_changed` is sent after commit of every visit change, with `office_id` and `action` (a
`states.Action` value). `queueing.apps` connects `queueing.tasks.enqueue_after_visit_change`.
"""

from django.dispatch import Signal

visit_changed = Signal()
