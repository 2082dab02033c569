"""The usage figures a settlement shares by, from the statistics (issue 14) — not computed here.

One figure, one function: `servicekontor.reports.queries.agency_usage` gives visits, errands
and handled seconds per office, agency and month from the event log. This module only turns
its rows into `allocation.Usage` for one month.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from servicekontor.costs.allocation import Usage
from servicekontor.costs.periods import month_end
from servicekontor.reports.queries import agency_usage, figures
from servicekontor.reports.scope import EVERYTHING


def month_usage(
    *,
    month: dt.date,
    office_ids: Iterable[int] | None = None,
    agency_ids: Iterable[int] | None = None,
) -> list[Usage]:
    """The month's usage per (office, agency): served visits and handled seconds, as the
    statistics count them (`agency_usage`, local days of the month, both ends inclusive)."""
    rows = agency_usage(
        start=month,
        end=month_end(month),
        office_ids=list(office_ids) if office_ids is not None else None,
        agency_ids=list(agency_ids) if agency_ids is not None else None,
    )
    return [
        Usage(r.office_id, r.agency_id, r.visits, r.handled_seconds)
        for r in rows
        if r.month == month
    ]


@dataclass(frozen=True)
class ServiceUsage:
    """One service's errands and handled seconds at one office in a month (its agency too)."""

    office: int
    agency: int
    service: int
    errands: int
    handled_seconds: int


def month_service_usage(*, month: dt.date) -> list[ServiceUsage]:
    """The month's errands and handled seconds per office × agency × service, from the
    statistics (`reports.queries.figures` by office, agency, service; the whole network)."""
    groups = figures(
        scope=EVERYTHING,
        start=month,
        end=month_end(month),
        by=("office", "agency", "service"),
        waits=False,  # counters only: errands and handled seconds
    )
    return [
        ServiceUsage(office, agency, service, f.errands, f.handled_seconds)
        for (office, agency, service), f in sorted(groups.items())
        if f.errands or f.handled_seconds
    ]
