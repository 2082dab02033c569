"""What the staffing app answers to the queue's questions (connected in `apps.ready`), so
that the operational apps never import staffing (docs/architecture.md)."""

import datetime as dt
from typing import Any

from servicekontor.core import clock
from servicekontor.network.models import Office
from servicekontor.staffing.models import Shift


def expected_start_from_roster(
    *, office: Office, at: dt.datetime, **_kwargs: Any
) -> dt.datetime | None:
    """`queueing.signals.expected_service_start`: the start of the earliest shift at the
    office on `at`'s local day that has not ended at `at` (an officer rostered now but not
    yet at a desk answers with a start in the past: expected any moment). None: nobody is
    rostered for the rest of the day."""
    day = clock.local_date_of(at)
    starts = [
        clock.local_datetime(day, start)
        for start, end in Shift.objects.filter(office=office, day=day).values_list("start", "end")
        if clock.local_datetime(day, end) > at
    ]
    return min(starts, default=None)
