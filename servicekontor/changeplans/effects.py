"""What each step of a change plan does: accessibility, visits moved, staff needed, cost.

Pure (no Django): the networks of the steps (`registry_state.network_on`), the demand
(GeoNames localities), the baseline visits from the statistics, the staffing policy and the
cost pools come in as plain data; one :class:`StepEffect` per step comes out. The Django side
(`changeplans.queries`) reads the inputs and words the assumptions; each figure carries the
codes of the assumptions it rests on (``ASSUMPTIONS`` below, worded in docs/changeplans.md).

Rules (docs/changeplans.md):

- **Accessibility** is `planning.measures.accessibility` over great-circle distances from each
  locality to its nearest operating office that offers some agency's services, offices on
  the same point counted as one place — the planning page's measure of the network of that
  date (`planning.queries.existing_sites`, where every registry office offers services).
- **Visits** belong to places, not to offices. At the baseline each office's visits a year for
  an agency (the statistics) are spread over the localities for which it is the nearest office
  offering that agency, in proportion to population: a rate of visits per resident per office
  and agency. Each locality keeps its rate; at every step its visits for an agency go to the
  nearest operating office that offers the agency (Huff's model with an infinite distance
  exponent, i.e. nearest-facility assignment). An office closing hands its localities to
  their next nearest office; an office opening takes the localities nearer to it. A rate
  missing from the statistics is the agency's mean rate over the offices that have one; an
  agency without statistics gets the mean of the other agencies' rates, and with no statistics
  at all ``Baseline.default_rate``.
- **Staff** per office: `staffing.dimensioning.hour_need` (Erlang C per agency and pooled,
  occupancy cap, shrinkage) for each open hour of a typical week — the year's visits / 52,
  spread over the office's weekly opening hours by the network's arrivals per weekday and
  hour (uniform where the statistics have none) — FTE = `staffing.dimensioning.fte` of the
  week's officer-hours (a week of five working days: 40 h one FTE, as on the staffing pages).
- **Cost** a month: a staff pool per office (its officer-hours × 52 / 12 × the hourly cost),
  the reference month's other office pools at the offices still operating (offices the plan
  opens get the median office's pools per category), the network pools (fixed office shares
  of closed offices dropped); shared by `costs.allocation.allocate` with each office's month
  of visits (year / 12) and handled seconds (visits × the agency's seconds per visit).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from scipy import optimize

from servicekontor.changeplans.registry_state import (
    Change,
    OfficeFact,
    OfficeOnDay,
    Registry,
    network_on,
    step_networks,
)
from servicekontor.core.geography import distance_matrix_km
from servicekontor.costs import allocation
from servicekontor.network.opening_hours import WeeklyRule
from servicekontor.planning.measures import Accessibility, Nearest, accessibility, nearest
from servicekontor.staffing import dimensioning

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12

# Assumption codes; their wording is in `changeplans.queries.ASSUMPTION_TEXTS`.
ASSUMPTIONS = (
    "great_circle",
    "places",
    "nearest",
    "rate",
    "default_rate",
    "even_weeks",
    "hour_profile",
    "erlang",
    "fte",
    "staff_cost",
    "pools_kept",
    "new_office_pools",
    "network_pools",
    "bookings",
)
ACCESS_ASSUMPTIONS = ("great_circle", "places")
VISIT_ASSUMPTIONS = ("nearest", "rate", "default_rate")
STAFF_ASSUMPTIONS = ("nearest", "rate", "even_weeks", "hour_profile", "erlang", "fte")
COST_ASSUMPTIONS = (
    "nearest",
    "rate",
    "staff_cost",
    "pools_kept",
    "new_office_pools",
    "network_pools",
)
BOOKING_ASSUMPTIONS = ("bookings",)


@dataclass(frozen=True)
class Demand:
    """The demand points: population, county and position per locality (arrays of n)."""

    population: npt.NDArray[np.float64]
    counties: tuple[str, ...]
    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]


@dataclass(frozen=True)
class Baseline:
    """What the statistics say before the plan.

    ``visits``: (office code, agency id) -> visits a year; ``seconds_per_visit``: agency id ->
    mean handled seconds per visit; ``hour_profile``: (weekday 0-6, hour 0-23) -> arrivals
    (any scale); ``default_rate``: visits per resident a year per agency when there are no
    statistics at all.
    """

    visits: Mapping[tuple[str, int], float]
    seconds_per_visit: Mapping[int, float]
    hour_profile: Mapping[tuple[int, int], float]
    default_rate: float


@dataclass(frozen=True)
class StaffPolicy:
    policy: dimensioning.Policy = field(default_factory=dimensioning.Policy)
    targets: Mapping[int, tuple[float, int]] = field(default_factory=dict)  # (share, minutes)


@dataclass(frozen=True)
class PoolTemplate:
    """A month's cost pool at an office, before it is placed (``office`` is set per step)."""

    key: str
    category: str
    amount_ore: int
    parts: tuple[allocation.Part, ...]
    fixed_shares: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NetworkPool:
    """A pool without an office; ``office_shares`` (office code -> weight) are used when its
    office driver is fixed."""

    pool: allocation.Pool
    office_shares: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CostInputs:
    """``office_pools``: office code -> its non-staff pools of the reference month;
    ``network_pools``: pools without an office (``office_shares`` keyed by office code);
    ``staff_ore_per_hour``: None when no hourly cost is known (staff cost then left out);
    ``reference_total_ore``, ``reference_staff_ore``: the reference month's pools as entered
    (all of them, and the staff pools among them), öre — the cost billed, beside which the
    modelled cost is shown (its staff is the staff needed, not the staff pools)."""

    office_pools: Mapping[str, tuple[PoolTemplate, ...]]
    network_pools: tuple[NetworkPool, ...]
    staff_ore_per_hour: int | None
    reference_month: dt.date | None = None
    reference_total_ore: int = 0
    reference_staff_ore: int = 0


