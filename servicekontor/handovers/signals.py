"""Signals of handovers, sent after commit (so a finish that rolls back sends nothing).

- `handover_created(handover_id, delivery_ids)`: the receiver (`tasks.on_handover_created`)
  enqueues the first delivery attempt of each outbox row and the citizen's reference by mail.

`handovers.apps` connects the receivers of `handovers.tasks`.
"""

from django.dispatch import Signal

handover_created = Signal()
