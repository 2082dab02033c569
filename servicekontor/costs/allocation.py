"""Cost allocation: each pool's money shared out to agencies by a driver, to the öre.

Pure: plain data in, plain data out, no Django. The settlement (`costs.services`) reads pools
and usage from the database, calls `allocate`, and stores the lines it returns.

Money is integer öre (1 krona = 100 öre) throughout; nothing here uses floats.

Drivers (what a share of a pool is proportional to):

- ``minutes``: handled service time. The quantity is *seconds* (the usage figure
  ``handled_seconds``), so no rounding to minutes happens before the split; shares by seconds and
  by minutes are the same numbers.
- ``visits``: visits served for the agency.
- ``fixed``: an agreed weight per agency (e.g. 40 / 35 / 25), the same whatever the use.

A pool may mix drivers (activity-based costing): its amount is first split between the parts by
their weights, then each part is shared by its own driver (e.g. premises 50 % fixed, 50 % by
minutes). Every split is one call of `largest_remainder`.

An office pool is shared among the agencies by that office's quantities. A network pool (no
office: head office, IT) goes first to the offices by its office driver (minutes, visits or
fixed weights per office), then each office's part to the agencies as an office pool would.

Rounding is the largest-remainder (Hamilton) method: everyone gets the floor of their exact
share, and the öre left over go one each to the largest fractional parts; equal fractional
parts are broken by the smaller key (office id, agency id, or part index), so the same input
always gives the same answer. Hence: the parts sum to the whole exactly, and no part is more
than one öre from its exact share (Balinski & Young, *Fair Representation*, 2nd ed. 2001, ch. 2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from math import gcd as _gcd
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)


class Driver(StrEnum):
    MINUTES = "minutes"
    VISITS = "visits"
    FIXED = "fixed"


class AllocationError(ValueError):
    """A pool cannot be shared out: its driver has nothing to share by (e.g. no handled minutes
    at the office that month, or no fixed weights). The message says which pool and what to do."""

    def __init__(self, message: str, *, pool: Hashable = None) -> None:
        super().__init__(message)
        self.pool = pool


@dataclass(frozen=True)
class Usage:
    """What one agency used at one office in the period: visits and handled seconds (≥ 0)."""

    office: int
    agency: int
    visits: int
    handled_seconds: int


@dataclass(frozen=True)
class Part:
    """One driver of a pool and its relative weight (a positive integer, e.g. a percentage)."""

    driver: Driver
    weight: int = 1


@dataclass(frozen=True)
class Pool:
    """A sum of money to share out.

    `key` identifies the pool in the lines (any sortable value, e.g. the database id);
    `office` is None for a network pool. `fixed_shares` (agency → positive weight) is used by
    ``fixed`` parts; `office_shares` (office → weight) when a network pool's `office_driver`
    is ``fixed``. `amount_ore` may be negative (a credit): it is shared like its absolute value
    with the sign kept.
    """

    key: Any
    office: int | None
    amount_ore: int
    parts: tuple[Part, ...] = (Part(Driver.MINUTES),)
    fixed_shares: Mapping[int, int] = field(default_factory=dict)
    office_driver: Driver = Driver.MINUTES
    office_shares: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """One agency's share of one driver part of one pool at one office.

    A controller recomputes `amount_ore` as `basis_ore × quantity / basis_quantity` (then the
    largest remainder over the lines with the same pool, office and driver). `quantity` is in
    the driver's unit (seconds, visits or fixed weight). For a network pool, `office_ore` is
    the office's part of the pool and `office_quantity` / `network_quantity` what the office
    stage shared by; for an office pool they repeat the pool's amount and are 0.
    """

    pool: Any
    office: int
    agency: int
    driver: Driver
    amount_ore: int
    quantity: int
    basis_quantity: int
    basis_ore: int
    office_ore: int
    office_quantity: int = 0
    network_quantity: int = 0


def largest_remainder(total: int, weights: Mapping[K, int | Fraction]) -> dict[K, int]:
    """Split integer `total` in proportion to non-negative `weights` by largest remainder.

    Returns key → integer part, summing to `total` exactly, each within one unit of
    `total × w / Σw`. Keys with weight 0 get 0. Ties in the fractional part go to the smaller
    key (keys must be mutually comparable). A negative total is split as its absolute value
    and negated. Raises ValueError for a negative weight, or when `total ≠ 0` and every weight
    is 0 (nothing to split by).
    """
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative")
    if total < 0:
        return {k: -v for k, v in largest_remainder(-total, weights).items()}
    all_int = all(isinstance(w, int) for w in weights.values())
    whole = sum(weights.values()) if all_int else sum(weights.values(), Fraction(0))
    if whole == 0:
        if total == 0:
            return dict.fromkeys(weights, 0)
        raise ValueError("nothing to split by: every weight is 0")
    # Integer weights (the usual case): exact share = total·w / Σw, so the floor and the
    # fractional part's numerator (over the common denominator Σw) are integer divmod —
    # the same comparison as with fractions, without building any.
    if all_int:
        denominator = int(whole)
        scaled = {k: int(w) for k, w in weights.items()}
    else:
        common = 1
        for w in weights.values():
            common = common * Fraction(w).denominator // _gcd(common, Fraction(w).denominator)
        scaled = {k: int(Fraction(w) * common) for k, w in weights.items()}
        denominator = sum(scaled.values())
    floors: dict[K, int] = {}
    remainders: list[tuple[int, K]] = []
    for k, w in scaled.items():
        floor, rest = divmod(total * w, denominator)
        floors[k] = floor
        remainders.append((rest, k))
    left = total - sum(floors.values())
    # Largest fractional part first; equal parts: the smaller key first.
    remainders.sort(key=lambda rk: (-rk[0], rk[1]))
    for _, k in remainders[:left]:
        floors[k] += 1
    return floors


def _quantity(u: Usage, driver: Driver) -> int:
    return u.handled_seconds if driver is Driver.MINUTES else u.visits


def _office_usage(usage: Iterable[Usage]) -> dict[int, dict[int, Usage]]:
    """office → agency → usage, summing duplicate rows."""
    by: dict[int, dict[int, Usage]] = defaultdict(dict)
    for u in usage:
        if u.visits < 0 or u.handled_seconds < 0:
            raise ValueError(f"negative usage: {u}")
        prev = by[u.office].get(u.agency)
        if prev is not None:
            u = replace(
                u,
                visits=prev.visits + u.visits,
                handled_seconds=prev.handled_seconds + u.handled_seconds,
            )
        by[u.office][u.agency] = u
    return by


def _share_at_office(
    pool: Pool,
    office: int,
    office_ore: int,
    at_office: Mapping[int, Usage],
    office_quantity: int = 0,
    network_quantity: int = 0,
) -> list[Line]:
    """Share `office_ore` of `pool` at `office` among the agencies, part by part."""
    parts = {i: p.weight for i, p in enumerate(pool.parts)}
    part_ore = largest_remainder(office_ore, parts)
    lines: list[Line] = []
    for i, part in enumerate(pool.parts):
        basis = part_ore[i]
        if part.driver is Driver.FIXED:
            quantities = {a: int(w) for a, w in pool.fixed_shares.items()}
        else:
            quantities = {a: _quantity(u, part.driver) for a, u in at_office.items()}
        basis_quantity = sum(quantities.values())
        if basis_quantity == 0:
            if basis == 0:
                continue
            raise AllocationError(
                f"pool {pool.key}: nothing to share by at office {office} "
                f"(driver {part.driver}, total 0)",
                pool=pool.key,
            )
        shares = largest_remainder(basis, quantities)
        for agency in sorted(quantities):
            if quantities[agency] == 0 and shares[agency] == 0:
                continue
            lines.append(
                Line(
                    pool=pool.key,
                    office=office,
                    agency=agency,
                    driver=part.driver,
                    amount_ore=shares[agency],
                    quantity=quantities[agency],
                    basis_quantity=basis_quantity,
                    basis_ore=basis,
                    office_ore=office_ore,
                    office_quantity=office_quantity,
                    network_quantity=network_quantity,
                )
            )
    return lines


def _validate(pool: Pool) -> None:
    if not pool.parts:
        raise AllocationError(f"pool {pool.key}: no driver", pool=pool.key)
    if any(p.weight <= 0 for p in pool.parts):
        raise AllocationError(f"pool {pool.key}: driver weights must be positive", pool=pool.key)
    if any(w < 0 for w in pool.fixed_shares.values()) or any(
        w < 0 for w in pool.office_shares.values()
    ):
        raise AllocationError(f"pool {pool.key}: negative fixed share", pool=pool.key)


def allocate(pools: Iterable[Pool], usage: Iterable[Usage]) -> list[Line]:
    """Share every pool among the agencies; returns the lines, every öre exactly once.

    `usage` is one period's figures (normally one month, from the statistics function
    `reports.queries.agency_usage`). Lines come pool by pool, then office, then agency, in
    ascending order. For each pool, Σ line.amount_ore == pool.amount_ore.

    Raises AllocationError when a pool with money has nothing to share by: an office pool by
    minutes or visits at an office with no use that month, a network pool whose offices have
    none, a fixed part without weights.
    """
    by_office = _office_usage(usage)
    lines: list[Line] = []
    for pool in pools:
        _validate(pool)
        if pool.office is not None:
            lines.extend(
                _share_at_office(pool, pool.office, pool.amount_ore, by_office.get(pool.office, {}))
            )
            continue
        # Network pool: to the offices first.
        if pool.office_driver is Driver.FIXED:
            office_q = {o: int(w) for o, w in pool.office_shares.items()}
        else:
            office_q = {
                o: sum(_quantity(u, pool.office_driver) for u in agencies.values())
                for o, agencies in by_office.items()
            }
        network_q = sum(office_q.values())
        if network_q == 0:
            if pool.amount_ore == 0:
                continue
            raise AllocationError(
                f"pool {pool.key}: no office has anything to share by "
                f"(office driver {pool.office_driver})",
                pool=pool.key,
            )
        office_ore = largest_remainder(pool.amount_ore, office_q)
        for office in sorted(office_q):
            if office_q[office] == 0:
                continue
            lines.extend(
                _share_at_office(
                    pool,
                    office,
                    office_ore[office],
                    by_office.get(office, {}),
                    office_quantity=office_q[office],
                    network_quantity=network_q,
                )
            )
    return lines


def with_driver(pools: Iterable[Pool], driver: Driver) -> list[Pool]:
    """The same pools, every one shared by `driver` alone (for comparing drivers).

    A network pool keeps its own office stage (office driver and office shares); only the
    split among agencies changes. Fixed weights stay as they are (``fixed`` needs them).
    """
    return [replace(p, parts=(Part(driver),)) for p in pools]


def totals_by_agency(lines: Iterable[Line]) -> dict[int, int]:
    """agency → öre over the lines."""
    out: dict[int, int] = defaultdict(int)
    for line in lines:
        out[line.agency] += line.amount_ore
    return dict(out)


@dataclass(frozen=True)
class Difference:
    """One agency's total under two allocations and the difference (b − a), in öre."""

    agency: int
    a_ore: int
    b_ore: int

    @property
    def difference_ore(self) -> int:
        return self.b_ore - self.a_ore