@dataclass(frozen=True)
class StepInput:
    day: dt.date
    network: tuple[OfficeOnDay, ...]


@dataclass(frozen=True)
class OfficeStaff:
    fte: float
    officer_hours_week: float
    #: the most officers the target needs at the desks at once (`HourNeed.base`, before the
    #: shrinkage), as the staffing pages count them (walk F12: this was the scheduled staff,
    #: 19 for Kista against 17 at the desks on the staffing page)
    peak_officers: int
    desks: int = 0  # the office's desks (0: none known)

    @property
    def beyond_desks(self) -> bool:
        """More officers needed at once than the office has desks: the target cannot be
        reached there with its desks (`staffing.dimensioning.at_most_desks`)."""
        return bool(self.desks) and self.peak_officers > self.desks


@dataclass(frozen=True)
class Costs:
    total_ore: int
    staff_ore: int
    other_ore: int
    by_agency: Mapping[int, int]
    unallocated_ore: int  # pools that cannot be shared (e.g. at offices without visits)
    staff_included: bool


@dataclass(frozen=True)
class StepEffect:
    day: dt.date
    offices: tuple[str, ...]
    access: Accessibility
    visits: Mapping[tuple[str, int], float]  # (office, agency) -> visits a year
    unserved: Mapping[int, float]  # agency -> visits a year with no office offering it
    moved: Mapping[tuple[str, str], float]  # (from office, to office) -> visits a year
    staff: Mapping[str, OfficeStaff]
    costs: Costs

    @property
    def visits_moved(self) -> float:
        return sum(self.moved.values())

    @property
    def fte_total(self) -> float:
        return sum(s.fte for s in self.staff.values())

    def office_visits(self, code: str) -> float:
        return sum(v for (o, _a), v in self.visits.items() if o == code)

    def staff_changes(self, before: StepEffect) -> list[tuple[str, float]]:
        """(office, FTE needed here − in ``before``) for every office whose need changed,
        largest change first: a step that moves visits moves staff with them, which the
        network's total (Kista −0.55, Rinkeby +0.55: 0.0) hides (walk F26)."""
        codes = set(self.staff) | set(before.staff)
        out = []
        for code in codes:
            now = self.staff[code].fte if code in self.staff else 0.0
            then = before.staff[code].fte if code in before.staff else 0.0
            if abs(now - then) >= 0.005:
                out.append((code, now - then))
        return sorted(out, key=lambda kv: (-abs(kv[1]), kv[0]))


