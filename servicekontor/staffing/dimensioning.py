"""Officers needed in one hour of one office: Erlang C / Erlang A per agency and pooled.

No Django: plain numbers in, plain numbers out; the formulas are `queueing.erlang`'s.

For one clock hour the office has a demand per agency (arrivals per hour, mean desk minutes,
mean patience, the agency's service-level target). The plan gives:

- ``pooled``: officers needed if every officer served every agency — one M/M/c queue of all
  arrivals, mean service time the arrival-weighted mean, and the *strictest* target (the
  shortest minutes and the highest share of the agencies present). Erlang A
  (`erlang.erlang_a_agents_needed`) when the office's history shows abandonment (a finite
  mean patience), else Erlang C. Also capped by ``max_occupancy``: ``load / c <= cap``.
- ``by_agency[a]``: officers trained for agency ``a`` needed if they served ``a`` alone —
  Erlang C for ``a``'s own arrivals and target. ASSUMPTION: this is the competence
  requirement of the plan (a sufficient condition: officers trained for several agencies then
  count towards each; it ignores that they are shared, which the simulation check judges).
- ``base = max(pooled, max_a by_agency[a])``: officers at the desks;
  ``scheduled = ceil(base / (1 - shrinkage))``: officers on the roster (breaks, back-office
  time — the shrinkage of Koole 2013 ch. 11).
- ``promised_service_level`` / ``promised_mean_wait``: what the formula promises with ``base``
  officers for the pooled queue (share of all arrivals called within the strictest target;
  mean wait in minutes).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import overload

from servicekontor.queueing import erlang


@dataclass(frozen=True, slots=True)
class AgencyDemand:
    """One agency's demand in one hour. ``patience_minutes``: inf when nobody leaves."""

    agency: int
    arrivals_per_hour: float
    mean_service_minutes: float
    target_minutes: float = 15.0
    service_level: float = 0.8
    patience_minutes: float = math.inf


@dataclass(frozen=True, slots=True)
class Policy:
    """The plan's settings: occupancy cap in (0, 1], shrinkage in [0, 1)."""

    max_occupancy: float = 0.85
    shrinkage: float = 0.15

    def __post_init__(self) -> None:
        if not 0 < self.max_occupancy <= 1:
            raise ValueError("max_occupancy must be in (0, 1]")
        if not 0 <= self.shrinkage < 1:
            raise ValueError("shrinkage must be in [0, 1)")


@dataclass(frozen=True, slots=True)
class HourNeed:
    pooled: int
    by_agency: dict[int, int]
    base: int
    scheduled: int
    arrivals_per_hour: float
    load_erlangs: float
    promised_service_level: float
    promised_mean_wait: float
    model: str  # "erlang_c", "erlang_a" or "none"
    #: officers the target would need at the desks when that is more than the office has
    #: desks (`at_most_desks`); 0 when the desks suffice
    needed_without_desk_limit: int = 0


def _pooled(demands: Sequence[AgencyDemand]) -> tuple[float, float, float, float, float]:
    lam = sum(d.arrivals_per_hour for d in demands)
    mean = sum(d.arrivals_per_hour * d.mean_service_minutes for d in demands) / lam
    present = [d for d in demands if d.arrivals_per_hour > 0]
    target = min(d.target_minutes for d in present)
    level = max(d.service_level for d in present)
    # patience: the arrival-weighted mean rate of leaving (inf when nobody leaves)
    theta = sum(d.arrivals_per_hour / d.patience_minutes for d in present) / lam
    patience = math.inf if theta == 0 else 1.0 / theta
    return lam, mean, target, level, patience


def hour_need(demands: Sequence[AgencyDemand], policy: Policy | None = None) -> HourNeed:
    """The officers needed in one hour (module docstring). Raises ValueError for bad input
    (negative arrivals, non-positive service minutes, a share outside [0, 1))."""
    policy = policy or Policy()
    if not any(d.arrivals_per_hour > 0 for d in demands):
        for d in demands:
            if d.arrivals_per_hour < 0:
                raise ValueError("arrivals_per_hour must be >= 0")
        return HourNeed(0, {}, 0, 0, 0.0, 0.0, 1.0, 0.0, "none")
    lam, mean, target, level, patience = _pooled(demands)
    by_agency = {
        d.agency: erlang.erlang_c_agents_needed(
            arrivals_per_hour=d.arrivals_per_hour,
            mean_service_minutes=d.mean_service_minutes,
            target_minutes=d.target_minutes,
            service_level=d.service_level,
            max_occupancy=policy.max_occupancy,
        )
        for d in demands
        if d.arrivals_per_hour > 0
    }
    load = erlang.offered_load(lam, mean)
    occupancy_floor = max(1, math.ceil(load / policy.max_occupancy - 1e-12))
    if math.isinf(patience):
        pooled = erlang.erlang_c_agents_needed(
            arrivals_per_hour=lam,
            mean_service_minutes=mean,
            target_minutes=target,
            service_level=level,
            max_occupancy=policy.max_occupancy,
        )
        model = "erlang_c"
    else:
        pooled = max(
            occupancy_floor,
            erlang.erlang_a_agents_needed(
                arrivals_per_hour=lam,
                mean_service_minutes=mean,
                mean_patience_minutes=patience,
                target_minutes=target,
                service_level=level,
            ),
        )
        model = "erlang_a"
    base = max(pooled, *by_agency.values())
    sl, wait = _promise(demands, model, base)
    return HourNeed(
        pooled=pooled,
        by_agency=by_agency,
        base=base,
        scheduled=math.ceil(base / (1 - policy.shrinkage) - 1e-9),
        arrivals_per_hour=lam,
        load_erlangs=load,
        promised_service_level=sl,
        promised_mean_wait=wait,
        model=model,
    )


