"""Demo cost pools and hourly costs for `manage.py load_demo` (`make run` only, settings.DEMO).

Every figure here is a DEMO ASSUMPTION, written into the rows' notes, not a fact about the
real offices: round numbers of the right order of magnitude so that the costs pages show
something a reader can follow. The reasoning (docs/costs.md, "Demo data"):

- a service officer costs 290 kr an hour (assumed salary 32 000 kr a month × 1.46 for the
  employer's social fees, pension and insurance, over 160 paid hours), an office manager
  410 kr (45 000 kr a month, same factor);
- each office has 6 full-time officers and 1 manager (≈ 800 officers over ≈ 115 offices),
  160 paid hours each a month, priced by `services.derive_staff_pools`; an outreach stop has
  no staff hours or premises of its own (its officers are the staffing office's);
- premises 60 000 kr a month per office (300 m² × 2 400 kr/m² a year), half by fixed equal
  shares of the agencies offered there, half by handled minutes;
- the network: head office 2 500 000 kr a month (to the offices and agencies by handled
  minutes) and IT 1 200 000 kr (by visits).

Idempotent: pools, shares, rates and hours are created or updated by their natural keys; a
settled month is left alone. The months are those `make run`'s `simulate --weeks 8` fills: from
the month of the day eight weeks ago to the month of yesterday.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from servicekontor.accounts.models import Role
from servicekontor.costs import services
from servicekontor.costs.models import (
    Category,
    CostPool,
    DriverChoice,
    HourlyRate,
    OfficeDriver,
    PoolShare,
    PoolSource,
    Settlement,
    StaffHours,
)
from servicekontor.costs.periods import month_end, months
from servicekontor.network.models import Offering, Office, OfficeKind

DEMO = "Demo assumption: "
RATES_ORE = {
    Role.SERVICE_OFFICER: (29_000, DEMO + "32 000 kr/month × 1.46 (fees, pension) / 160 h"),
    Role.OFFICE_MANAGER: (41_000, DEMO + "45 000 kr/month × 1.46 (fees, pension) / 160 h"),
}
HOURS = {Role.SERVICE_OFFICER: Decimal(6 * 160), Role.OFFICE_MANAGER: Decimal(160)}
PREMISES_ORE = 6_000_000
HEAD_OFFICE_ORE = 250_000_000
IT_ORE = 120_000_000
HISTORY_WEEKS = 8  # as `make run` simulates


def demo_months(today: dt.date) -> list[dt.date]:
    """First days of the months from eight weeks before `today` to yesterday's month."""
    return months(today - dt.timedelta(weeks=HISTORY_WEEKS), today - dt.timedelta(days=1))


@transaction.atomic
def seed_demo_costs(*, today: dt.date) -> list[dt.date]:
    """Create or update the demo's pools, fixed shares, hourly costs and staff hours for each
    open month of `demo_months(today)`, and derive the staff pools; returns the months."""
    seeded = []
    settled = set(Settlement.objects.values_list("month", flat=True))
    first = demo_months(today)[0]
    for role, (ore, note) in RATES_ORE.items():
        HourlyRate.objects.update_or_create(
            role=role, valid_from=first, defaults={"ore_per_hour": ore, "note": note}
        )
    for month in demo_months(today):
        if month in settled:
            continue
        last = month_end(month)
        # Offices, not outreach stops: a stop (the demo's bus on Arjeplog's square) has no
        # premises of its own, and its officers are those of the office that staffs it,
        # whose hours count them; a stop priced as an office showed 6 officers and 300 m²
        # for four hours a week.
        offices = list(
            Office.objects.operating_on(month)
            .operating_on(last)
            .filter(kind=OfficeKind.OFFICE)
            .order_by("pk")
        )
        offered: dict[int, set[int]] = {}
        for office_id, agency_id in (
            Offering.objects.valid_on(month)
            .filter(office__in=offices)
            .values_list("office_id", "service__agency_id")
        ):
            offered.setdefault(office_id, set()).add(agency_id)
        _drop_earlier_demo_at_stops(month)
        for office in offices:
            for role, hours in HOURS.items():
                StaffHours.objects.update_or_create(
                    office=office, month=month, role=role, defaults={"hours": hours}
                )
            agencies = offered.get(office.pk)
            pool, _created = CostPool.objects.update_or_create(
                month=month,
                office=office,
                category=Category.PREMISES,
                name="Hyra",
                defaults={
                    "amount_ore": PREMISES_ORE,
                    "driver": DriverChoice.MIX if agencies else DriverChoice.MINUTES,
                    "fixed_weight": 50 if agencies else 0,
                    "minutes_weight": 50 if agencies else 0,
                    "note": DEMO + "300 m² × 2 400 kr/m² a year; half fixed, half minutes",
                },
            )
            pool.shares.exclude(agency_id__in=agencies or ()).delete()
            for agency_id in sorted(agencies or ()):
                PoolShare.objects.update_or_create(
                    pool=pool, agency_id=agency_id, defaults={"weight": 1}
                )
        for category, name, amount, driver, note in (
            (
                Category.OVERHEAD,
                "Huvudkontor",
                HEAD_OFFICE_ORE,
                DriverChoice.MINUTES,
                "head office, to offices and agencies by handled minutes",
            ),
            (Category.IT, "IT-drift", IT_ORE, DriverChoice.VISITS, "IT, by visits"),
        ):
            CostPool.objects.update_or_create(
                month=month,
                office=None,
                category=category,
                name=name,
                defaults={
                    "amount_ore": amount,
                    "driver": driver,
                    "office_driver": OfficeDriver(driver),
                    "note": DEMO + note,
                },
            )
        services.derive_staff_pools(month=month)
        seeded.append(month)
    return seeded


def _drop_earlier_demo_at_stops(month: dt.date) -> None:
    """What an earlier demo wrote for `month` at outreach stops, as if each were an office,
    and nobody has edited since: its staff hours, its premises pool and the staff pool
    derived from those hours (re-derived for the month after this)."""
    stops = Office.objects.filter(kind=OfficeKind.OUTREACH)
    for role, hours in HOURS.items():
        StaffHours.objects.filter(office__in=stops, month=month, role=role, hours=hours).delete()
    CostPool.objects.filter(
        office__in=stops,
        month=month,
        category=Category.PREMISES,
        name="Hyra",
        amount_ore=PREMISES_ORE,
        note__startswith=DEMO,
    ).delete()
    CostPool.objects.filter(office__in=stops, month=month, source=PoolSource.DERIVED).exclude(
        office__in=StaffHours.objects.filter(month=month).values("office")
    ).delete()


def on_demo_loaded(sender: object, *, today: dt.date, **kwargs: object) -> None:
    """Receiver of `public.signals.demo_loaded` (connected in `CostsConfig.ready`)."""
    seed_demo_costs(today=today)
