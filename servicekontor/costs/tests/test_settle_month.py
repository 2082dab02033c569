"""Settling a month: the worked example stored, frozen, once."""

import datetime as dt

import pytest

from servicekontor.costs import services
from servicekontor.costs.errors import AlreadySettled, CannotAllocate, NotFirstOfMonth
from servicekontor.costs.models import (
    Category,
    CostPool,
    Settlement,
    SettlementLine,
    SettlementUsage,
)

from .conftest import MONTH


def _totals(month):
    out: dict[int, int] = {}
    for ln in SettlementLine.objects.filter(month=month):
        out[ln.agency_id] = out.get(ln.agency_id, 0) + ln.amount_ore
    return out


def test_settle_month__stores_the_worked_example(world):
    settlement = services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    assert settlement.pools_ore == 15_200_000
    assert settlement.settled_by == world.admin
    assert _totals(MONTH) == {world.f.pk: 5_036_667, world.p.pk: 3_000_000, world.s.pk: 7_163_333}
    assert SettlementUsage.objects.filter(settlement=settlement).count() == 5
    it = SettlementLine.objects.get(
        pool=world.pools["network-it"], office=world.lulea, agency=world.f
    )
    # The controller's figures: 2 000,00 kr reached Luleå (1 000 of 6 000 minutes), then
    # 600 of Luleå's 1 000 minutes.
    assert (it.office_ore, it.office_quantity, it.network_quantity) == (200_000, 60_000, 360_000)
    assert (it.amount_ore, it.quantity, it.basis_quantity) == (120_000, 36_000, 60_000)


def test_settle_month__twice_is_refused(world):
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    with pytest.raises(AlreadySettled) as exc:
        services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    assert exc.value.http_status == 409
    assert Settlement.objects.count() == 1


def test_settle_month__not_first_day(world):
    with pytest.raises(NotFirstOfMonth):
        services.settle_month(month=dt.date(2025, 3, 2), by=world.admin, usage=[])


def test_settle_month__pool_without_use_names_the_pool_and_writes_nothing(world):
    usage = [u for u in world.usage() if u.office != world.lulea.pk]
    with pytest.raises(CannotAllocate) as exc:
        services.settle_month(month=MONTH, by=world.admin, usage=usage)
    assert "Luleå" in str(exc.value.message)
    assert not Settlement.objects.exists()
    assert not SettlementLine.objects.exists()


def test_settle_month__pools_of_settled_month_cannot_be_locked_open(world):
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    with pytest.raises(AlreadySettled):
        services.lock_open_month(month=MONTH)


def test_derive_staff_pools__hours_times_rate(world):
    from decimal import Decimal

    from servicekontor.costs.errors import MissingRate
    from servicekontor.costs.models import HourlyRate, StaffHours

    april = dt.date(2025, 4, 1)
    StaffHours.objects.create(
        office=world.kista, month=april, role="service_officer", hours=Decimal("160.5")
    )
    StaffHours.objects.create(
        office=world.kista, month=april, role="office_manager", hours=Decimal("80")
    )
    HourlyRate.objects.create(
        role="service_officer", valid_from=dt.date(2025, 1, 1), ore_per_hour=45_033
    )
    with pytest.raises(MissingRate, match="Kontorschef"):  # the label, not the code
        services.derive_staff_pools(month=april)
    HourlyRate.objects.create(
        role="office_manager", valid_from=dt.date(2024, 1, 1), ore_per_hour=60_000
    )
    HourlyRate.objects.create(
        role="office_manager", valid_from=dt.date(2025, 5, 1), ore_per_hour=99_999
    )  # not yet in force in April
    [pool] = services.derive_staff_pools(month=april)
    # 160,5 h × 450,33 kr = 72 277,965 kr → 7 227 797 öre (half up); 80 h × 600 kr = 48 000 kr.
    assert pool.amount_ore == 7_227_797 + 4_800_000
    assert pool.category == Category.STAFF
    again = services.derive_staff_pools(month=april)
    assert again[0].pk == pool.pk
    assert CostPool.objects.filter(month=april).count() == 1
    # named by its meaning, not its code name (walk F22: "Boden · derived")
    from django.utils import translation

    from servicekontor.costs.forms import _settled_pool_choices

    Settlement.objects.create(month=april, settled_by=world.admin, pools_ore=0)
    for language, words in (("sv", "Personal (från timmar)"), ("en", "Staff (from hours)")):
        with translation.override(language):
            assert pool.label == words and words in str(pool)
            labels = [label for _m, options in _settled_pool_choices() for _pk, label in options]
            assert f"{world.kista.name} · {words}" in labels
            assert not [label for label in labels if "derived" in label]


def test_settle_month__agency_and_office_with_lines_cannot_be_deleted(world):
    from django.db.models import ProtectedError

    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    for obj in (world.p, world.lulea):
        with pytest.raises(ProtectedError) as exc:
            obj.delete()
        assert any(isinstance(o, SettlementLine) for o in exc.value.protected_objects)
