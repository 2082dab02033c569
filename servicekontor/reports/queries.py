"""Reads of the statistics. Every figure shown anywhere comes from a function here.

Scoping (who may see which agency's and office's figures) is applied by the callers through
`scope.Scope` arguments; these functions take plain id filters.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from servicekontor.queueing.models import Errand


@dataclass(frozen=True)
class AgencyUsage:
    """What one agency used at one office in one month.

    `month` is the first day of the month (Europe/Stockholm days); `visits` counts served
    visits once per agency they had an errand for; `errands` counts errands; `handled_seconds`
    is the serving time attributed to the agency's errands (seconds).
    """

    office_id: int
    agency_id: int
    month: dt.date
    visits: int
    errands: int
    handled_seconds: int


def agency_usage(
    *,
    start: dt.date,
    end: dt.date,
    office_ids: Iterable[int] | None = None,
    agency_ids: Iterable[int] | None = None,
) -> list[AgencyUsage]:
    """Usage per office × agency × month for visits of local days `start`…`end` (both
    inclusive), ordered by month, office, agency. Rows with no errand are absent.

    A visit belongs to the day it arrived (`Visit.local_day`), its errands with it. Raises
    ValueError if `end` is before `start`.
    """
    if end < start:
        raise ValueError("end is before start")
    rows = Errand.objects.filter(visit__local_day__gte=start, visit__local_day__lte=end)
    if office_ids is not None:
        rows = rows.filter(visit__office_id__in=list(office_ids))
    if agency_ids is not None:
        rows = rows.filter(service__agency_id__in=list(agency_ids))
    grouped = (
        rows.annotate(month=TruncMonth("visit__local_day"))
        .values("visit__office_id", "service__agency_id", "month")
        .annotate(
            visits=Count("id", filter=Q(first_for_agency=True)),
            errands=Count("id"),
            handled=Sum("service_seconds"),
        )
        .order_by("month", "visit__office_id", "service__agency_id")
    )
    return [
        AgencyUsage(
            office_id=r["visit__office_id"],
            agency_id=r["service__agency_id"],
            month=r["month"],
            visits=r["visits"],
            errands=r["errands"],
            handled_seconds=r["handled"] or 0,
        )
        for r in grouped
    ]