# --- accessibility -------------------------------------------------------------------------


def places(offices: Sequence[OfficeOnDay]) -> int:
    """Offices on exactly the same point count as one place (as the planning page does)."""
    return len({(o.latitude, o.longitude) for o in offices})


# --- visits --------------------------------------------------------------------------------


def _tie_weights(
    network: Sequence[OfficeOnDay],
    column: Mapping[str, int],
    size: int,
    agency: int,
    baseline: Baseline,
) -> npt.NDArray[np.float64]:
    """Per column: the office's observed visits a year for ``agency`` (0 when unknown), by
    which places at the same distance of several offices share their visits."""
    w = np.zeros(size)
    for o in network:
        w[column[o.code]] = baseline.visits.get((o.code, agency), 0.0)
    return w


def baseline_rates(
    d: npt.NDArray[np.float64],
    population: npt.NDArray[np.float64],
    network: Sequence[OfficeOnDay],
    column: Mapping[str, int],
    agencies: Sequence[int],
    agency_codes: Mapping[int, str],
    baseline: Baseline,
) -> dict[int, npt.NDArray[np.float64]]:
    """agency id -> visits a year per locality (module docstring).

    A locality at the same distance of several offices (`planning.measures.nearest`) is
    shared among them by their observed visits, and its rate is theirs weighted by its
    shares; the offices' rates ``ρ`` are then the non-negative solution of
    ``Σ_i pop_i s_ij Σ_k s_ik ρ_k = visits_j`` (each office's observed visits reproduced; without
    ties this is visits_j / its population)."""
    agency_mean: dict[int, float] = {}
    found: dict[int, tuple[Nearest, npt.NDArray[np.float64], npt.NDArray[np.float64]]] = {}
    for a in agencies:
        code = agency_codes[a]
        cols = np.array([column[o.code] for o in network if code in o.agencies], dtype=np.intp)
        if not cols.size:
            continue
        near = nearest(d, cols, weight=_tie_weights(network, column, d.shape[1], a, baseline))
        catch = near.totals(population, d.shape[1])
        observed = np.full(d.shape[1], np.nan)
        for o in network:
            v = baseline.visits.get((o.code, a))
            if code in o.agencies and v is not None and catch[column[o.code]] > 0:
                observed[column[o.code]] = v
        known = ~np.isnan(observed)
        if known.any():
            pop = float(catch[known].sum())
            agency_mean[a] = float(observed[known].sum() / pop) if pop else 0.0
        found[a] = (near, catch, observed)
    overall = statistics.fmean(agency_mean.values()) if agency_mean else baseline.default_rate
    out: dict[int, npt.NDArray[np.float64]] = {}
    for a in agencies:
        fallback = agency_mean.get(a, overall)
        if a not in found:
            out[a] = np.full(population.shape, fallback) * population
            continue
        near, catch, observed = found[a]
        rate = _office_rates(near, population, catch, observed, fallback)
        r = rate[near.first]
        for i, parts in near.tied.items():
            r[i] = sum(rate[j] * share for j, share in parts)
        out[a] = r * population
    return out


