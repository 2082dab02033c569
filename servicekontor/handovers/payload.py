"""The body of a handover webhook and of the API's handover (one shape for both)."""

from __future__ import annotations

from typing import Any

from servicekontor.handovers import encryption
from servicekontor.handovers.models import Handover


def handover_data(handover: Handover) -> dict[str, Any]:
    """The handover as the agency sees it (decrypted identity number and contact; blank
    after the purge). `handover` with agency, service and office selected."""
    data: dict[str, Any] = {
        "reference": handover.reference,
        "agency": handover.agency.code,
        "service": {"code": handover.service.code, "name": handover.service.name_sv},
        "office": {"code": handover.office.code, "name": handover.office.name},
        "visit_day": handover.visit_day.isoformat(),
        "errand_outcome": handover.outcome,
        "created_at": handover.created_at.isoformat(),
        "needs": handover.needs,
        "documents": handover.documents,
        "contact": {
            "channel": handover.contact_channel,
            "detail": encryption.decrypt(handover.contact_encrypted),
        },
        "identity_number": encryption.decrypt(handover.identity_number_encrypted) or None,
        "consent": handover.consent,
        "status": handover.status,
        "case_number": handover.case_number or None,
        "acknowledged_at": handover.acknowledged_at.isoformat()
        if handover.acknowledged_at
        else None,
        "outcome_at": handover.outcome_at.isoformat() if handover.outcome_at else None,
        "purged": handover.purged_at is not None,
    }
    return data


def webhook_body(*, event_type: str, handover: Handover) -> dict[str, Any]:
    """The Standard Webhooks payload shape: type, timestamp, data."""
    return {
        "type": event_type,
        "timestamp": handover.created_at.isoformat(),
        "data": handover_data(handover),
    }
