"""The staff a what-if needs, and what it costs: officer hours per office × a cost per hour.

Pure: plain data in, plain data out, no Django. `costs.queries.what_if` gets the hours from
the staffing plan (`staffing.queries.network_plan`: officers needed per hour by Erlang C / A,
with the occupancy cap and shrinkage, summed over the month's open hours — docs/staffing.md)
once as the offices are and once with the change, and prices them here.

The change is in force for a part ``in_force`` of the month (from its date to the month's end,
in calendar days, as the cost what-if counts it), so the month's hours with the change are
``today + (with_change − today) × in_force``; the FTE are those hours by
`staffing.dimensioning.fte` (the one definition: 8 h a working day of the month). Money is integer öre; each
office's cost is ``hours × öre per hour`` rounded half up to the öre once, and the totals sum
those rounded office figures, so every table adds up to the öre.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from servicekontor.staffing import dimensioning


@dataclass(frozen=True)
class OfficeNeed:
    """The staffing plan's figures for one office and month, without (`today`) and with the
    change in force the whole month: scheduled officer hours, and the month's working days
    (Monday–Friday) by which they are full-time equivalents (`dimensioning.fte`)."""

    office: int
    hours_today: float
    hours_with_change: float
    working_days: int
    #: with the change, the target needs more officers at the desks at once than the office
    #: has desks (`staffing.queries.NetworkRow.beyond_desks`): those hours cannot be staffed
    beyond_desks_with_change: bool = False


@dataclass(frozen=True)
class OfficeStaffCost:
    """One office's staff need in the month as it is (a) and with the change from its date
    (b): hours, FTE and cost (öre); `difference_ore` = b − a."""

    office: int
    hours_a: Fraction
    hours_b: Fraction
    fte_a: Fraction
    fte_b: Fraction
    cost_a_ore: int
    cost_b_ore: int

    @property
    def hours_difference(self) -> Fraction:
        return self.hours_b - self.hours_a

    @property
    def fte_difference(self) -> Fraction:
        return self.fte_b - self.fte_a

    @property
    def difference_ore(self) -> int:
        return self.cost_b_ore - self.cost_a_ore


@dataclass(frozen=True)
class StaffCost:
    """The staff part of a what-if: per office, the rate used and the totals (öre)."""

    offices: tuple[OfficeStaffCost, ...]
    ore_per_hour: int
    in_force: Fraction

    @property
    def hours_a(self) -> Fraction:
        return sum((o.hours_a for o in self.offices), Fraction(0))

    @property
    def hours_b(self) -> Fraction:
        return sum((o.hours_b for o in self.offices), Fraction(0))

    @property
    def fte_a(self) -> Fraction:
        return sum((o.fte_a for o in self.offices), Fraction(0))

    @property
    def fte_b(self) -> Fraction:
        return sum((o.fte_b for o in self.offices), Fraction(0))

    @property
    def cost_a_ore(self) -> int:
        return sum(o.cost_a_ore for o in self.offices)

    @property
    def cost_b_ore(self) -> int:
        return sum(o.cost_b_ore for o in self.offices)

    @property
    def difference_ore(self) -> int:
        return self.cost_b_ore - self.cost_a_ore


def ore_for_hours(hours: Fraction, ore_per_hour: int) -> int:
    """``hours × ore_per_hour`` rounded half up (away from zero) to whole öre."""
    exact = Fraction(hours) * ore_per_hour
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def price(needs: Iterable[OfficeNeed], *, ore_per_hour: int, in_force: Fraction) -> StaffCost:
    """Price each office's need: hours (a) today, (b) today + (with − today) × `in_force`;
    cost = hours × `ore_per_hour` (öre), rounded once per office (module docstring).

    `in_force` is in [0, 1]; `ore_per_hour` > 0; hours ≥ 0, working days > 0 (floats from the plan are
    taken exactly). Raises ValueError otherwise. Offices come out in ascending id order.
    """
    if not 0 <= in_force <= 1:
        raise ValueError("in_force must be within [0, 1]")
    if ore_per_hour <= 0:
        raise ValueError("ore_per_hour must be positive")
    out = []
    for n in sorted(needs, key=lambda n: n.office):
        values = (n.hours_today, n.hours_with_change)
        if any(v < 0 for v in values):
            raise ValueError(f"negative hours at office {n.office}")
        h0, h1 = (Fraction(v) for v in values)
        hours_b = h0 + (h1 - h0) * in_force
        out.append(
            OfficeStaffCost(
                office=n.office,
                hours_a=h0,
                hours_b=hours_b,
                fte_a=dimensioning.fte(h0, working_days=n.working_days),
                fte_b=dimensioning.fte(hours_b, working_days=n.working_days),
                cost_a_ore=ore_for_hours(h0, ore_per_hour),
                cost_b_ore=ore_for_hours(hours_b, ore_per_hour),
            )
        )
    return StaffCost(offices=tuple(out), ore_per_hour=ore_per_hour, in_force=Fraction(in_force))
