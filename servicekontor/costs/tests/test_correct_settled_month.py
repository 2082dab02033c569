"""Corrections: a settled month stays frozen; differences land in the next open month."""

import datetime as dt

import pytest

from servicekontor.costs import services
from servicekontor.costs.errors import BadInput, NothingToCorrect, NotSettled
from servicekontor.costs.models import Correction, LineKind, SettlementLine

from .conftest import MONTH, add_pools

APRIL, MAY = dt.date(2025, 4, 1), dt.date(2025, 5, 1)


def _sum(**filters):
    return sum(ln.amount_ore for ln in SettlementLine.objects.filter(**filters))


def test_correct__pool_amount_books_the_difference_into_next_open_month(world):
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    frozen = list(SettlementLine.objects.values_list("pk", "amount_ore"))
    # Kista's staff was 1 000,00 kr too low.
    staff = world.pools["kista-staff"]
    corr = services.correct_settled_month(
        month=MONTH,
        by=world.admin,
        reason="Invoice 4711 came late",
        amounts={staff.pk: 10_100_000},
        usage=world.usage(),
    )
    assert (corr.month, corr.booked_into, corr.total_ore) == (MONTH, APRIL, 100_000)
    assert corr.created_by == world.admin
    assert (
        list(
            SettlementLine.objects.filter(kind=LineKind.ALLOCATION).values_list("pk", "amount_ore")
        )
        == frozen
    )
    adj = {
        ln.agency_id: ln.amount_ore
        for ln in SettlementLine.objects.filter(kind=LineKind.ADJUSTMENT)
    }
    assert adj == {world.f.pk: 30_000, world.p.pk: 20_000, world.s.pk: 50_000}
    assert all(
        ln.month == APRIL and ln.settlement_id is None
        for ln in SettlementLine.objects.filter(kind=LineKind.ADJUSTMENT)
    )

    # April is settled: its adjustments become part of it.
    add_pools(world, APRIL)
    april = services.settle_month(month=APRIL, by=world.admin, usage=world.usage())
    assert april.adjustments_ore == 100_000
    assert _sum(settlement=april) == april.pools_ore + 100_000


def test_correct__twice_books_only_the_new_difference_and_skips_settled_months(world):
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    add_pools(world, APRIL)
    services.settle_month(month=APRIL, by=world.admin, usage=world.usage())
    staff = world.pools["kista-staff"]
    services.correct_settled_month(
        month=MONTH, by=world.admin, reason="a", amounts={staff.pk: 10_100_000}, usage=world.usage()
    )
    second = services.correct_settled_month(
        month=MONTH, by=world.admin, reason="b", amounts={staff.pk: 10_000_000}, usage=world.usage()
    )
    assert second.booked_into == MAY
    assert second.total_ore == -100_000
    assert _sum(kind=LineKind.ADJUSTMENT) == 0
    # Charged for March in all: back to the pools.
    with pytest.raises(NothingToCorrect):
        services.correct_settled_month(month=MONTH, by=world.admin, reason="c", usage=world.usage())


def test_correct__later_usage_moves_money_between_agencies(world):
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    usage = world.usage()
    usage[1] = type(usage[1])(usage[1].office, usage[1].agency, 50, 2000 * 60)  # P at Kista
    corr = services.correct_settled_month(
        month=MONTH, by=world.admin, reason="Late events", usage=usage
    )
    assert corr.total_ore == 0
    assert _sum(kind=LineKind.ADJUSTMENT, agency=world.p) > 0


def test_correct__needs_settled_month_and_reason(world):
    with pytest.raises(NotSettled):
        services.correct_settled_month(month=MONTH, by=world.admin, reason="x", usage=world.usage())
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    with pytest.raises(BadInput, match="varför"):
        services.correct_settled_month(
            month=MONTH, by=world.admin, reason="  ", usage=world.usage()
        )
    assert not Correction.objects.exists()
