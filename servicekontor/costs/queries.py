"""Reads of costs: pools as allocation input, settled lines per agency, scoped by who asks.

Scoping lives here, not in templates: every report function takes `agency_ids`, the set the
caller may see (`visible_agency_ids(user)`); an agency analyst gets only their own agency's
lines, quantities and usage — never totals that would reveal the others.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from servicekontor.accounts.models import Role, User
from servicekontor.accounts.permissions import is_network_admin, may_see_agency_data
from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.core.collation import swedish_key
from servicekontor.costs import allocation, staff_need
from servicekontor.costs.models import (
    Correction,
    CostPool,
    DriverChoice,
    HourlyRate,
    LineKind,
    PoolOfficeShare,
    PoolShare,
    Settlement,
    SettlementLine,
    SettlementServiceUsage,
    SettlementUsage,
    role_label,
)
from servicekontor.costs.periods import has_ended, next_month
from servicekontor.costs.usage import month_usage
from servicekontor.network.models import Office
from servicekontor.staffing import dimensioning
from servicekontor.staffing import queries as staffing_queries

M = TypeVar("M", bound=Model)


def pools_for_allocation(*, month: dt.date) -> list[allocation.Pool]:
    """The month's pools as `allocation.Pool`, ordered by id (the pool key is its id).

    Reads plain values (three queries, no model instances): a settlement of the whole network
    reads a few hundred pools and thousands of shares."""
    shares: dict[int, dict[int, int]] = defaultdict(dict)
    for pool_id, agency_id, weight in PoolShare.objects.filter(pool__month=month).values_list(
        "pool_id", "agency_id", "weight"
    ):
        shares[pool_id][agency_id] = weight
    office_shares: dict[int, dict[int, int]] = defaultdict(dict)
    for pool_id, office_id, weight in PoolOfficeShare.objects.filter(pool__month=month).values_list(
        "pool_id", "office_id", "weight"
    ):
        office_shares[pool_id][office_id] = weight
    out = []
    for row in (
        CostPool.objects.filter(month=month)
        .order_by("pk")
        .values(
            "pk",
            "office_id",
            "amount_ore",
            "driver",
            "minutes_weight",
            "visits_weight",
            "fixed_weight",
            "office_driver",
        )
    ):
        out.append(
            allocation.Pool(
                key=row["pk"],
                office=row["office_id"],
                amount_ore=row["amount_ore"],
                parts=_parts(
                    row["driver"], row["minutes_weight"], row["visits_weight"], row["fixed_weight"]
                ),
                fixed_shares=shares.get(row["pk"], {}),
                office_driver=allocation.Driver(row["office_driver"]),
                office_shares=office_shares.get(row["pk"], {}),
            )
        )
    return out


def _parts(driver: str, minutes: int, visits: int, fixed: int) -> tuple[allocation.Part, ...]:
    if driver == DriverChoice.MIX:
        return tuple(
            allocation.Part(d, w)
            for d, w in (
                (allocation.Driver.MINUTES, minutes),
                (allocation.Driver.VISITS, visits),
                (allocation.Driver.FIXED, fixed),
            )
            if w > 0
        )
    return (allocation.Part(allocation.Driver(driver)),)


def to_allocation_pool(pool: CostPool) -> allocation.Pool:
    """One CostPool (with `shares` and `office_shares` loaded) as plain data."""
    return allocation.Pool(
        key=pool.pk,
        office=pool.office_id,
        amount_ore=pool.amount_ore,
        parts=_parts(pool.driver, pool.minutes_weight, pool.visits_weight, pool.fixed_weight),
        fixed_shares={s.agency_id: s.weight for s in pool.shares.all()},
        office_driver=allocation.Driver(pool.office_driver),
        office_shares={s.office_id: s.weight for s in pool.office_shares.all()},
    )


# --- who sees what ----------------------------------------------------------------------


def may_see_costs(user: User) -> bool:
    """Network administrators see every agency; an agency analyst their own agency."""
    return may_see_agency_data(user)


def visible_agency_ids(user: User) -> set[int] | None:
    """None: all agencies (network administrators); else the ids the user may see."""
    if is_network_admin(user):
        return None
    if may_see_costs(user):
        assert user.analyst_agency_id is not None
        return {user.analyst_agency_id}
    return set()


def _scope(
    qs: QuerySet[M], agency_ids: set[int] | None, field_name: str = "agency_id"
) -> QuerySet[M]:
    if agency_ids is None:
        return qs
    return qs.filter(**{f"{field_name}__in": agency_ids})


def visible_agencies(agency_ids: set[int] | None) -> list[Agency]:
    return list(_scope(Agency.objects.all(), agency_ids, "pk").order_by("name_sv"))


def settlers() -> list[User]:
    """Who can settle a month: the active network administrators, for the pages that say a
    month is not settled yet (walk F14: "an administrator" without a name)."""
    return list(
        User.objects.filter(is_active=True, role=Role.NETWORK_ADMIN).order_by(
            "last_name", "first_name", "username"
        )
    )


def default_report_month(today: dt.date) -> dt.date:
    """The month a report shows when none is asked for: the last settled month, or, with
    none settled, the month before `today`'s (the last whole month)."""
    last = Settlement.objects.order_by("-month").values_list("month", flat=True).first()
    return (
        last if last is not None else (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    )


def settlements(*, year: int | None = None) -> list[Settlement]:
    qs = Settlement.objects.select_related("settled_by")
    if year is not None:
        qs = qs.filter(month__year=year)
    return list(qs)


# --- the agency report ----------------------------------------------------------------


@dataclass
class ReportRow:
    """An agency's cost at an office (or a pool line) with the quantities behind it.

    Money in öre. `visits` and `handled_seconds` are the agency's use at the office in the
    period (the settlement's frozen usage); cost per visit / per minute divide by them.
    """

    agency_id: int
    office_id: int
    allocated_ore: int = 0
    adjustments_ore: int = 0
    visits: int = 0
    handled_seconds: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    month: dt.date | None = None  # set on the per-month rows (office_id 0 there)

    @property
    def total_ore(self) -> int:
        return self.allocated_ore + self.adjustments_ore

    @property
    def handled_minutes(self) -> Fraction:
        return Fraction(self.handled_seconds, 60)

    @property
    def ore_per_visit(self) -> Fraction | None:
        return Fraction(self.total_ore, self.visits) if self.visits else None

    @property
    def ore_per_minute(self) -> Fraction | None:
        return Fraction(self.total_ore * 60, self.handled_seconds) if self.handled_seconds else None


@dataclass
class ServiceRow:
    """An agency's cost for one service over the period (all offices), with its use.

    `service_id` None: cost at offices where the agency had no handled time that month (e.g.
    a fixed share), which no service can carry."""

    agency_id: int
    service_id: int | None
    cost_ore: int = 0
    errands: int = 0
    handled_seconds: int = 0

    @property
    def ore_per_errand(self) -> Fraction | None:
        return Fraction(self.cost_ore, self.errands) if self.errands else None

    @property
    def ore_per_minute(self) -> Fraction | None:
        return Fraction(self.cost_ore * 60, self.handled_seconds) if self.handled_seconds else None


def split_by_service(
    totals: dict[tuple[dt.date, int, int], int],
    seconds: dict[tuple[dt.date, int, int], dict[int, int]],
) -> dict[tuple[int, int | None], int]:
    """(month, agency, office) → öre split over that month's services at the office by handled
    seconds (largest remainder); → (agency, service) → öre. Every öre lands once: a total
    without seconds goes to (agency, None)."""
    out: dict[tuple[int, int | None], int] = defaultdict(int)
    for (month, agency, office), total in totals.items():
        by_service = seconds.get((month, agency, office), {})
        if not by_service or sum(by_service.values()) == 0:
            out[(agency, None)] += total
            continue
        for service, ore in allocation.largest_remainder(total, by_service).items():
            out[(agency, service)] += ore
    return dict(out)


@dataclass
class AgencyReport:
    """Settled costs of the visible agencies over settled months in [start, end]."""

    start: dt.date
    end: dt.date
    months: list[dt.date]
    rows: list[ReportRow]  # per agency × office, ordered by agency, office name
    lines: list[SettlementLine]  # every line, for the controller to recompute
    offices: dict[int, Office]
    agencies: dict[int, Agency]
    services: list[ServiceRow] = field(default_factory=list)  # by agency, service name
    by_month: list[ReportRow] = field(default_factory=list)  # by agency, month
    service_objects: dict[int, Service] = field(default_factory=dict)

    def totals_by_agency(self) -> dict[int, ReportRow]:
        out: dict[int, ReportRow] = {}
        for r in self.rows:
            t = out.setdefault(r.agency_id, ReportRow(agency_id=r.agency_id, office_id=0))
            t.allocated_ore += r.allocated_ore
            t.adjustments_ore += r.adjustments_ore
            t.visits += r.visits
            t.handled_seconds += r.handled_seconds
            for c, v in r.by_category.items():
                t.by_category[c] = t.by_category.get(c, 0) + v
        return out

    @property
    def total_ore(self) -> int:
        return sum(r.total_ore for r in self.rows)


def agency_report(*, start: dt.date, end: dt.date, agency_ids: set[int] | None) -> AgencyReport:
    """The settled lines (allocations and adjustments) of months start…end (first days,
    inclusive) for `agency_ids` (None: all), aggregated per agency × office, with the frozen
    usage next to the money."""
    month_q = Q(month__gte=start, month__lte=end, settlement__isnull=False)
    lines = list(
        _scope(SettlementLine.objects.filter(month_q), agency_ids)
        .select_related("correction", "pool")
        .order_by(
            "month", "agency_id", "office_id", "pool_id", "driver", "pk"
        )  # a total order: pages
    )
    usage = _scope(
        SettlementUsage.objects.filter(settlement__month__gte=start, settlement__month__lte=end),
        agency_ids,
    )
    rows: dict[tuple[int, int], ReportRow] = {}

    def row(agency: int, office: int) -> ReportRow:
        return rows.setdefault((agency, office), ReportRow(agency_id=agency, office_id=office))

    per_month: dict[tuple[int, dt.date], ReportRow] = {}

    def month_row(agency: int, month: dt.date) -> ReportRow:
        return per_month.setdefault(
            (agency, month), ReportRow(agency_id=agency, office_id=0, month=month)
        )

    for ln in lines:
        for r in (row(ln.agency_id, ln.office_id), month_row(ln.agency_id, ln.month)):
            if ln.kind == LineKind.ADJUSTMENT:
                r.adjustments_ore += ln.amount_ore
            else:
                r.allocated_ore += ln.amount_ore
                r.by_category[ln.category] = r.by_category.get(ln.category, 0) + ln.amount_ore
    for month, agency, office, visits, handled in usage.values_list(
        "settlement__month", "agency_id", "office_id", "visits", "handled_seconds"
    ):
        for r in (row(agency, office), month_row(agency, month)):
            r.visits += visits
            r.handled_seconds += handled
    offices = Office.objects.in_bulk(
        {o for _, o in rows} | {ln.pool.office_id for ln in lines if ln.pool.office_id}
    )
    agencies = Agency.objects.in_bulk({a for a, _ in rows})
    ordered = sorted(
        rows.values(),
        key=lambda r: (agencies[r.agency_id].name_sv, offices[r.office_id].name),
    )
    months = list(
        Settlement.objects.filter(month__gte=start, month__lte=end)
        .order_by("month")
        .values_list("month", flat=True)
    )
    totals: dict[tuple[dt.date, int, int], int] = defaultdict(int)
    for ln in lines:
        totals[(ln.month, ln.agency_id, ln.office_id)] += ln.amount_ore
    seconds: dict[tuple[dt.date, int, int], dict[int, int]] = defaultdict(dict)
    service_rows: dict[tuple[int, int | None], ServiceRow] = {}
    for su in _scope(
        SettlementServiceUsage.objects.filter(
            settlement__month__gte=start, settlement__month__lte=end
        ),
        agency_ids,
    ).values_list(
        "settlement__month", "agency_id", "office_id", "service_id", "errands", "handled_seconds"
    ):
        month, agency, office, service, errands, secs = su
        seconds[(month, agency, office)][service] = secs
        row_s = service_rows.setdefault(
            (agency, service), ServiceRow(agency_id=agency, service_id=service)
        )
        row_s.errands += errands
        row_s.handled_seconds += secs
    for (agency_id, service_id), ore in split_by_service(totals, seconds).items():
        service_rows.setdefault(
            (agency_id, service_id), ServiceRow(agency_id=agency_id, service_id=service_id)
        ).cost_ore += ore
    service_objects = Service.objects.in_bulk({s for _, s in service_rows if s is not None})
    services = sorted(
        service_rows.values(),
        key=lambda r: (
            agencies[r.agency_id].name_sv if r.agency_id in agencies else "",
            r.service_id is None,
            service_objects[r.service_id].name_sv if r.service_id else "",
        ),
    )
    return AgencyReport(
        start=start,
        end=end,
        months=months,
        rows=ordered,
        lines=lines,
        offices=offices,
        agencies=agencies,
        services=services,
        service_objects=service_objects,
        by_month=sorted(
            per_month.values(), key=lambda r: (agencies[r.agency_id].name_sv, r.month or start)
        ),
    )


def corrections_for(
    *, agency_ids: set[int] | None, start: dt.date, end: dt.date
) -> list[Correction]:
    """Corrections with lines of the visible agencies booked into start…end: who, why, when."""
    qs = Correction.objects.filter(booked_into__gte=start, booked_into__lte=end)
    if agency_ids is not None:
        qs = qs.filter(lines__agency_id__in=agency_ids).distinct()
    return list(
        qs.select_related("created_by").prefetch_related(
            Prefetch("lines", queryset=_scope(SettlementLine.objects.all(), agency_ids))
        )
    )


def _pending_adjustments(month: dt.date | None = None) -> QuerySet[SettlementLine]:
    qs = SettlementLine.objects.filter(kind=LineKind.ADJUSTMENT, settlement__isnull=True)
    return qs if month is None else qs.filter(month=month)


def has_something_to_settle(month: dt.date) -> bool:
    """Cost pools, or adjustments a correction booked into the month."""
    return CostPool.objects.filter(month=month).exists() or _pending_adjustments(month).exists()


def months_to_settle(
    *, today: dt.date, start: dt.date | None = None, end: dt.date | None = None
) -> list[dt.date]:
    """The months that can be settled and are not: over on `today` (`periods.has_ended`),
    with something to settle (`has_something_to_settle`), optionally within start…end (first
    days). The same rule as `services.check_settleable`: the running month and later ones
    are never listed, nor months without pools."""
    settled = set(Settlement.objects.values_list("month", flat=True))
    candidates = set(CostPool.objects.values_list("month", flat=True)) | set(
        _pending_adjustments().values_list("month", flat=True)
    )
    return sorted(
        m
        for m in candidates
        if m not in settled
        and has_ended(m, today=today)
        and (start is None or m >= start)
        and (end is None or m <= end)
    )


def pool_months() -> Iterable[dt.date]:
    return CostPool.objects.dates("month", "month")


# --- drivers side by side, what-if ------------------------------------------------------


def usage_for_month(*, month: dt.date) -> list[allocation.Usage]:
    """The usage a month is (or would be) settled by: the frozen figures of a settled month,
    else the statistics' current figures (`costs.usage.month_usage`)."""
    settlement = Settlement.objects.filter(month=month).first()
    if settlement is not None:
        return [
            allocation.Usage(u.office_id, u.agency_id, u.visits, u.handled_seconds)
            for u in settlement.usage.all()
        ]
    return month_usage(month=month)


CONFIGURED = "configured"  # each pool's own driver


def pools_under(month: dt.date, driver: str) -> list[allocation.Pool]:
    """The month's pools under `driver` ("configured": as entered; else one Driver for all)."""
    pools = pools_for_allocation(month=month)
    if driver == CONFIGURED:
        return pools
    return allocation.with_driver(pools, allocation.Driver(driver))


@dataclass
class AgencyOutcome:
    """One agency under two allocations: money (öre) and use; `b` minus `a` is the difference."""

    agency: Agency
    a_ore: int
    b_ore: int
    a_visits: int
    b_visits: int
    a_seconds: int
    b_seconds: int
    total_a_ore: int
    total_b_ore: int

    @property
    def difference_ore(self) -> int:
        return self.b_ore - self.a_ore

    @property
    def a_share(self) -> Fraction | None:
        return Fraction(self.a_ore, self.total_a_ore) if self.total_a_ore else None

    @property
    def b_share(self) -> Fraction | None:
        return Fraction(self.b_ore, self.total_b_ore) if self.total_b_ore else None

    @property
    def a_per_visit(self) -> Fraction | None:
        return Fraction(self.a_ore, self.a_visits) if self.a_visits else None

    @property
    def b_per_visit(self) -> Fraction | None:
        return Fraction(self.b_ore, self.b_visits) if self.b_visits else None


def _outcomes(
    a_lines: list[allocation.Line],
    b_lines: list[allocation.Line],
    a_usage: list[allocation.Usage],
    b_usage: list[allocation.Usage],
    agency_ids: set[int] | None,
) -> list[AgencyOutcome]:
    ta, tb = allocation.totals_by_agency(a_lines), allocation.totals_by_agency(b_lines)
    use: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for tag, rows in (("a", a_usage), ("b", b_usage)):
        for u in rows:
            use[(tag, u.agency)][0] += u.visits
            use[(tag, u.agency)][1] += u.handled_seconds
    ids = set(ta) | set(tb) | {a for _, a in use}
    if agency_ids is not None:
        ids &= agency_ids
    agencies = Agency.objects.in_bulk(ids)
    total_a, total_b = sum(ta.values()), sum(tb.values())
    return sorted(
        (
            AgencyOutcome(
                agency=agencies[i],
                a_ore=ta.get(i, 0),
                b_ore=tb.get(i, 0),
                a_visits=use[("a", i)][0],
                b_visits=use[("b", i)][0],
                a_seconds=use[("a", i)][1],
                b_seconds=use[("b", i)][1],
                total_a_ore=total_a,
                total_b_ore=total_b,
            )
            for i in ids
        ),
        key=lambda o: o.agency.name_sv,
    )


def compare_drivers(
    *, month: dt.date, a: str, b: str, agency_ids: set[int] | None
) -> list[AgencyOutcome]:
    """Each visible agency's share of `month` under driver `a` and driver `b`.

    Raises allocation.AllocationError when a driver cannot share some pool that month."""
    usage = usage_for_month(month=month)
    return _outcomes(
        allocation.allocate(pools_under(month, a), usage),
        allocation.allocate(pools_under(month, b), usage),
        usage,
        usage,
        agency_ids,
    )


#: The role whose hours the staffing plan counts (officers at the desks).
WHAT_IF_ROLE = Role.SERVICE_OFFICER


def rate_in_force(*, role: str, day: dt.date) -> HourlyRate | None:
    """The hourly cost of `role` in force on `day` (the latest from that day or earlier)."""
    return HourlyRate.objects.filter(role=role, valid_from__lte=day).order_by("-valid_from").first()


def staff_needs(
    *, month: dt.date, change: allocation.Change
) -> tuple[list[staff_need.OfficeNeed], list[Office]]:
    """The staffing plan's officer hours and FTE at the change's offices in `month`, as they
    are and with the change in force the whole month; and the offices without the history a
    plan needs (no figures for them).

    Joining: the agency's stated visits a month at each office with its stated minutes per
    visit (`staffing.queries.AddedVolume`); leaving: its demand there dropped. The history is
    the statistics up to the month's end, or up to today for the current month."""
    history_before = min(clock.local_today(), next_month(month))
    what = (
        staffing_queries.WhatIf(remove_agency_ids=(change.agency,))
        if change.leave
        else staffing_queries.WhatIf(
            added_volumes=(
                staffing_queries.AddedVolume(
                    agency=change.agency,
                    visits_per_month=float(change.visits),
                    service_minutes=float(change.minutes_per_visit),
                ),
            )
        )
    )
    plans = [
        staffing_queries.network_plan(
            year=month.year,
            office_ids=change.offices,
            months=[month.month],
            history_before=history_before,
            what_if=w,
        )
        for w in (staffing_queries.NO_CHANGE, what)
    ]
    today = {r.office.pk: r for r in plans[0].rows}
    with_change = {r.office.pk: r for r in plans[1].rows}
    needs = [
        staff_need.OfficeNeed(
            office=office,
            hours_today=today[office].hours_needed,
            hours_with_change=with_change[office].hours_needed,
            working_days=dimensioning.working_days_in_month(month.year, month.month),
            beyond_desks_with_change=with_change[office].beyond_desks,
        )
        for office in sorted(today)
        if office in with_change
    ]
    return needs, sorted(plans[0].skipped, key=lambda o: swedish_key(o.name))


@dataclass
class WhatIfResult:
    """The what-if: every agency's outcome, and the staff part.

    `staff` is None when no office could be planned or no hourly cost is in force; `missing`
    then says why (a message for the person). With `staff_in_costs`, each office's staff cost
    difference was added to the month's costs there as a pool shared by handled minutes, so
    the b column's total is the pools' total plus the staff difference."""

    outcomes: list[AgencyOutcome]
    staff: staff_need.StaffCost | None
    offices: dict[int, Office]
    skipped: list[Office]
    role: str
    rate: HourlyRate | None
    staff_in_costs: bool
    missing: str = ""
    #: offices where, with the change, the target needs more officers at the desks at once
    #: than the office has desks: the staff figures there are not a plan that can be worked
    beyond_desks: list[Office] = field(default_factory=list)
    #: the month asked for; the month whose use (and whose pools) the shares are computed
    #: with: another for a month not begun (`what_if_usage_month`)
    month: dt.date | None = None
    usage_month: dt.date | None = None
    pools_month: dt.date | None = None

    @property
    def role_label(self) -> str:
        return str(role_label(self.role))

    @property
    def usage_note(self) -> str:
        """ "" when the month's own use was read; else what was read instead, and why."""
        if self.month is None or self.usage_month in (None, self.month):
            return ""
        words = {
            "month": f"{self.month:%Y-%m}",
            "usage": f"{self.usage_month:%Y-%m}",
        }
        if self.pools_month == self.month:
            return str(
                _(
                    "%(month)s has not begun: it has no use yet. The shares are computed with "
                    "the use of %(usage)s, the latest complete month, and the cost pools of "
                    "%(month)s."
                )
                % words
            )
        return str(
            _(
                "%(month)s has not begun: it has no use and no cost pools yet. The shares are "
                "computed with the use and the cost pools of %(usage)s, the latest complete "
                "month."
            )
            % words
        )


STAFF_POOL_KEY = "staff-what-if"


def what_if(
    *,
    month: dt.date,
    change: allocation.Change,
    with_staff: bool = True,
    staff_in_costs: bool = True,
) -> WhatIfResult:
    """Every agency's share and cost per visit of `month` as it is (a) and with `change` (b),
    and the staff needed at the change's offices with its cost (`staff_needs` × the hourly
    cost of a service officer in force on the month's first day, `staff_need.price`).

    Assumptions (stated on the page): the month's pools stay as they are, except that with
    `staff_in_costs` each office's staff cost difference is added there as a pool shared by
    handled minutes; the staff need is the staffing plan's (docs/staffing.md).

    A month that has not begun has no use yet (its shares would all be zero): the use is then
    the latest complete month's (`usage_month`), and so are the pools unless the month has
    pools of its own (`pools_month`); the page, the files and the API say so.

    Raises allocation.AllocationError when a pool cannot be shared with the change."""
    usage_month = what_if_usage_month(month, today=clock.local_today())
    usage = usage_for_month(month=usage_month)
    changed = allocation.apply_change(usage, change)
    pools = pools_for_allocation(month=month)
    pools_month = month
    if not pools and usage_month != month:
        pools = pools_for_allocation(month=usage_month)
        pools_month = usage_month
    staff: staff_need.StaffCost | None = None
    skipped: list[Office] = []
    beyond_desks: list[int] = []
    missing = ""
    rate = rate_in_force(role=WHAT_IF_ROLE, day=month)
    if with_staff:
        needs, skipped = staff_needs(month=month, change=change)
        beyond_desks = [n.office for n in needs if n.beyond_desks_with_change]
        if rate is None:
            missing = str(
                _("No cost per hour for the role “%(role)s” on %(day)s; enter one first.")
                % {"role": role_label(WHAT_IF_ROLE), "day": month.isoformat()}
            )
        elif needs:
            staff = staff_need.price(
                needs, ore_per_hour=rate.ore_per_hour, in_force=change.fraction
            )
        else:
            missing = str(_("None of the offices has the history a staffing plan needs."))
    extra: list[allocation.Pool] = []
    if staff is not None and staff_in_costs:
        extra = [
            allocation.Pool(
                key=(STAFF_POOL_KEY, o.office), office=o.office, amount_ore=o.difference_ore
            )
            for o in staff.offices
            if o.difference_ore
        ]
    offices = Office.objects.in_bulk(set(change.offices))
    return WhatIfResult(
        outcomes=_outcomes(
            allocation.allocate(pools, usage),
            allocation.allocate([*pools, *extra], changed),
            usage,
            changed,
            None,
        ),
        staff=staff,
        offices=offices,
        skipped=skipped,
        role=WHAT_IF_ROLE,
        rate=rate,
        staff_in_costs=staff is not None and staff_in_costs,
        missing=missing,
        beyond_desks=[offices[pk] for pk in beyond_desks if pk in offices],
        month=month,
        usage_month=usage_month,
        pools_month=pools_month,
    )


def what_if_usage_month(month: dt.date, *, today: dt.date) -> dt.date:
    """The month whose use a what-if of `month` reads: `month` itself once it has begun (a
    running month: its figures so far), else the latest complete month (the one before
    today's)."""
    this_month = today.replace(day=1)
    if month <= this_month:
        return month
    return (this_month - dt.timedelta(days=1)).replace(day=1)
