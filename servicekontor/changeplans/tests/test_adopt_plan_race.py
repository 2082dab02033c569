"""Adoption under concurrency (PostgreSQL): one adoption per plan, and a plan never writes
over what another writer put in the registry meanwhile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from servicekontor.changeplans import services
from servicekontor.changeplans.models import AdoptedRow, ChangeKind, PlanStatus
from servicekontor.network.models import Offering, Office
from servicekontor.network.services import add_offering
from tests.factories import race

from .conftest import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2027, 3, 1)


def _af_plan(world, name: str, codes: list[str]):
    plan = services.create_plan(user=None, name=name)
    services.add_change(
        plan=plan, kind=ChangeKind.ADD_SERVICES, on_date=DAY, office_codes=codes, agency=world.af
    )
    return plan


def test_adopt__same_plan_from_four_sessions__adopted_once():
    world = build_world()
    plan = _af_plan(world, "AF", [o.code for o in world.offices[:10]])

    outcomes = race(4, lambda i: services.adopt_plan(plan=plan, user=None))

    adopted = [o for o in outcomes if isinstance(o, services.Adoption)]
    refused = [o for o in outcomes if isinstance(o, services.NotADraft)]
    assert len(adopted) == 1 and len(refused) == 3, outcomes
    assert Offering.objects.filter(service__agency=world.af).count() == 10 * 2
    assert AdoptedRow.objects.count() == 20


def test_adopt__two_plans_on_the_same_offices__the_second_is_refused_whole():
    world = build_world()
    a = _af_plan(world, "A", [o.code for o in world.offices[0:10]])
    b = _af_plan(world, "B", [o.code for o in world.offices[5:15]])

    outcomes = race(2, lambda i: services.adopt_plan(plan=(a, b)[i], user=None))

    adopted = [o for o in outcomes if isinstance(o, services.Adoption)]
    refused = [o for o in outcomes if isinstance(o, services.AdoptionConflict)]
    assert len(adopted) == 1 and len(refused) == 1, outcomes
    winner = adopted[0].plan
    offices = set(
        Offering.objects.filter(service__agency=world.af).values_list("office__code", flat=True)
    )
    expected = world.offices[0:10] if winner.name == "A" else world.offices[5:15]
    assert offices == {o.code for o in expected}
    loser = b if winner.name == "A" else a
    loser.refresh_from_db()
    assert loser.status == PlanStatus.DRAFT
    assert not AdoptedRow.objects.filter(plan=loser).exists()


def test_adopt__racing_an_administrators_offering__one_of_them_wins_cleanly():
    world = build_world()
    plan = _af_plan(world, "AF", [o.code for o in world.offices[:10]])
    office = Office.objects.get(code=world.offices[3].code)

    def work(i: int):
        if i == 0:
            return services.adopt_plan(plan=plan, user=None)
        return add_offering(office=office, service=world.af_services[0], valid_from=DAY)

    outcomes = race(2, work)
    ok = [o for o in outcomes if not isinstance(o, BaseException)]
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(ok) == 1 and len(failed) == 1, outcomes
    assert isinstance(failed[0], services.AdoptionConflict | ValidationError)
    at_office = Offering.objects.filter(office=office, service=world.af_services[0]).count()
    assert at_office == 1
    total = Offering.objects.filter(service__agency=world.af).count()
    assert total == (20 if isinstance(ok[0], services.Adoption) else 1)
