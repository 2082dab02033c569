"""A plan's evaluation is remembered by its inputs (`core.memo`): read again it is the
evaluation computed afresh, and after a change of the plan, the registry or the cost pools it
is the new one, never the one remembered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from servicekontor.changeplans import exports, queries, services
from servicekontor.changeplans.models import ChangeKind
from servicekontor.costs.models import Category, CostPool, HourlyRate
from servicekontor.network import registry_cache
from servicekontor.network.models import Office

pytestmark = pytest.mark.django_db


def _tables(plan):
    ev = queries.evaluate_plan(plan)
    return [
        exports.steps_table(ev),
        exports.counties_table(ev),
        exports.offices_table(ev),
        exports.moves_table(ev),
    ]


def _fresh(plan):
    cache.clear()
    return _tables(plan)


def test_evaluation__read_again_and_after_changes__as_computed_afresh(world):
    HourlyRate.objects.create(
        role="service_officer", valid_from=dt.date(2020, 1, 1), ore_per_hour=45_000
    )
    plan = services.create_plan(user=world.nadia, name="Remembered")
    services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 3, 1), office_codes=["o03"]
    )
    first = _fresh(plan)
    assert _tables(plan) == first  # from the cache

    # the plan changes
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        on_date=dt.date(2027, 5, 1),
        office_codes=[o.code for o in world.offices[5:10]],
        agency=world.af,
    )
    changed = _tables(plan)
    assert changed != first
    assert _fresh(plan) == changed

    # the registry changes (another office closes before the plan's steps)
    Office.objects.filter(code="o07").update(closed_on=dt.date(2027, 2, 1))
    registry_cache.registry_changed()
    closed = _tables(plan)
    assert closed != changed
    assert _fresh(plan) == closed

    # the cost pools change
    CostPool.objects.create(
        month=dt.date(2026, 10, 1),
        office=world.offices[0],
        category=Category.PREMISES,
        name="Hyra",
        amount_ore=3_000_000,
    )
    pooled = _tables(plan)
    assert pooled != closed
    assert _fresh(plan) == pooled
