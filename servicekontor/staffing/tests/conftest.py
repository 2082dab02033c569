"""The statistics personas (admin, tax_analyst, fk_analyst, manager of `office`) on the
queue's world, and `history`: ten weeks of arrivals at `office` in the rollups before the
week planned (2026-W50: Monday 7 December 2026)."""

import datetime as dt

import pytest

from servicekontor.network.models import ServicePoint
from servicekontor.reports.models import HourFigures
from servicekontor.reports.tests import conftest as report_fixtures

clock_at = report_fixtures.clock_at
fast_passwords = report_fixtures.fast_passwords
world = report_fixtures.world
people = report_fixtures.people

MONDAY = dt.date(2026, 12, 7)
WEEK = "2026-W50"
#: arrivals per hour 10..15 at Skatteverket (`tax`) and Försäkringskassan (`parental`)
TAX = (6, 9, 12, 10, 8, 4)
PARENTAL = (2, 3, 4, 3, 2, 1)


@pytest.fixture
def history(world):
    rows = []
    for i in range(70, 0, -1):
        day = MONDAY - dt.timedelta(days=i)
        if day.weekday() >= 5:
            continue
        bump = 1 + (day.weekday() == 0) + (i % 3 == 0)  # some variation
        for service, agency, per_hour in (
            (world.tax, world.skatteverket, TAX),
            (world.parental, world.fk, PARENTAL),
        ):
            for k, n in enumerate(per_hour):
                rows.append(
                    HourFigures(
                        office=world.office,
                        service=service,
                        agency=agency,
                        local_day=day,
                        hour=10 + k,
                        arrivals=n + bump,
                    )
                )
    HourFigures.objects.bulk_create(rows)
    # desks enough for this demand (the world has 2): the plan is held to the desks
    # (dimensioning.at_most_desks), which test_plan_within_the_desks tests on its own
    ServicePoint.objects.bulk_create(
        ServicePoint(office=world.office, number=n) for n in range(3, 21)
    )
    return world
