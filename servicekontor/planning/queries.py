"""Reads for network planning: the registry's network on a date, answers, saved scenarios."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from servicekontor.core.geography import load_localities
from servicekontor.network.queries import offices_operating_on
from servicekontor.planning.models import Scenario
from servicekontor.planning.plans import PlanRequest, PlanResult, Site, plan


def existing_sites(*, day: dt.date) -> tuple[Site, ...]:
    """The offices operating on ``day`` as planning sites, in code order."""
    return tuple(
        Site(o.code, o.name, o.latitude, o.longitude, o.county)
        for o in offices_operating_on(day=day).order_by("code")
    )


def plan_on(
    *,
    day: dt.date,
    request: PlanRequest,
    candidates: tuple[Site, ...] | None = None,
    matrix: dict[tuple[str, str], float] | None = None,
) -> PlanResult:
    """Answer a planning question for the network as it stands on ``day``."""
    return plan(
        request,
        localities=load_localities(),
        existing=existing_sites(day=day),
        candidates=candidates,
        matrix=matrix,
    )


def saved_scenarios() -> QuerySet[Scenario]:
    return Scenario.objects.select_related("created_by")