def _office_rates(
    near: Nearest,
    population: npt.NDArray[np.float64],
    catch: npt.NDArray[np.float64],
    observed: npt.NDArray[np.float64],
    fallback: float,
) -> npt.NDArray[np.float64]:
    """Visits per resident per office column (`baseline_rates`): ``fallback`` where nothing
    is observed; observed visits / population served where no locality is shared; else the
    non-negative least-squares solution over the offices with observations."""
    known = ~np.isnan(observed)
    rate = np.full(catch.shape, fallback)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate[known] = observed[known] / catch[known]
    k = np.flatnonzero(known)
    if not near.tied or not k.size:
        return rate
    pos = {int(j): n for n, j in enumerate(k)}
    m = np.zeros((k.size, k.size))
    rhs = observed[k].copy()
    alone = np.ones(population.size, dtype=bool)
    alone[list(near.tied)] = False
    diagonal = np.bincount(near.first[alone], weights=population[alone], minlength=catch.size)
    m[np.arange(k.size), np.arange(k.size)] = diagonal[k]
    for i, parts in near.tied.items():
        for j, sj in parts:
            if j not in pos:
                continue
            for col, sc in parts:
                w = population[i] * sj * sc
                if col in pos:
                    m[pos[j], pos[col]] += w
                else:
                    rhs[pos[j]] -= w * fallback
    solution, _residual = optimize.nnls(m, np.maximum(rhs, 0.0))
    rate[k] = solution
    return rate


def assign_visits(
    d: npt.NDArray[np.float64],
    network: Sequence[OfficeOnDay],
    column: Mapping[str, int],
    demand: Mapping[int, npt.NDArray[np.float64]],
    agency_codes: Mapping[int, str],
    baseline: Baseline | None = None,
) -> tuple[dict[int, Nearest | None], dict[tuple[str, int], float], dict[int, float]]:
    """Each locality's visits per agency to its nearest office offering the agency (shared
    among offices at the same distance by their observed visits in ``baseline``, else
    equally: `planning.measures.nearest`).

    Returns (agency -> the assignment or None when nobody offers it, (office, agency) ->
    visits a year, agency -> visits without an office)."""
    code_of = {column[o.code]: o.code for o in network}
    assignment: dict[int, Nearest | None] = {}
    visits: dict[tuple[str, int], float] = {}
    unserved: dict[int, float] = {}
    for a, dem in demand.items():
        code = agency_codes[a]
        cols = np.array([column[o.code] for o in network if code in o.agencies], dtype=np.intp)
        if not cols.size:
            assignment[a] = None
            unserved[a] = float(dem.sum())
            continue
        weight = (
            None if baseline is None else _tie_weights(network, column, d.shape[1], a, baseline)
        )
        near = nearest(d, cols, weight=weight)
        assignment[a] = near
        per = near.totals(dem, d.shape[1])
        for j in cols:
            visits[(code_of[int(j)], a)] = float(per[j])
    return assignment, visits, unserved


def moved_visits(
    before: Mapping[int, Nearest | None],
    after: Mapping[int, Nearest | None],
    demand: Mapping[int, npt.NDArray[np.float64]],
    codes: Sequence[str],
) -> dict[tuple[str, str], float]:
    """(from office, to office) -> visits a year that change office between two networks
    (per locality and agency: what its offices lose goes to those that gain, in proportion
    to the gains). Visits of an agency that no office offers any more, or offered again,
    are not moves (see ``unserved``)."""
    flows: dict[tuple[str, str], float] = defaultdict(float)
    for a, dem in demand.items():
        b, c = before.get(a), after.get(a)
        if b is None or c is None:
            continue
        rows = set(np.flatnonzero(b.first != c.first).tolist()) | set(b.tied) | set(c.tied)
        for i in sorted(rows):
            sb, sc = dict(b.shares(i)), dict(c.shares(i))
            loss = {j: sb[j] - sc.get(j, 0.0) for j in sb if sb[j] - sc.get(j, 0.0) > 1e-12}
            gain = {j: sc[j] - sb.get(j, 0.0) for j in sc if sc[j] - sb.get(j, 0.0) > 1e-12}
            total = sum(gain.values())
            for j, lost in loss.items():
                for k, got in gain.items():
                    flows[(codes[j], codes[k])] += float(dem[i]) * lost * got / total
    return dict(flows)


# --- staff ---------------------------------------------------------------------------------


