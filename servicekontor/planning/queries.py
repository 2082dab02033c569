"""Reads for network planning: the registry's network on a date, answers, saved scenarios."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Min, QuerySet

from servicekontor.core.geography import load_localities
from servicekontor.network.models import Office, OfficeKind
from servicekontor.network.outreach import visits_per_week
from servicekontor.network.queries import offices_operating_on, recurrences_of
from servicekontor.planning.models import PlanRun, Scenario
from servicekontor.planning.optimize import ProgressCallback
from servicekontor.planning.outreach import frequency_of
from servicekontor.planning.plans import (
    PlanRequest,
    PlanResult,
    Site,
    check_matrix,
    check_request,
    locality_sites,
    plan,
)
from servicekontor.reports import queries as report_queries
from servicekontor.reports.models import MonthFigures
from servicekontor.reports.scope import EVERYTHING

SAME_PLACE_JOIN = "+"


def existing_sites(*, day: dt.date) -> tuple[Site, ...]:
    """The offices operating on ``day`` as planning sites, in code order.

    Offices on exactly the same point (approximate positions: a district office placed at its
    city's centre) are one place with several offices: one site whose code joins their codes
    with "+" and whose name joins their names with " / ". The planner cannot tell them apart,
    so it must not propose closing one of them.
    """
    places: dict[tuple[float, float], list[Site]] = {}
    for o in offices_operating_on(day=day).filter(kind=OfficeKind.OFFICE).order_by("code"):
        site = Site(o.code, o.name, o.latitude, o.longitude, o.county)
        places.setdefault((o.latitude, o.longitude), []).append(site)
    return tuple(
        group[0]
        if len(group) == 1
        else dataclasses.replace(
            group[0],
            code=SAME_PLACE_JOIN.join(s.code for s in group),
            name=" / ".join(s.name for s in group),
        )
        for group in places.values()
    )


def existing_stops(*, day: dt.date) -> tuple[Site, ...]:
    """The outreach stops operating on ``day`` as sites open on a share of working days:
    the visit days per week their rules promise / 5 (`planning/outreach.py`). A stop whose
    rules have all ended (or that has none) is not served and is left out."""
    sites = []
    stops = (
        offices_operating_on(day=day)
        .filter(kind=OfficeKind.OUTREACH)
        .prefetch_related("outreach_rules")
        .order_by("code")
    )
    for o in stops:
        current = [r for r in recurrences_of(o) if r.valid_to is None or r.valid_to >= day]
        per_week = visits_per_week(current)
        if per_week > 0:
            sites.append(
                Site(o.code, o.name, o.latitude, o.longitude, o.county, frequency_of(per_week))
            )
    return tuple(sites)


def _keep_at_places(keep: tuple[str, ...], sites: tuple[Site, ...]) -> tuple[str, ...]:
    """Office codes to keep, as the codes of the sites (places) that hold them."""
    place_of = {code: s.code for s in sites for code in s.code.split(SAME_PLACE_JOIN)}
    return tuple(dict.fromkeys(place_of.get(code, code) for code in keep))


def plan_on(
    *,
    day: dt.date,
    request: PlanRequest,
    candidates: tuple[Site, ...] | None = None,
    matrix: dict[tuple[str, str], float] | None = None,
    progress: ProgressCallback | None = None,
) -> PlanResult:
    """Answer a planning question for the network as it stands on ``day`` (``progress``: see
    ``plans.plan``)."""
    existing = existing_sites(day=day)
    if request.keep:
        request = dataclasses.replace(request, keep=_keep_at_places(request.keep, existing))
    localities = load_localities()
    if matrix:
        pool = candidates if candidates is not None else locality_sites(localities)
        check_matrix(matrix, localities, (*existing, *pool, *existing_stops(day=day)))
    return plan(
        request,
        localities=localities,
        existing=existing,
        candidates=candidates,
        matrix=matrix,
        stops=existing_stops(day=day),
        progress=progress,
    )


def check_plan_on(
    *,
    day: dt.date,
    request: PlanRequest,
    candidates: tuple[Site, ...] | None = None,
    matrix: dict[tuple[str, str], float] | None = None,
) -> None:
    """Raise PlanInputError when ``plan_on`` would refuse the question (``plans.check_request``,
    ``plans.check_matrix``), before a background solve is queued for it."""
    existing = existing_sites(day=day)
    if request.keep:
        request = dataclasses.replace(request, keep=_keep_at_places(request.keep, existing))
    codes = {s.code for s in existing}
    localities = load_localities()
    pool = candidates if candidates is not None else locality_sites(localities)
    if matrix:
        check_matrix(matrix, localities, (*existing, *pool, *existing_stops(day=day)))
    check_request(
        request, existing=existing, candidates=sum(1 for s in pool if s.code not in codes)
    )


def saved_scenarios() -> QuerySet[Scenario]:
    return Scenario.objects.select_related("created_by")


def plan_run(*, run_id: str) -> PlanRun | None:
    """A background planning run by its id, or None (an unknown or malformed id)."""
    try:
        return PlanRun.objects.select_related("created_by").filter(pk=run_id).first()
    except ValidationError:  # not a UUID
        return None


def plan_run_stop_requested(*, run_id: str) -> bool:
    """Whether someone asked the run to stop (the solver's progress callback reads it)."""
    return PlanRun.objects.filter(pk=run_id, stop_requested=True).exists()


def with_closed_visits(summary: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """`summary` (a plan's `result_to_dict`) with each closed office's visits of the 12
    whole months before the current one (the statistics' arrivals; `visits_year`, None for
    an office the statistics do not know): the visits that move when it closes (walk F21:
    the objective counts residents, the page says what moves); and ``visits_months``, the
    months those figures cover: ``first`` (the first month with any figures in the window,
    None: none), ``last``, and ``full`` (all 12). A copy; the summary kept in a scenario is
    not changed."""
    closed = summary.get("closed") or []
    if not closed:
        return summary
    first_this = today.replace(day=1)
    start, end = first_this.replace(year=first_this.year - 1), first_this - dt.timedelta(days=1)
    ids = dict(
        Office.objects.filter(code__in=[c["code"] for c in closed]).values_list("code", "pk")
    )
    counted = report_queries.figures(
        scope=EVERYTHING,
        start=start,
        end=end,
        by=("office",),
        office_ids=list(ids.values()),
        waits=False,
    )
    arrivals = {key[0]: f.arrivals for key, f in counted.items()}
    rows = [
        dict(c, visits_year=arrivals.get(ids[c["code"]]) if c["code"] in ids else None)
        for c in closed
    ]
    # The months the figures really cover (walk: the statistics may begin inside the 12).
    first = MonthFigures.objects.filter(month__gte=start, month__lte=end).aggregate(
        first=Min("month")
    )["first"]
    months = {"first": first, "last": end.replace(day=1), "full": first == start}
    return {**summary, "closed": rows, "visits_months": months}
