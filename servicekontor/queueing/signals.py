"""Signals the queue sends inside the transaction of a change, for readers to its right.

`reports` keeps its rollups in step with the visit log through these, so the queue never
imports the statistics (docs/architecture.md: nothing operational imports them). Receivers
run in the same transaction: if one fails, the change is rolled back with it.
"""

from django.dispatch import Signal

# kwargs: visit (Visit), event (VisitEvent just appended)
visit_event_appended = Signal()
# kwargs: visit (Visit), errands (list[Errand] just written)
errands_recorded = Signal()
