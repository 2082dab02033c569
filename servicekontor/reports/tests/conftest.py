"""Personas for the statistics tests, on top of the queue's world (office, other_office,
Skatteverket `tax`/`id_card`, Försäkringskassan `parental`; officers alice and bob).

admin:        network administrator: sees everything.
tax_analyst:  agency analyst of Skatteverket: only Skatteverket, at every office.
fk_analyst:   agency analyst of Försäkringskassan: only Försäkringskassan.
manager:      office manager of `office` only.
alice:        a service officer: no statistics at all.

`served_world` adds a day of visits: at `office` two Skatteverket visits served (one with an
interpreter, Somali) and one Försäkringskassan visit served; at `other_office` one
Skatteverket visit served by charlie.
"""

import datetime as dt
from dataclasses import dataclass

import pytest

from servicekontor.accounts.models import User
from servicekontor.core.testing import make_offering, make_user
from servicekontor.queueing import services
from servicekontor.queueing.tests import conftest as queue_fixtures
from servicekontor.queueing.tests.conftest import World

# The queue's fixtures, shared (pytest finds fixtures by name in this module).
clock_at = queue_fixtures.clock_at
fast_passwords = queue_fixtures.fast_passwords
world = queue_fixtures.world


@dataclass
class People:
    admin: User
    tax_analyst: User
    fk_analyst: User
    manager: User


@pytest.fixture
def people(world) -> People:
    return People(
        admin=make_user(role="network_admin", username="admin"),
        tax_analyst=make_user(
            role="agency_analyst", analyst_agency=world.skatteverket, username="tax_analyst"
        ),
        fk_analyst=make_user(role="agency_analyst", analyst_agency=world.fk, username="fk_analyst"),
        manager=make_user(role="office_manager", offices=[world.office], username="manager"),
    )


def serve(world: World, clock_at, *, officer, service, office=None, minutes=5, **finish):
    visit = services.issue_ticket(office=office or world.office, service=service)
    clock_at.shift(dt.timedelta(minutes=2))
    services.call_next(officer=officer)
    services.start_service(officer=officer, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=minutes))
    services.finish_visit(officer=officer, visit_id=visit.pk, outcome="resolved", **finish)
    return visit


@pytest.fixture
def served_world(world, clock_at, people) -> World:
    serve(world, clock_at, officer=world.alice, service=world.tax)
    serve(
        world,
        clock_at,
        officer=world.alice,
        service=world.tax,
        interpreter_used=True,
        interpreter_language="so",
    )
    serve(world, clock_at, officer=world.alice, service=world.parental, minutes=9)
    make_offering(office=world.other_office, service=world.tax)
    services.sign_in_at_desk(
        officer=world.charlie, service_point=world.other_office.service_points.first()
    )
    serve(world, clock_at, officer=world.charlie, service=world.tax, office=world.other_office)
    return world