def compare(a: Iterable[Line], b: Iterable[Line]) -> list[Difference]:
    """Each agency's total under allocation `a` and `b`, ordered by agency.

    When both allocate the same pools, Σ a_ore == Σ b_ore and the differences sum to 0.
    """
    ta, tb = totals_by_agency(a), totals_by_agency(b)
    return [Difference(k, ta.get(k, 0), tb.get(k, 0)) for k in sorted(set(ta) | set(tb))]


@dataclass(frozen=True)
class Change:
    """A what-if: `agency` joins (`visits` > 0) or leaves (`leave`) `offices`.

    Joining adds `visits` a month at each office with `minutes_per_visit` each (an assumption
    the user states); leaving removes the agency's use at those offices. `fraction` (0–1] is
    the part of the month the change is in force (from the change date to the month's end).
    """

    agency: int
    offices: tuple[int, ...]
    visits: int = 0
    minutes_per_visit: Fraction = Fraction(0)
    leave: bool = False
    fraction: Fraction = Fraction(1)


def apply_change(usage: Sequence[Usage], change: Change) -> list[Usage]:
    """The month's usage as it would be with `change` (rounded down to whole visits and seconds)."""
    offices = set(change.offices)
    out: list[Usage] = []
    for u in usage:
        if change.leave and u.agency == change.agency and u.office in offices:
            keep = 1 - change.fraction
            out.append(
                replace(
                    u,
                    visits=int(u.visits * keep),
                    handled_seconds=int(u.handled_seconds * keep),
                )
            )
        else:
            out.append(u)
    if not change.leave:
        visits = int(change.visits * change.fraction)
        seconds = int(visits * change.minutes_per_visit * 60)
        out.extend(Usage(o, change.agency, visits, seconds) for o in sorted(offices))
    return out