def _open_slots(rules: Sequence[WeeklyRule]) -> list[tuple[int, int, float]]:
    """(weekday, hour, open fraction of the hour) for every clock hour touched by the rules."""
    slots: dict[tuple[int, int], float] = defaultdict(float)
    for r in rules:
        start = r.opens.hour * 60 + r.opens.minute
        end = r.closes.hour * 60 + r.closes.minute
        for hour in range(start // 60, math.ceil(end / 60)):
            lo, hi = max(start, hour * 60), min(end, hour * 60 + 60)
            if hi > lo:
                slots[(r.weekday, hour)] += (hi - lo) / 60
    return [(wd, h, min(1.0, f)) for (wd, h), f in sorted(slots.items())]


def office_staff(
    visits: Mapping[int, float],
    rules: Sequence[WeeklyRule],
    *,
    baseline: Baseline,
    staff: StaffPolicy,
    desks: int = 0,
) -> OfficeStaff:
    """Officers needed by one office with ``visits`` (agency id -> visits a year) and weekly
    hours ``rules`` (module docstring); ``desks``: the office's desks, to say whether the
    target needs more officers at once than it has. An office without hours or visits needs
    none."""
    slots = _open_slots(rules)
    total = sum(visits.values())
    if not slots or total <= 0:
        return OfficeStaff(0.0, 0.0, 0, desks)
    weights = [baseline.hour_profile.get((wd, h), 0.0) * f for wd, h, f in slots]
    if sum(weights) <= 0:
        weights = [f for _wd, _h, f in slots]
    norm = sum(weights)
    hours = 0.0
    peak = 0
    for (_wd, _h, frac), w in zip(slots, weights, strict=True):
        share = w / norm
        demands = [
            dimensioning.AgencyDemand(
                agency=a,
                arrivals_per_hour=v / WEEKS_PER_YEAR * share / frac,
                mean_service_minutes=max(baseline.seconds_per_visit.get(a, 600.0), 1.0) / 60,
                target_minutes=staff.targets.get(a, (0.8, 15))[1],
                service_level=staff.targets.get(a, (0.8, 15))[0],
            )
            for a, v in sorted(visits.items())
            if v > 0
        ]
        need = dimensioning.hour_need(demands, staff.policy)
        hours += need.scheduled * frac
        peak = max(peak, need.base)
    return OfficeStaff(
        fte=dimensioning.fte(hours, working_days=dimensioning.WORKING_DAYS_PER_WEEK),
        officer_hours_week=hours,
        peak_officers=peak,
        desks=desks,
    )


# --- cost ----------------------------------------------------------------------------------


def new_office_template(office_pools: Mapping[str, Sequence[PoolTemplate]]) -> list[PoolTemplate]:
    """The pools assumed for an office the plan opens: per category, the median over the
    offices that have pools of that category of their month's amount in it, shared as the
    most common way that category is shared."""
    by_cat: dict[str, list[PoolTemplate]] = defaultdict(list)
    amounts: dict[str, list[int]] = defaultdict(list)
    for pools in office_pools.values():
        per: dict[str, int] = defaultdict(int)
        for p in pools:
            per[p.category] += p.amount_ore
            by_cat[p.category].append(p)
        for cat, amount in per.items():
            amounts[cat].append(amount)
    out = []
    for cat in sorted(amounts):
        parts = [p.parts for p in by_cat[cat]]
        common = max(set(parts), key=parts.count)
        out.append(
            PoolTemplate(
                key=f"new-{cat}",
                category=cat,
                amount_ore=int(statistics.median_low(amounts[cat])),
                parts=common,
            )
        )
    return out


def step_costs(
    *,
    network: Sequence[OfficeOnDay],
    existing: set[str],
    index: Mapping[str, int],
    visits: Mapping[tuple[str, int], float],
    staff: Mapping[str, OfficeStaff],
    baseline: Baseline,
    cost: CostInputs,
    template: Sequence[PoolTemplate],
) -> Costs:
    """A month's cost of the step's network and each agency's share (module docstring).

    ``existing``: the codes of offices in the registry before the plan (the others get
    ``template``); ``index``: office code -> the int the allocation uses for it."""
    usage = []
    used: dict[int, int] = defaultdict(int)
    users: dict[int, set[int]] = defaultdict(set)  # office -> the agencies with visits there
    for (code, a), v in sorted(visits.items()):
        month = v / MONTHS_PER_YEAR
        if month <= 0:
            continue
        u = allocation.Usage(
            index[code],
            a,
            round(month),
            round(month * baseline.seconds_per_visit.get(a, 600.0)),
        )
        usage.append(u)
        used[index[code]] += u.visits + u.handled_seconds
        users[index[code]].add(a)
    pools: list[allocation.Pool] = []
    staff_ore = other_ore = unallocated = 0
    open_codes = {o.code for o in network}
    for o in network:
        j = index[o.code]
        placed: list[tuple[str, int, tuple[allocation.Part, ...], Mapping[int, int]]] = []
        if cost.staff_ore_per_hour is not None and o.code in staff:
            amount = round(
                staff[o.code].officer_hours_week
                * WEEKS_PER_YEAR
                / MONTHS_PER_YEAR
                * cost.staff_ore_per_hour
            )
            staff_ore += amount
            placed.append(("staff", amount, (allocation.Part(allocation.Driver.MINUTES),), {}))
        own = cost.office_pools.get(o.code) if o.code in existing else template
        for t in own or ():
            other_ore += t.amount_ore
            fixed = t.fixed_shares
            if o.code not in existing and not any(fixed.values()):
                # An office the plan opens has no agreed fixed shares yet: a part shared in
                # fixed shares goes in equal shares to the agencies that use the office (the
                # walk: every opening left its premises, 60 000 kr a month, shared by nobody)
                fixed = dict.fromkeys(sorted(users.get(j, ())), 1)
            placed.append((t.key, t.amount_ore, t.parts, fixed))
        for key, amount, parts, fixed in placed:
            if amount and not _shareable(parts, fixed, bool(used.get(j))):
                unallocated += amount
                continue
            pools.append(allocation.Pool((o.code, key), j, amount, parts, fixed))
    for n in cost.network_pools:
        p = n.pool
        other_ore += p.amount_ore
        if p.office_driver is allocation.Driver.FIXED:
            shares = {
                index[c]: w
                for c, w in n.office_shares.items()
                if c in open_codes and _shareable(p.parts, p.fixed_shares, bool(used.get(index[c])))
            }
            if not any(shares.values()):
                unallocated += p.amount_ore
                continue
            pools.append(replace(p, office_shares=shares))
        elif not usage:
            unallocated += p.amount_ore
        else:
            pools.append(p)
    try:
        lines = allocation.allocate(pools, usage)
    except allocation.AllocationError:
        # then one pool at a time: a pool that cannot be shared (fixed office shares falling
        # on an office without visits, a fixed part without weights) is reported as not
        # shared instead of stopping the evaluation
        lines = []
        for pool in pools:
            try:
                lines += allocation.allocate([pool], usage)
            except allocation.AllocationError:
                unallocated += pool.amount_ore
    return Costs(
        total_ore=staff_ore + other_ore,
        staff_ore=staff_ore,
        other_ore=other_ore,
        by_agency=allocation.totals_by_agency(lines),
        unallocated_ore=unallocated,
        staff_included=cost.staff_ore_per_hour is not None,
    )


def _shareable(parts: Sequence[allocation.Part], fixed: Mapping[int, int], has_use: bool) -> bool:
    """Whether an office's part of a pool can be shared among agencies: every driver part
    has something to share by (use at the office, or fixed weights)."""
    return all(
        any(fixed.values()) if p.driver is allocation.Driver.FIXED else has_use for p in parts
    )


# --- all steps -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Universe:
    """Every office that appears in any step: codes and positions; the distance matrix from
    the demand to them is computed once (``incremental``) or per step (naive)."""

    codes: tuple[str, ...]
    latitude: tuple[float, ...]
    longitude: tuple[float, ...]


def universe_of(steps: Sequence[StepInput]) -> Universe:
    seen: dict[str, OfficeOnDay] = {}
    for s in steps:
        for o in s.network:
            seen.setdefault(o.code, o)
    codes = tuple(sorted(seen))
    return Universe(
        codes,
        tuple(seen[c].latitude for c in codes),
        tuple(seen[c].longitude for c in codes),
    )


def evaluate(
    steps: Sequence[StepInput],
    *,
    demand: Demand,
    baseline: Baseline,
    agency_codes: Mapping[int, str],
    staff: StaffPolicy,
    cost: CostInputs,
    existing: set[str],
    incremental: bool = True,
    rate_network: Sequence[OfficeOnDay] | None = None,
    compare: Sequence[int | None] | None = None,
) -> list[StepEffect]:
    """One :class:`StepEffect` per step.

    ``agency_codes``: agency id -> code (the registry's offerings name agencies by code);
    ``existing``: office codes in the registry before the plan. ``incremental`` computes the
    distances once and each office's staff once per distinct (hours, visits); False
    recomputes everything at every step (the benchmark's baseline). Both give the same result.
    ``rate_network``: the network the statistics were counted in, where the rates come from
    (default: the first step's). ``compare[n]``: the step whose assignment step n's ``moved``
    is measured against (None: nothing moved; default: the previous step) — the network just
    before step n on its own date, so that a step is not credited with other changes.
    Raises ValueError without steps.
    """
    if not steps:
        raise ValueError("no steps")
    rate_step = StepInput(steps[0].day, tuple(rate_network if rate_network is not None else ()))
    uni = universe_of([*steps, rate_step])
    column = {c: j for j, c in enumerate(uni.codes)}

    def matrix() -> npt.NDArray[np.float64]:
        return distance_matrix_km(demand.latitude, demand.longitude, uni.latitude, uni.longitude)

    d_all = matrix() if incremental else None
    agencies = sorted(agency_codes)
    template = new_office_template(cost.office_pools)
    cache: dict[tuple[object, ...], OfficeStaff] = {}
    out: list[StepEffect] = []
    rates = baseline_rates(
        d_all if d_all is not None else matrix(),
        demand.population,
        steps[0].network if rate_network is None else rate_network,
        column,
        agencies,
        agency_codes,
        baseline,
    )
    against = list(compare) if compare is not None else [None, *range(len(steps) - 1)]
    assignments: list[dict[int, Nearest | None]] = []
    for n, step in enumerate(steps):
        d = d_all if d_all is not None else matrix()
        # access counts the offices that offer some agency's services: one offering nothing
        # takes no visits, so it brings nobody nearer an office (walk F10)
        serving = [o for o in step.network if o.agencies]
        cols = [column[o.code] for o in serving]
        nearest = d[:, cols].min(axis=1) if cols else np.full(d.shape[0], np.inf)
        access = accessibility(nearest, demand.population, demand.counties, offices=places(serving))
        assignment, visits, unserved = assign_visits(
            d, step.network, column, rates, agency_codes, baseline
        )
        base = against[n]
        moved = (
            moved_visits(assignments[base], assignment, rates, uni.codes)
            if base is not None
            else {}
        )
        assignments.append(assignment)
        office_staff_map: dict[str, OfficeStaff] = {}
        for o in step.network:
            mine = {a: v for (c, a), v in visits.items() if c == o.code}
            key = (o.rules, o.desks, tuple(sorted(mine.items())))
            result = cache.get(key) if incremental else None
            if result is None:
                result = office_staff(mine, o.rules, baseline=baseline, staff=staff, desks=o.desks)
                if incremental:
                    cache[key] = result
            office_staff_map[o.code] = result
        costs = step_costs(
            network=step.network,
            existing=existing,
            index=column,
            visits=visits,
            staff=office_staff_map,
            baseline=baseline,
            cost=cost,
            template=template,
        )
        out.append(
            StepEffect(
                day=step.day,
                offices=tuple(o.code for o in step.network),
                access=access,
                visits=visits,
                unserved=unserved,
                moved=moved,
                staff=office_staff_map,
                costs=costs,
            )
        )
    return out


@dataclass(frozen=True)
class PlanSteps:
    """``baseline``: the network before the plan; per step day: the network on it without
    the step (the plan's earlier changes only) and with it (``moved`` against the former)."""

    baseline: StepEffect
    steps: tuple[tuple[StepEffect, StepEffect], ...]


def evaluate_plan_steps(
    registry: Registry,
    changes: Sequence[Change],
    days: Sequence[dt.date],
    *,
    base_day: dt.date,
    rate_network: Sequence[OfficeOnDay],
    demand: Demand,
    baseline: Baseline,
    agency_codes: Mapping[int, str],
    staff: StaffPolicy,
    cost: CostInputs,
    existing: set[str],
    incremental: bool = True,
) -> PlanSteps:
    """Every step of a plan measured against the network just before it on its own date
    (`registry_state.step_networks`), so that the registry's own changes between steps are
    not credited to a step (the other arguments: :func:`evaluate`)."""
    inputs = [StepInput(base_day, network_on(registry, base_day))]
    compare: list[int | None] = [None]
    for d, without, with_step in step_networks(registry, changes, days):
        inputs.append(StepInput(d, without))
        compare.append(None)
        inputs.append(StepInput(d, with_step))
        compare.append(len(inputs) - 2)
    out = evaluate(
        inputs,
        demand=demand,
        baseline=baseline,
        agency_codes=agency_codes,
        staff=staff,
        cost=cost,
        existing=existing,
        incremental=incremental,
        rate_network=rate_network,
        compare=compare,
    )
    return PlanSteps(out[0], tuple((out[i], out[i + 1]) for i in range(1, len(out), 2)))


# --- bookings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingFact:
    office: str
    agency: str
    day: dt.date
    start: dt.time


Offered = dict[str, list[tuple[str, dt.date, dt.date | None]]]
HoursIndex = dict[str, list[tuple[dt.date, dt.date | None, tuple[WeeklyRule, ...]]]]


def _possible(
    offices: Mapping[str, OfficeFact],
    offered: Offered,
    hours: HoursIndex,
    b: BookingFact,
) -> bool:
    office = offices.get(b.office)
    if office is None or not office.operates_on(b.day):
        return False
    if not any(
        agency == b.agency and start <= b.day and (end is None or b.day <= end)
        for agency, start, end in offered.get(b.office, [])
    ):
        return False
    covering = [
        (start, rules)
        for start, end, rules in hours.get(b.office, [])
        if start <= b.day and (end is None or b.day <= end)
    ]
    if not covering:
        return True  # no weekly hours recorded: not judged on hours
    rules = max(covering, key=lambda x: x[0])[1]
    return any(r.weekday == b.day.weekday() and r.opens <= b.start < r.closes for r in rules)


def bookings_affected(
    bookings: Sequence[BookingFact],
    before: Registry,
    after: Registry,
    step_days: Sequence[dt.date],
) -> dict[dt.date, dict[str, int]]:
    """step day -> office -> bookings that the plan makes impossible: possible in ``before``
    (the office operating, the agency offered, the start inside the weekly hours in force) and
    not in ``after`` (both `registry_state.Registry`). A booking belongs to the last step on or
    before its day (the first step if none)."""

    def index(r: Registry) -> tuple[Offered, HoursIndex]:
        offered: Offered = defaultdict(list)
        for o in r.offerings:
            offered[o.office].append((o.agency, o.valid_from, o.valid_to))
        hours: HoursIndex = defaultdict(list)
        for h in r.hours:
            hours[h.office].append((h.valid_from, h.valid_to, h.rules))
        return offered, hours

    ob, hb = index(before)
    oa, ha = index(after)
    days = sorted(step_days)
    out: dict[dt.date, dict[str, int]] = {d: defaultdict(int) for d in days}
    if not days:
        return {}
    for b in bookings:
        if _possible(before.offices, ob, hb, b) and not _possible(after.offices, oa, ha, b):
            step = max((d for d in days if d <= b.day), default=days[0])
            out[step][b.office] += 1
    return {d: dict(v) for d, v in out.items()}