def _promise(demands: Sequence[AgencyDemand], model: str, agents: int) -> tuple[float, float]:
    """(service level, mean wait in minutes) the pooled queue gets with ``agents`` officers;
    an unstable Erlang C queue: (0, inf)."""
    lam, mean, target, _level, patience = _pooled(demands)
    if model == "erlang_c":
        sl = erlang.erlang_c_service_level(
            arrivals_per_hour=lam, mean_service_minutes=mean, agents=agents, target_minutes=target
        )
        wait = erlang.erlang_c_mean_wait(
            arrivals_per_hour=lam, mean_service_minutes=mean, agents=agents
        )
        return sl, wait
    sl = erlang.erlang_a_service_level(
        arrivals_per_hour=lam,
        mean_service_minutes=mean,
        mean_patience_minutes=patience,
        agents=agents,
        target_minutes=target,
    )
    wait = erlang.erlang_a(
        arrivals_per_hour=lam,
        mean_service_minutes=mean,
        mean_patience_minutes=patience,
        agents=agents,
    ).mean_wait
    return sl, wait


def at_most_desks(
    need: HourNeed, demands: Sequence[AgencyDemand], desks: int, policy: Policy | None = None
) -> HourNeed:
    """``need`` limited to ``desks`` officers at the desks (0: no limit known): more officers
    than desks cannot serve at once. Above the desks the plan is the desks, the promise is
    what the desks give (the formula with ``desks`` officers: below the target, an unbounded
    mean wait when more arrive than the desks can serve), and ``needed_without_desk_limit``
    keeps what the target would take."""
    if desks <= 0 or need.base <= desks:
        return need
    policy = policy or Policy()
    sl, wait = _promise(demands, need.model, desks)
    return dataclasses.replace(
        need,
        pooled=min(need.pooled, desks),
        by_agency={a: min(n, desks) for a, n in need.by_agency.items()},
        base=desks,
        scheduled=math.ceil(desks / (1 - policy.shrinkage) - 1e-9),
        promised_service_level=sl,
        promised_mean_wait=wait,
        needed_without_desk_limit=need.base,
    )


# --- full-time equivalents (FTE) ----------------------------------------------------------
#
# The one definition of an FTE (walk F22 of 2 Dec 2026: the staffing page divided a month's
# officer-hours by its working days × 8 and the change plans a week's by a 40 of their own,
# each with its own constant). Every FTE on a page, in a file or in the API is `fte` below.
#
# ASSUMPTION (source: the ordinary full-time week of arbetstidslagen (1982:673) 5 §, 40 hours,
# which the state's collective agreements keep): one full-time officer works 40 hours a week,
# 8 on each working day Monday–Friday. A period's full-time hours are 8 × its working days:
# a week 40, a month 8 × its weekdays (public holidays on a weekday are counted as working
# days: paid hours, not hours at the desk; 160–184 h a month).

#: A full-time officer's paid hours a week (see above).
HOURS_PER_FTE_WEEK = 40
#: The working days of a week (Monday–Friday).
WORKING_DAYS_PER_WEEK = 5


def working_days_in_month(year: int, month: int) -> int:
    """The weekdays (Monday–Friday) of ``month`` of ``year``."""
    first = dt.date(year, month, 1)
    days = calendar.monthrange(year, month)[1]
    return sum(1 for i in range(days) if (first + dt.timedelta(days=i)).weekday() < 5)


def full_time_hours(working_days: int) -> Fraction:
    """A full-time officer's paid hours in a period of ``working_days`` working days."""
    if working_days <= 0:
        raise ValueError("working_days must be > 0")
    return Fraction(HOURS_PER_FTE_WEEK * working_days, WORKING_DAYS_PER_WEEK)


@overload
def fte(officer_hours: Fraction, *, working_days: int) -> Fraction: ...
@overload
def fte(officer_hours: float, *, working_days: int) -> float: ...
def fte(officer_hours: float | Fraction, *, working_days: int) -> float | Fraction:
    """Full-time equivalents for ``officer_hours`` in a period of ``working_days`` working days
    (a week: ``WORKING_DAYS_PER_WEEK``; a month: `working_days_in_month`):
    officer-hours ÷ `full_time_hours`. Exact for a Fraction, a float for a float."""
    hours = full_time_hours(working_days)
    if isinstance(officer_hours, Fraction):
        return officer_hours / hours
    return officer_hours / float(hours)
