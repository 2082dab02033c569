"""Signals of the queue, so that its write use cases never import what reacts to them.

Sent after commit (side effects; tasks are leaves and import the use cases):
- `visit_changed`: every visit change, with `office_id` and `action` (a `states.Action`
  value), and `waiting_contact` (bool, or None when not known: whether anyone waits at the
  office with a contact, when the change's own statement read it). `queueing.apps` connects
  `queueing.tasks.enqueue_after_visit_change` and `queueing.push.on_visit_changed` (server
  push to the screens, decision 0026).
- `desk_sessions_changed`: a desk-status change (sign-in, status, sign-out, serving), with
  `office_id` and `staffing` (True for a sign-in, status or sign-out: who can serve whom
  changed; absent or False for a visit reaching or leaving a desk);
  `queueing.push.on_desk_sessions_changed` tells the live view,
  `queueing.tasks.enqueue_after_staffing_change` asks "your turn is near" again.

Asked, not announced:
- `expected_service_start`: sender `Office`, kwargs `office`, `at`; a receiver answers with
  the aware instant from which someone is expected to serve at the office (e.g. the first
  rostered shift still to come today), or None. `staffing` answers from its roster, so the
  kiosk can say when service starts without the queue importing staffing.

Sent inside the transaction of the change (readers to the queue's right):
- `visit_event_appended`, `errands_recorded`, `visit_withdrawn`: `reports` keeps its rollups in step with the
  visit log through these, so the queue never imports the statistics (docs/architecture.md:
  nothing operational imports them). Receivers run in the same transaction: if one fails,
  the change is rolled back with it.
"""

from django.dispatch import Signal

visit_changed = Signal()
desk_sessions_changed = Signal()
# kwargs: visit (Visit), event (VisitEvent just appended); optionally events: the visit's
# events with this one, in log order, as (at, action, from_state, to_state, service_id, id)
# tuples, when the sender read them with its change (PostgreSQL's one-statement transition)
visit_event_appended = Signal()
# kwargs: visit (Visit), errands (list[Errand] just written)
errands_recorded = Signal()
# kwargs: visit (Visit, its events and errands still there): about to be deleted — the record
# of a booking nobody came to, withdrawn because the citizen arrived late (decision 0059)
visit_withdrawn = Signal()
# kwargs: office (Office), at (datetime); receivers return datetime | None
expected_service_start = Signal()
