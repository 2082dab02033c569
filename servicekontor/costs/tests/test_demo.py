"""`manage.py load_demo` gives the costs pages something to show: demo pools and hourly costs,
marked as demo assumptions, created once however often the command runs."""

import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from servicekontor.core.clock import STOCKHOLM
from servicekontor.costs.demo import demo_months
from servicekontor.costs.models import CostPool, HourlyRate, PoolSource, Settlement, StaffHours
from servicekontor.network.reference_data import load_reference_data

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


def test_demo_months__the_eight_simulated_weeks():
    assert demo_months(TODAY) == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    # on the first of a month the month just begun has no history yet
    assert demo_months(dt.date(2026, 12, 1))[-1] == dt.date(2026, 11, 1)


@override_settings(DEMO=True)
def test_load_demo__costs_pools_and_rates__marked_and_idempotent():
    load_reference_data(settings.REFERENCE_DATA_DIR)
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, tzinfo=STOCKHOLM), tick=False):
        call_command("load_demo", stdout=io.StringIO())
        counts = (CostPool.objects.count(), HourlyRate.objects.count(), StaffHours.objects.count())
        call_command("load_demo", stdout=io.StringIO())
    assert counts == (
        CostPool.objects.count(),
        HourlyRate.objects.count(),
        StaffHours.objects.count(),
    )
    assert counts[0] > 0
    assert set(CostPool.objects.values_list("month", flat=True)) == set(demo_months(TODAY))
    entered = CostPool.objects.exclude(source=PoolSource.DERIVED)
    assert all(p.note.startswith("Demo assumption") for p in entered)
    assert all(r.note.startswith("Demo assumption") for r in HourlyRate.objects.all())
    # staff pool per office: 6 × 160 h × 290 kr + 160 h × 410 kr = 344 000 kr
    derived = CostPool.objects.filter(source=PoolSource.DERIVED)
    assert derived.exists()
    assert set(derived.values_list("amount_ore", flat=True)) == {34_400_000}
    assert not Settlement.objects.exists()


@override_settings(DEMO=True)
def test_load_demo__settled_month_left_alone():
    load_reference_data(settings.REFERENCE_DATA_DIR)
    Settlement.objects.create(month=dt.date(2026, 10, 1), pools_ore=0)
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, tzinfo=STOCKHOLM), tick=False):
        call_command("load_demo", stdout=io.StringIO())
    assert not CostPool.objects.filter(month=dt.date(2026, 10, 1)).exists()
    assert CostPool.objects.filter(month=dt.date(2026, 11, 1)).exists()
