"""Settling the same month from several sessions at once gives one settlement (PostgreSQL)."""

import pytest

from servicekontor.costs import services
from servicekontor.costs.errors import AlreadySettled
from servicekontor.costs.models import Correction, Settlement, SettlementLine
from tests.factories import race

from .conftest import MONTH, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def test_settle_month__concurrent_settles_make_one_settlement():
    world = build_world()
    usage = world.usage()

    outcomes = race(THREADS, lambda i: services.settle_month(month=MONTH, by=None, usage=usage))

    settled = [o for o in outcomes if isinstance(o, Settlement)]
    refused = [o for o in outcomes if isinstance(o, AlreadySettled)]
    assert len(settled) == 1, outcomes
    assert len(refused) == THREADS - 1, outcomes
    assert Settlement.objects.count() == 1
    assert sum(SettlementLine.objects.values_list("amount_ore", flat=True)) == 15_200_000


def test_correct_and_settle_next_month__no_adjustment_is_lost():
    """A correction racing the settlement of the month it books into: its adjustments are
    either in that settlement or booked into the month after, never left behind."""
    world = build_world()
    usage = world.usage()
    services.settle_month(month=MONTH, by=None, usage=usage)
    import datetime as dt

    from .conftest import add_pools

    april = dt.date(2025, 4, 1)
    add_pools(world, april)
    staff = world.pools["kista-staff"]

    def work(i: int):
        if i == 0:
            return services.settle_month(month=april, by=None, usage=usage)
        return services.correct_settled_month(
            month=MONTH,
            by=None,
            reason="late invoice",
            amounts={staff.pk: 10_100_000},
            usage=usage,
        )

    outcomes = race(2, work)
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    corr = Correction.objects.get()
    april_settlement = Settlement.objects.get(month=april)
    pending = SettlementLine.objects.filter(correction=corr, settlement__isnull=True)
    if corr.booked_into == april:
        assert not pending.exists()
        assert april_settlement.adjustments_ore == 100_000
    else:
        assert corr.booked_into == dt.date(2025, 5, 1)
        assert sum(pending.values_list("amount_ore", flat=True)) == 100_000
        assert april_settlement.adjustments_ore == 0
