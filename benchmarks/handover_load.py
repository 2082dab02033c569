"""Handovers during the national peak (issue 19; `peak_load.py --handovers SHARE`): what the
simulated officer submits in the desk's handover form, and the figures of the deliveries.
No Django, no locust (both peak_load.py and peak_locust.py import it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bench_harness import Samples

# queueing.models.Outcome values in handovers.models.HANDOVER_OUTCOMES
HANDOVER_OUTCOMES = ("documents_forwarded", "referred", "meeting_booked")
_SELECTED_SERVICE = re.compile(r'name="h0-service".*?<option value="(\d+)" selected', re.DOTALL)


def handover_fields(form_html: str, *, visit: str, outcome: str) -> dict[str, object] | None:
    """The desk's handover form (templates/desk/handover.html, prefix h0) as an officer
    submits it: the errand preselected in the form (the visit's service), what the citizen
    needs, one kind of document (2 payslips), contact by phone, a printed reference, consent;
    no identity number (the bench's partners need it for no service). With the finish's own
    fields (action, visit, outcome) and `handover_step`. None if the page has no form h0."""
    found = _SELECTED_SERVICE.search(form_html)
    if found is None:
        return None
    return {
        "action": "finish",
        "visit": visit,
        "outcome": outcome,
        "handover_step": "1",
        "h0-service": found.group(1),
        "h0-needs": "Wants the decision reconsidered; the payslips are forwarded.",
        "h0-doc1_kind": "Payslip",
        "h0-doc1_count": 2,
        "h0-contact_channel": "phone",
        "h0-contact": "070-123 45 67",
        "h0-identity_number": "",
        "h0-reference_by": "printed",
        "h0-reference_to": "",
        "h0-language": "sv",
        "h0-consent": "on",
    }


@dataclass(frozen=True)
class DeliveryFigures:
    finished: int  # handovers written (outbox rows) in the run
    delivered: int  # of those, verified by a receiver
    duplicates: int  # verified POSTs of a webhook-id the receiver already had
    delay: Samples  # created_at → verified receipt, ms


def delivery_figures(
    created: Mapping[str, dt.datetime],
    arrived: Mapping[str, dt.datetime],
    *,
    verified_posts: int,
) -> DeliveryFigures:
    """created: webhook-id → the handover's created_at (aware) for the run's handovers;
    arrived: webhook-id → first verified receipt (aware) as the receivers hold it (ids of
    other runs are ignored); verified_posts: verified POSTs the receivers took during the
    run (repeats included). Duplicates = verified_posts − the run's ids received (a repeat
    is a retry of a delivery the sender did not see acknowledged; the receiver keeps the
    first). Raises ValueError if a receipt precedes its handover (clocks of one machine)."""
    delay = Samples()
    for message_id, at in created.items():
        got = arrived.get(message_id)
        if got is None:
            continue
        seconds = (got - at).total_seconds()
        if seconds < 0:
            raise ValueError(f"{message_id} received {-seconds:.3f} s before it was created")
        delay.add(seconds)
    delivered = len(delay.values)
    return DeliveryFigures(
        finished=len(created),
        delivered=delivered,
        duplicates=verified_posts - delivered,
        delay=delay,
    )
