"""A small costs world: the worked example of docs/costs.md as database rows.

Personas: `admin` (network administrator, sees all), `fk_analyst` (Försäkringskassan's analyst,
sees only F), `officer` (sees no costs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from servicekontor.accounts.models import User
from servicekontor.catalog.models import Agency
from servicekontor.costs.allocation import Usage
from servicekontor.costs.models import Category, CostPool, DriverChoice, PoolShare
from servicekontor.network.models import Office
from tests.factories import make_agency, make_office, make_user

MONTH = dt.date(2025, 3, 1)


@dataclass
class World:
    kista: Office
    lulea: Office
    f: Agency
    p: Agency
    s: Agency
    admin: User
    fk_analyst: User
    officer: User
    pools: dict[str, CostPool]

    def usage(self, factor: int = 1) -> list[Usage]:
        k, lu, f, p, s = self.kista.pk, self.lulea.pk, self.f.pk, self.p.pk, self.s.pk
        return [
            Usage(k, f, 100 * factor, 1500 * 60 * factor),
            Usage(k, p, 50 * factor, 1000 * 60 * factor),
            Usage(k, s, 150 * factor, 2500 * 60 * factor),
            Usage(lu, f, 40 * factor, 600 * 60 * factor),
            Usage(lu, s, 20 * factor, 400 * 60 * factor),
        ]


def add_pools(w: World, month: dt.date) -> dict[str, CostPool]:
    pools = {
        "kista-staff": CostPool.objects.create(
            month=month, office=w.kista, category=Category.STAFF, amount_ore=10_000_000
        ),
        "kista-premises": CostPool.objects.create(
            month=month,
            office=w.kista,
            category=Category.PREMISES,
            amount_ore=3_000_000,
            driver=DriverChoice.MIX,
            fixed_weight=50,
            minutes_weight=50,
        ),
        "lulea-staff": CostPool.objects.create(
            month=month,
            office=w.lulea,
            category=Category.STAFF,
            amount_ore=1_000_000,
            driver=DriverChoice.VISITS,
        ),
        "network-it": CostPool.objects.create(
            month=month, office=None, category=Category.IT, amount_ore=1_200_000
        ),
    }
    for agency in (w.f, w.p, w.s):
        PoolShare.objects.create(pool=pools["kista-premises"], agency=agency, weight=1)
    return pools


def build_world() -> World:
    f = make_agency(code="forsakringskassan", letter="F", name_sv="Försäkringskassan")
    p = make_agency(code="pensionsmyndigheten", letter="P", name_sv="Pensionsmyndigheten")
    s = make_agency(code="skatteverket", letter="S", name_sv="Skatteverket")
    kista = make_office(code="kista", name="Kista")
    lulea = make_office(code="lulea", name="Luleå")
    w = World(
        kista=kista,
        lulea=lulea,
        f=f,
        p=p,
        s=s,
        admin=make_user(role="network_admin"),
        fk_analyst=make_user(role="agency_analyst", analyst_agency=f),
        officer=make_user(offices=[kista], agencies=[f]),
        pools={},
    )
    w.pools = add_pools(w, MONTH)
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()
