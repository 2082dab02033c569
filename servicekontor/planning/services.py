"""Write use cases of network planning."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from servicekontor.accounts.models import User
from servicekontor.planning.models import Scenario


@transaction.atomic
def save_scenario(
    *, user: User | None, name: str, day: dt.date, summary: dict[str, object]
) -> Scenario:
    """Save a computed plan as a named scenario.

    Locks: none; it inserts one row and reads nothing that another writer changes.
    """
    request = summary["request"]
    if not isinstance(request, dict):
        raise ValueError("summary without a request")
    return Scenario.objects.create(
        name=name.strip(),
        created_by=user,
        on_date=day,
        action=request["action"],
        objective=request["objective"],
        k=int(request.get("k") or 0),
        n=int(request.get("n") or 0),
        radius_km=float(request["radius_km"]),
        keep=",".join(request.get("keep") or []),
        summary=summary,
    )
