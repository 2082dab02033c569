"""Reads of change plans: the registry as dated facts, a plan's changes with their resolved
dates, and the evaluation of a plan (the effect of each step, `effects.evaluate`).

Inputs of the evaluation, each from the app that owns the figure:
- the registry (`network`, `catalog`) as `registry_state.Registry`;
- demand: the GeoNames localities (`core.geography`), as the planning page uses them;
- visits per office and agency in the 12 whole months before the current one and handled
  seconds per visit: the statistics (`reports.queries.agency_usage`), arrivals per weekday
  and hour (`reports.queries.busiest_hours`);
- the staffing policy and FTE hours (`staffing`), each agency's service-level target;
- cost pools of the latest month that has any and the hourly cost (`costs`);
- bookings holding capacity from today on (`appointments`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicekontor.accounts.models import Role
from servicekontor.appointments.models import HOLDS_CAPACITY, Booking
from servicekontor.catalog.models import Agency, Service
from servicekontor.changeplans import effects
from servicekontor.changeplans.dependencies import DatedItem, dependants, resolve_dates
from servicekontor.changeplans.models import ChangePlan, PlannedChange, PlanStatus
from servicekontor.changeplans.registry_state import (
    Change,
    Conflict,
    HoursFact,
    Kind,
    NewOffice,
    OfferingFact,
    OfficeFact,
    Registry,
    apply_plan,
    in_past,
    network_on,
)
from servicekontor.changeplans.weekdays import hours_words
from servicekontor.core import clock, memo
from servicekontor.core.errors import DomainError
from servicekontor.core.geography import county_name, load_localities
from servicekontor.core.rounding import rounded
from servicekontor.costs.models import Category, CostPool, HourlyRate
from servicekontor.costs.queries import pools_for_allocation
from servicekontor.network.models import (
    Milestone,
    Offering,
    Office,
    OpeningHoursPeriod,
    ServicePoint,
)
from servicekontor.network.opening_hours import WeeklyRule
from servicekontor.reports import queries as report_queries
from servicekontor.reports.scope import EVERYTHING
from servicekontor.reports.templatetags.report_tags import count
from servicekontor.staffing.queries import DEFAULT_POLICY

#: ASSUMPTION (stated on the page): with no statistics at all, an agency's visits a year per
#: resident. The network took about 2.8–3 million visits a year (Statens servicecenter, see
#: /work/shared/GUIDE.md) for its three founding agencies among the 10.12 million people in
#: GeoNames' Swedish places: 2.9 M / 10.12 M / 3 ≈ 0.096.
DEFAULT_VISITS_PER_RESIDENT = 2_900_000 / 10_120_000 / 3
DEFAULT_SECONDS_PER_VISIT = 600.0


class PlanNotFound(DomainError):
    http_status = 404
    default_message = gettext_lazy("No change plan with that name (and version).")


class PlanDatesError(DomainError):
    http_status = 400
    default_message = gettext_lazy("The dates of the plan's changes cannot be worked out.")


ASSUMPTION_TEXTS = {
    "great_circle": gettext_lazy(
        "Distances are great-circle km from each GeoNames locality (population as GeoNames "
        "gives it) to the office's registered point, as on the planning page."
    ),
    "places": gettext_lazy(
        "Offices on exactly the same point count as one place (approximate positions)."
    ),
    "nearest": gettext_lazy(
        "Visitors go to the nearest operating office that offers the agency; when an office "
        "closes its visitors go to their next nearest, when one opens it takes those nearer "
        "to it (nearest-office rule, no distance decay)."
    ),
    "rate": gettext_lazy(
        "Each locality keeps the visits per resident of the office that served it at the "
        "baseline: the office's visits per agency in the 12 whole months before this month "
        "(statistics; a shorter history scaled to a year) spread over its nearest localities "
        "by population; offices without statistics get their agency's mean rate."
    ),
    "default_rate": gettext_lazy(
        "An agency without statistics (e.g. one the plan adds) gets the mean rate of the "
        "other agencies; with no statistics at all 0.096 visits per resident a year per agency "
        "(about 2.9 million visits a year for three agencies and 10.1 million people)."
    ),
    "even_weeks": gettext_lazy(
        "A typical week is the year's visits / 52 (holidays and seasons are not modelled)."
    ),
    "hour_profile": gettext_lazy(
        "Visits spread over the office's weekly opening hours by the network's arrivals per "
        "weekday and hour (statistics), evenly where there are none; every agency alike."
    ),
    "erlang": gettext_lazy(
        "Officers per hour by the dimensioning of the staffing plans: Erlang C per agency and "
        "pooled, each agency's service-level target, occupancy at most 85 %, shrinkage 15 %."
    ),
    # `staffing.dimensioning.HOURS_PER_FTE_WEEK` (a test holds the two together)
    "fte": gettext_lazy(
        "One full-time equivalent (FTE) is 40 officer-hours a week, 8 on each working day "
        "Monday–Friday (the full-time week of the Working Hours Act), as on the staffing and "
        "cost pages."
    ),
    "staff_cost": gettext_lazy(
        "Staff cost a month = officer-hours a week × 52 / 12 × the hourly cost of the role "
        "shown; shared by handled minutes. Without an hourly cost staff cost is left out."
    ),
    "pools_kept": gettext_lazy(
        "Other costs are the reference month's pools (premises, IT, overhead…) of the offices "
        "still operating; they do not change with the volume. Pools of closed offices end."
    ),
    "new_office_pools": gettext_lazy(
        "An office the plan opens costs, per category, the median of the offices' pools in "
        "the reference month; a part shared in fixed shares is shared equally among the "
        "agencies that use the new office. A cost nobody can be charged for (an office "
        "without visits) is shown as not shared."
    ),
    "network_pools": gettext_lazy(
        "Network pools stay as they are; fixed office shares of offices that closed are dropped."
    ),
    "bookings": gettext_lazy(
        "A booking is affected when the plan makes it impossible: the office closed, the "
        "agency no longer offered, or the time outside the new weekly hours."
    ),
}


# --- the registry --------------------------------------------------------------------------


def registry_state() -> Registry:
    """The whole registry as dated facts (six queries)."""
    milestones = dict(Milestone.objects.values_list("pk", "code"))
    # the desks in use per office (not the video rooms), as the staffing plans count them
    desks: dict[int, int] = defaultdict(int)
    for office_id in (
        ServicePoint.objects.filter(is_active=True).desks().values_list("office_id", flat=True)
    ):
        desks[office_id] += 1
    offices = {}
    codes: dict[int, str] = {}
    for o in Office.objects.order_by("code"):
        codes[o.pk] = o.code
        offices[o.code] = _office_fact(o, milestones, desks.get(o.pk, 0))
    services: dict[str, list[str]] = defaultdict(list)
    service_agency: dict[int, tuple[str, str]] = {}
    for pk, code, agency in Service.objects.order_by("agency__code", "code").values_list(
        "pk", "code", "agency__code"
    ):
        services[agency].append(code)
        service_agency[pk] = (code, agency)
    offerings = tuple(
        OfferingFact(
            office=codes[f.office_id],
            service=service_agency[f.service_id][0],
            agency=service_agency[f.service_id][1],
            valid_from=f.valid_from,
            valid_to=f.valid_to,
            starts_with=milestones.get(f.starts_with_id) if f.starts_with_id else None,
            ends_with=milestones.get(f.ends_with_id) if f.ends_with_id else None,
            pk=f.pk,
        )
        for f in Offering.objects.order_by("pk")
    )
    hours = tuple(
        HoursFact(
            office=codes[p.office_id],
            valid_from=p.valid_from,
            valid_to=p.valid_to,
            rules=tuple(WeeklyRule(h.weekday, h.opens, h.closes) for h in p.hours.all()),
            pk=p.pk,
        )
        for p in OpeningHoursPeriod.objects.order_by("pk").prefetch_related("hours")
    )
    return Registry(
        offices=offices,
        offerings=offerings,
        hours=hours,
        milestones=dict(Milestone.objects.values_list("code", "date")),
        services={a: tuple(s) for a, s in services.items()},
    )


def _office_fact(o: Office, milestones: dict[int, str], desks: int = 0) -> OfficeFact:
    return OfficeFact(
        code=o.code,
        name=o.name,
        county=o.county,
        latitude=o.latitude,
        longitude=o.longitude,
        opened_on=o.opened_on,
        closed_on=o.closed_on,
        opened_with=milestones.get(o.opened_with_id) if o.opened_with_id else None,
        closed_with=milestones.get(o.closed_with_id) if o.closed_with_id else None,
        municipality=o.municipality,
        pk=o.pk,
        desks=desks,
    )


# --- plans and their changes ---------------------------------------------------------------


def plans() -> QuerySet[ChangePlan]:
    return ChangePlan.objects.select_related("created_by", "adopted_by")


def plan_by_name(name: str, version: int | None = None) -> ChangePlan:
    """The plan called ``name`` (its latest version unless ``version``); PlanNotFound (404)."""
    qs = ChangePlan.objects.filter(name=name)
    if version is not None:
        qs = qs.filter(version=version)
    plan = qs.order_by("-version").first()
    if plan is None:
        raise PlanNotFound()
    return plan


def plan_changes(plan: ChangePlan) -> list[PlannedChange]:
    return list(
        plan.changes.select_related(
            "agency", "milestone", "after_milestone", "after_change"
        ).order_by("position")
    )


def _dated(c: PlannedChange) -> DatedItem:
    return DatedItem(
        key=c.pk,
        on_date=c.on_date,
        after_change=c.after_change_id,
        after_milestone=c.after_milestone.code if c.after_milestone else None,
        offset_days=c.offset_days,
        moves_milestone=c.milestone.code if c.kind == Kind.MOVE_MILESTONE and c.milestone else None,
    )


def resolved_dates(
    changes: Sequence[PlannedChange], milestone_dates: dict[str, dt.date] | None = None
) -> dict[int, dt.date]:
    """change id -> its date, anchors followed (`dependencies.resolve_dates`). Raises
    PlanDatesError (400) for a cycle."""
    if milestone_dates is None:
        milestone_dates = dict(Milestone.objects.values_list("code", "date"))
    try:
        out = resolve_dates([_dated(c) for c in changes], milestone_dates)
    except ValueError as exc:
        raise PlanDatesError(str(exc)) from None
    return {int(k): v for k, v in out.items()}  # type: ignore[call-overload]


def followers(changes: Sequence[PlannedChange], change: PlannedChange) -> list[int]:
    """Ids of the changes whose dates follow ``change``."""
    return [int(k) for k in dependants([_dated(c) for c in changes], change.pk)]  # type: ignore[call-overload]


def to_change(c: PlannedChange, day: dt.date) -> Change:
    """The pure form of a planned change (its rows checked by the forms)."""
    rules = tuple(
        WeeklyRule(int(wd), dt.time.fromisoformat(opens), dt.time.fromisoformat(closes))
        for wd, opens, closes in (c.hours or [])
    )
    new = None
    if c.kind == Kind.OPEN_OFFICE and c.new_office:
        n = c.new_office
        new = NewOffice(
            code=(c.office_codes or [""])[0],
            name=str(n.get("name", "")),
            county=str(n.get("county", "")),
            latitude=float(n.get("latitude", 0.0)),
            longitude=float(n.get("longitude", 0.0)),
            municipality=str(n.get("municipality", "")),
            counters=int(n.get("counters", 0)),
        )
    return Change(
        key=c.pk,
        kind=Kind(c.kind),
        day=day,
        offices=() if c.kind == Kind.OPEN_OFFICE else tuple(c.office_codes or ()),
        agency=c.agency.code if c.agency else None,
        milestone=c.milestone.code if c.milestone else None,
        new_office=new,
        rules=rules,
        with_milestone=c.after_milestone.code
        if c.after_milestone is not None and c.offset_days == 0
        else None,
        position=c.position,
    )


def pure_changes(
    changes: Sequence[PlannedChange], registry: Registry
) -> tuple[list[Change], dict[int, dt.date]]:
    dates = resolved_dates(changes, dict(registry.milestones))
    return [to_change(c, dates[c.pk]) for c in changes], dates


def change_label(c: PlannedChange, office_names: dict[str, str]) -> str:
    """One line saying what the change does, in the active language."""
    offices = c.office_codes or []

    def names(codes: Iterable[str]) -> str:
        codes = list(codes)
        shown = ", ".join(office_names.get(code, code) for code in codes[:3])
        if len(codes) > 3:
            shown += " " + _("and %(n)s more") % {"n": len(codes) - 3}
        return shown

    agency = c.agency.name if c.agency else ""
    if c.kind == Kind.OPEN_OFFICE:
        return _("Open %(name)s (%(code)s)") % {
            "name": (c.new_office or {}).get("name", ""),
            "code": offices[0] if offices else "",
        }
    if c.kind == Kind.CLOSE_OFFICE:
        return _("Close %(offices)s") % {"offices": names(offices)}
    if c.kind == Kind.ADD_SERVICES:
        return _("Add %(agency)s at %(n)s offices: %(offices)s") % {
            "agency": agency,
            "n": len(offices),
            "offices": names(offices),
        }
    if c.kind == Kind.REMOVE_SERVICES:
        return _("Remove %(agency)s at %(n)s offices: %(offices)s") % {
            "agency": agency,
            "n": len(offices),
            "offices": names(offices),
        }
    if c.kind == Kind.CHANGE_HOURS:
        return _("New opening hours at %(offices)s") % {"offices": names(offices)}
    return _("Move milestone %(name)s") % {"name": c.milestone.name if c.milestone else ""}


def change_details(c: PlannedChange) -> list[tuple[str, str]]:
    """(label, value) of what a change holds beyond its one-line label, as the planner gave it:
    an opening's name, code, municipality, county, point and desks, the weekly hours, the
    milestone, the note (for the confirmation of its removal)."""
    out: list[tuple[str, str]] = []
    if c.kind == Kind.OPEN_OFFICE:
        n = c.new_office or {}
        out += [
            (_("Name"), str(n.get("name", ""))),
            (_("Code"), (c.office_codes or [""])[0]),
            (_("Municipality"), str(n.get("municipality", ""))),
            (_("County"), county_name(str(n.get("county", "")))),
            (_("Position"), f"{n.get('latitude', '')}, {n.get('longitude', '')}"),
            (_("Desks"), str(n.get("counters", ""))),
        ]
    if c.hours:
        out.append((_("Weekly hours"), hours_words(c.hours)))
    if c.milestone is not None:
        out.append((_("Milestone"), c.milestone.name))
    if c.note:
        out.append((_("Note"), c.note))
    return [(label, value) for label, value in out if value]


CONFLICT_TEXTS = {
    "incomplete": gettext_lazy("the change lacks the new office's details"),
    "code_taken": gettext_lazy("an office with the code %(office)s exists already"),
    "unknown_office": gettext_lazy("there is no office %(office)s"),
    "before_opening": gettext_lazy(
        "%(office)s is not open yet on %(date)s: the plan opens it on %(opens)s"
    ),
    "already_closing": gettext_lazy("%(office)s already has a closing day (%(date)s)"),
    "not_operating": gettext_lazy("%(office)s is not operating on %(date)s"),
    "offering_after_closing": gettext_lazy(
        "%(office)s starts offering %(service)s on %(date)s, after it would close"
    ),
    "agency_without_services": gettext_lazy("the agency %(agency)s has no services"),
    "opens_without_services": gettext_lazy(
        "%(office)s would open without any agency's services: an office that offers nothing "
        "takes no visits. Choose at least one agency for the opening, or add an agency's "
        "services from its opening day"
    ),
    "left_without_services": gettext_lazy(
        "%(office)s would offer no agency's services from %(date)s: close the office instead, "
        "or keep an agency there"
    ),
    "already_offered": gettext_lazy(
        "%(office)s already offers %(service)s in that period (from %(date)s)"
    ),
    "offering_after_removal": gettext_lazy(
        "%(office)s starts offering %(service)s on %(date)s, after the removal"
    ),
    "not_offered": gettext_lazy("%(office)s does not offer %(agency)s on that day"),
    "removal_on_first_day": gettext_lazy(
        "%(office)s starts offering %(service)s on %(date)s, the day of the removal; end the "
        "offering in the registry instead"
    ),
    "hours_same_day": gettext_lazy(
        "%(office)s already has an opening-hours period starting on %(date)s"
    ),
    "unknown_milestone": gettext_lazy("there is no milestone %(milestone)s"),
    "in_past": gettext_lazy(
        "it is dated %(date)s, before today (%(today)s): a plan changes the network from today "
        "on; give it a date from today, and record past changes in the registry"
    ),
    "milestone_breaks_office": gettext_lazy(
        "moving the milestone would make %(office)s close before it opens"
    ),
    "milestone_breaks_offering": gettext_lazy(
        "moving the milestone would make an offering of %(service)s at %(office)s end before "
        "it starts"
    ),
}


#: Conflicts whose office or milestone code is itself the subject (it is taken, or names
#: nothing): said as the code; every other conflict names offices, services and agencies.
CODE_IS_SUBJECT = frozenset({"code_taken", "unknown_office", "unknown_milestone"})


@dataclass(frozen=True)
class Names:
    """What the planner reads for a code: offices (the registry's, and those the plan opens),
    agencies and services (by agency and code), in the active language."""

    offices: Mapping[str, str]
    agencies: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[tuple[str, str], str] = field(default_factory=dict)


def plan_office_names(rows: Sequence[PlannedChange], registry: Registry) -> dict[str, str]:
    """Office code -> name as the plan page shows it: an office the plan opens by the name the
    plan gives it (an office already in the registry keeps its own, as applying the plan
    keeps it)."""
    opened = {
        c.office_codes[0]: str((c.new_office or {}).get("name") or c.office_codes[0])
        for c in rows
        if c.kind == Kind.OPEN_OFFICE and c.office_codes
    }
    return opened | {code: o.name for code, o in registry.offices.items()}


def plan_names(rows: Sequence[PlannedChange], registry: Registry) -> Names:
    """`Names` for the conflicts of the plan of ``rows``."""
    return Names(
        offices=plan_office_names(rows, registry),
        agencies={a.code: a.name for a in Agency.objects.all()},
        services={
            (s.agency.code, s.code): s.name for s in Service.objects.select_related("agency")
        },
    )


def _named(x: Conflict, names: Names) -> dict[str, str]:
    params = dict(x.params)
    if x.code in CODE_IS_SUBJECT:
        return params
    agency = params.get("agency", "")
    if "service" in params:
        params["service"] = names.services.get((agency, params["service"]), params["service"])
    if "office" in params:
        params["office"] = names.offices.get(params["office"], params["office"])
    if "agency" in params:
        params["agency"] = names.agencies.get(agency, agency)
    return params


def conflict_messages(
    conflicts: Sequence[Conflict], changes: Sequence[PlannedChange], names: Names
) -> list[str]:
    """One sentence per conflict, naming the change by its position and offices, services and
    agencies by their names (`CODE_IS_SUBJECT`: by the code)."""
    position = {c.pk: c.position for c in changes}
    return [
        _("Change %(n)s: %(why)s.")
        % {"n": position.get(x.key, "?"), "why": str(CONFLICT_TEXTS[x.code]) % _named(x, names)}
        for x in conflicts
    ]


# --- evaluation ----------------------------------------------------------------------------


@dataclass
class ChangeView:
    change: PlannedChange
    day: dt.date
    label: str
    follows: str
    followers: list[int] = field(default_factory=list)


@dataclass
class StepRow:
    day: dt.date
    changes: list[ChangeView]
    effect: effects.StepEffect
    bookings: dict[str, int]
    baseline: bool = False
    # the network on the same day with the plan's earlier changes only: the step's effect
    # is ``effect`` minus this (None for the baseline row)
    before: effects.StepEffect | None = None

    @property
    def bookings_total(self) -> int:
        return sum(self.bookings.values())


@dataclass
class Evaluation:
    plan: ChangePlan
    changes: list[ChangeView]
    steps: list[StepRow]
    conflicts: list[str]
    agencies: dict[int, Agency]
    office_names: dict[str, str]
    office_counties: dict[str, str]
    statistics_period: tuple[dt.date, dt.date]
    statistics_visits: float
    reference_month: dt.date | None
    staff_rate: tuple[str, int] | None
    assumptions: list[tuple[str, str]]
    # the reference month's pools as entered, öre (total, of which staff pools): the cost
    # billed, shown beside the modelled first row (walk F12: "before the plan" read as today's
    # cost, 38 % below it)
    reference_cost: tuple[int, int] | None = None

    def cost_note(self) -> str:
        """One sentence that says the cost figures are modelled and sets the first row beside
        the reference month's pools as entered ("" without pools)."""
        if self.reference_month is None or self.reference_cost is None or not self.steps:
            return ""
        base = self.steps[0].effect.costs
        total, staff = self.reference_cost
        return _(
            "The cost is modelled, not the cost billed: its staff is the staff needed (the "
            "dimensioning) × the hourly cost, not the staff pools entered. Before the plan the "
            "model gives %(model)s kr a month, of which staff %(model_staff)s kr; the pools of "
            "%(month)s as entered are %(pools)s kr, of which staff pools %(pools_staff)s kr. "
            "Compare the steps with the first row, not with the pools."
        ) % {
            "model": _grouped(base.total_ore),
            "model_staff": _grouped(base.staff_ore),
            "month": self.reference_month.strftime("%Y-%m"),
            "pools": _grouped(total),
            "pools_staff": _grouped(staff),
        }

    @property
    def day_axis(self) -> list[dt.date]:
        return [s.day for s in self.steps]


def _grouped(ore: int) -> str:
    """Whole kronor grouped in thousands as the tables show them (`plan_cells.figure`)."""
    return str(count(int(rounded(ore / 100))))


def statistics_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 whole months before the current one."""
    first_this = today.replace(day=1)
    start = first_this.replace(year=first_this.year - 1)
    return start, first_this - dt.timedelta(days=1)


def visits_a_year(*, today: dt.date, codes: Iterable[str]) -> tuple[dict[str, float], int]:
    """Visits a year per office of ``codes`` in the statistics period (the 12 whole months
    before this one, as a plan's evaluation reads them; a shorter history scaled to a year,
    ASSUMPTION "rate") and the months of history counted (0: no statistics at all, the
    figures are then 0 and say nothing)."""
    start, end = statistics_period(today)
    by_code = dict(Office.objects.filter(code__in=list(codes)).values_list("pk", "code"))
    out = dict.fromkeys(by_code.values(), 0.0)
    everything = report_queries.agency_usage(start=start, end=end)
    if not everything:
        return out, 0
    first = min(u.month for u in everything)
    months = (end.year - first.year) * 12 + end.month - first.month + 1
    for u in everything:
        if u.office_id in by_code:
            out[by_code[u.office_id]] += u.visits * 12 / months
    return out, months


def baseline_inputs(
    *, today: dt.date, agencies: Sequence[Agency]
) -> tuple[effects.Baseline, float]:
    """The statistics the evaluation rests on, and the visits they count."""
    start, end = statistics_period(today)
    codes = dict(Office.objects.values_list("pk", "code"))
    visits: dict[tuple[str, int], float] = defaultdict(float)
    seconds: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    usage = report_queries.agency_usage(start=start, end=end)
    # A year of visits from a shorter history: × 12 / the months from the first month with
    # any visit to the end of the period (ASSUMPTION "rate": the months are typical).
    first = min((u.month for u in usage), default=start)
    months = (end.year - first.year) * 12 + end.month - first.month + 1
    to_year = 12 / months
    for u in usage:
        visits[(codes[u.office_id], u.agency_id)] += u.visits * to_year
        seconds[u.agency_id][0] += u.handled_seconds
        seconds[u.agency_id][1] += u.visits
    per_visit = {}
    handling = defaultdict(list)
    for agency_id, minutes in Service.objects.values_list("agency_id", "handling_minutes"):
        handling[agency_id].append(minutes)
    for a in agencies:
        s, v = seconds.get(a.pk, (0.0, 0.0))
        if v > 0 and s > 0:
            per_visit[a.pk] = s / v
        elif handling.get(a.pk):
            per_visit[a.pk] = 60.0 * sum(handling[a.pk]) / len(handling[a.pk])
        else:
            per_visit[a.pk] = DEFAULT_SECONDS_PER_VISIT
    profile = {
        (weekday - 1, hour): float(n)
        for (weekday, hour), n in report_queries.busiest_hours(
            scope=EVERYTHING, start=start, end=end
        ).items()
    }
    return (
        effects.Baseline(
            visits=dict(visits),
            seconds_per_visit=per_visit,
            hour_profile=profile,
            default_rate=DEFAULT_VISITS_PER_RESIDENT,
        ),
        float(sum(visits.values())),
    )


def staff_rate(*, today: dt.date) -> tuple[str, int] | None:
    """(role, öre per hour) of the hourly cost used for staff: the service officers' if
    entered, else the only role that has one; None when there is none to choose."""
    rates: dict[str, int] = {}
    for role, ore in (
        HourlyRate.objects.filter(valid_from__lte=today)
        .order_by("role", "-valid_from")
        .values_list("role", "ore_per_hour")
    ):
        rates.setdefault(role, ore)
    if Role.SERVICE_OFFICER.value in rates:
        return Role.SERVICE_OFFICER.value, rates[Role.SERVICE_OFFICER.value]
    if len(rates) == 1:
        return next(iter(rates.items()))
    return None


def cost_inputs(*, today: dt.date, rate: tuple[str, int] | None) -> effects.CostInputs:
    """The latest month with cost pools: its non-staff office pools per office code, its
    network pools (office shares by office code); staff pools are replaced by the plan's."""
    month = (
        CostPool.objects.filter(month__lte=today).order_by("-month").values_list("month", flat=True)
    ).first()
    if month is None:
        return effects.CostInputs({}, (), rate[1] if rate else None, None)
    codes = dict(Office.objects.values_list("pk", "code"))
    categories = dict(CostPool.objects.filter(month=month).values_list("pk", "category"))
    office_pools: dict[str, list[effects.PoolTemplate]] = defaultdict(list)
    network: list[effects.NetworkPool] = []
    total = staff = 0
    for p in pools_for_allocation(month=month):
        category = categories[p.key]
        total += p.amount_ore
        if category == Category.STAFF:
            staff += p.amount_ore
        if p.office is not None:
            if category == Category.STAFF:
                continue
            office_pools[codes[p.office]].append(
                effects.PoolTemplate(
                    key=str(p.key),
                    category=category,
                    amount_ore=p.amount_ore,
                    parts=p.parts,
                    fixed_shares=p.fixed_shares,
                )
            )
        else:
            network.append(
                effects.NetworkPool(
                    replace(p, office_shares={}),
                    {codes[o]: w for o, w in p.office_shares.items()},
                )
            )
    return effects.CostInputs(
        {k: tuple(v) for k, v in office_pools.items()},
        tuple(network),
        rate[1] if rate else None,
        month,
        reference_total_ore=total,
        reference_staff_ore=staff,
    )


@cache
def demand() -> effects.Demand:
    localities = load_localities()
    return effects.Demand(
        population=np.array([loc.population for loc in localities], dtype=np.float64),
        counties=tuple(loc.county for loc in localities),
        latitude=np.array([loc.latitude for loc in localities], dtype=np.float64),
        longitude=np.array([loc.longitude for loc in localities], dtype=np.float64),
    )


def bookings_from(today: dt.date) -> list[effects.BookingFact]:
    return [
        effects.BookingFact(office, agency, day, starts.astimezone(clock.STOCKHOLM).time())
        for office, agency, day, starts in Booking.objects.filter(
            day__gte=today, status__in=HOLDS_CAPACITY
        ).values_list("office__code", "service__agency__code", "day", "starts_at")
    ]


def step_days(changes: Sequence[Change], before: Registry, after: Registry) -> list[dt.date]:
    """The dates where the plan changes the network: each change's date, and the old date of
    a milestone the plan moves (something happened then without the plan)."""
    days = {c.day for c in changes}
    for code, day in after.milestones.items():
        if before.milestones.get(code) != day and code in before.milestones:
            days.add(before.milestones[code])
    return sorted(days)


def plan_step_days(plan: ChangePlan) -> list[dt.date]:
    """The step dates of ``plan`` (`step_days`), without evaluating it."""
    registry = registry_state()
    changes, _dates = pure_changes(plan_changes(plan), registry)
    changes = [c for c in changes if not in_past(c, registry.milestones, clock.local_today())]
    return step_days(changes, registry, apply_plan(registry, changes)[0])


def evaluate_plan(
    plan: ChangePlan, *, incremental: bool = True, extra_days: Sequence[dt.date] = ()
) -> Evaluation:
    """Every step of ``plan`` on the shared date axis: the baseline (the day before the
    first step, registry as it is) then each step's date, where the step's figures are the
    network with the plan's changes up to that date and its ``before`` the network on the
    same date with the plan's earlier changes only (`registry_state.step_networks`): the
    difference is the step's own, not the registry's changes between steps (module
    docstring for the inputs). ``extra_days``: more dates to show (without changes: another
    plan's steps, to compare on the same dates). Changes dated before today are conflicts
    and left out. Conflicts with the current registry are listed, not raised. Raises
    PlanDatesError (400) when the dates cannot be resolved."""
    today = clock.local_today()
    registry = registry_state()
    rows = plan_changes(plan)
    changes, dates = pure_changes(rows, registry)
    after, conflicts = apply_plan(registry, changes, today=today)
    changes = [c for c in changes if not in_past(c, registry.milestones, today)]
    agencies = {a.pk: a for a in Agency.objects.order_by("name_sv")}
    names = plan_names(rows, registry)
    office_names = {c: o.name for c, o in after.offices.items()}
    office_counties = {c: o.county for c, o in after.offices.items()}
    views = [
        ChangeView(
            change=c,
            day=dates[c.pk],
            label=change_label(c, office_names),
            follows=follows_text(c, rows),
            followers=followers(rows, c),
        )
        for c in rows
    ]
    days = sorted(set(step_days(changes, registry, after)) | {d for d in extra_days if d >= today})
    base_day = (days[0] - dt.timedelta(days=1)) if days else today
    baseline, counted = baseline_inputs(today=today, agencies=list(agencies.values()))
    rate = staff_rate(today=today)
    cost = cost_inputs(today=today, rate=rate)
    step_inputs: dict[str, Any] = {
        "registry": registry,
        "changes": changes,
        "days": days,
        "base_day": base_day,
        # the statistics count the visits of the network as it was in their period
        "rate_network": network_on(registry, statistics_period(today)[1]),
        "demand": demand(),
        "baseline": baseline,
        "agency_codes": {a.pk: a.code for a in agencies.values()},
        "staff": effects.StaffPolicy(
            policy=DEFAULT_POLICY,
            targets={
                a.pk: (float(a.service_level_share), a.service_level_minutes)
                for a in agencies.values()
            },
        ),
        "cost": cost,
        "existing": set(registry.offices),
        "incremental": incremental,
    }
    # A pure function of these: the page, its print, its exports and the comparison are
    # opened many times on the same plan and the same statistics, so the evaluation is
    # remembered by its inputs (`core.memo`; any change of the registry, the plan, the
    # statistics or the pools is another key).
    result = memo.remembered(
        "changeplans.plan_steps.1",
        step_inputs,
        lambda: effects.evaluate_plan_steps(**step_inputs),
    )
    booked = effects.bookings_affected(bookings_from(today), registry, after, days)
    steps = [StepRow(base_day, [], result.baseline, {}, baseline=True)]
    for d, (without, with_step) in zip(days, result.steps, strict=True):
        steps.append(
            StepRow(
                d, [v for v in views if v.day == d], with_step, booked.get(d, {}), before=without
            )
        )
    return Evaluation(
        plan=plan,
        changes=views,
        steps=steps,
        conflicts=conflict_messages(conflicts, rows, names),
        agencies=agencies,
        office_names=office_names,
        office_counties=office_counties,
        statistics_period=statistics_period(today),
        statistics_visits=counted,
        reference_month=cost.reference_month,
        reference_cost=(cost.reference_total_ore, cost.reference_staff_ore)
        if cost.reference_month is not None
        else None,
        staff_rate=rate,
        assumptions=[(code, str(ASSUMPTION_TEXTS[code])) for code in effects.ASSUMPTIONS],
    )


def adopted_versions(plan: ChangePlan) -> list[ChangePlan]:
    """The other versions of ``plan``'s name that have been adopted, the latest first."""
    return list(
        ChangePlan.objects.filter(name=plan.name, status=PlanStatus.ADOPTED)
        .exclude(pk=plan.pk)
        .order_by("-adopted_at")
    )


def superseded_by(
    plan: ChangePlan, adopted: Sequence[ChangePlan] | None = None
) -> ChangePlan | None:
    """The version of ``plan``'s name adopted after this draft was made, if any: the draft was
    an alternative to it (or older), so it may no longer be adopted; a version made after the
    adoption (to change the network further) may. ``adopted``: `adopted_versions`, if read."""
    if not plan.is_draft:
        return None
    versions = adopted_versions(plan) if adopted is None else adopted
    return next(
        (v for v in versions if v.adopted_at is not None and v.adopted_at > plan.created_at),
        None,
    )


def adopted_note(version: ChangePlan) -> str:
    """ "Version 2 was adopted on 2026-12-02." (the local day)."""
    assert version.adopted_at is not None
    return _("Version %(n)s was adopted on %(date)s.") % {
        "n": version.version,
        "date": clock.local_date_of(version.adopted_at).isoformat(),
    }


def follows_text(c: PlannedChange, rows: Sequence[PlannedChange]) -> str:
    if c.after_change_id is not None:
        position = next((r.position for r in rows if r.pk == c.after_change_id), "?")
        return _("%(days)+d days after change %(n)s") % {"days": c.offset_days, "n": position}
    if c.after_milestone is not None:
        return _("%(days)+d days after milestone %(name)s") % {
            "days": c.offset_days,
            "name": c.after_milestone.name,
        }
    return ""
