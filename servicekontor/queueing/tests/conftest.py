"""The queue tests' world, with the personas of `tests/factories.py` (one meaning everywhere).

alice: officer at the office, trained for Skatteverket (S) and Försäkringskassan (F), at desk 1.
bob:   officer at the office, trained for Skatteverket only, at desk 2.
charlie: officer at another office; must not act here.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine

from servicekontor.accounts.models import User
from servicekontor.catalog.models import Agency, Service
from servicekontor.core.clock import STOCKHOLM
from servicekontor.network.models import Office, ServicePoint
from servicekontor.queueing import services
from tests.factories import (
    make_agency,
    make_capability,
    make_offering,
    make_office,
    make_service,
    make_user,
    open_around_the_clock,
)

# A Wednesday, office open 10-16.
WEDNESDAY_1030 = dt.datetime(2026, 11, 25, 10, 30, tzinfo=STOCKHOLM)


@dataclass
class World:
    office: Office
    other_office: Office
    skatteverket: Agency
    fk: Agency
    tax: Service  # Skatteverket walk-in
    id_card: Service  # Skatteverket, needs the photo station
    parental: Service  # Försäkringskassan walk-in
    desk1: ServicePoint
    desk2: ServicePoint
    alice: User
    bob: User
    charlie: User


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock_at() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY_1030, tick=False) as traveller:
        yield traveller


def build_world(*, desks: int = 2, any_hour: bool = False) -> World:
    """The queue's world. `any_hour`: the office is open around the clock, for tests that run
    on the real clock (the race tests: threads, no time travel) and take tickets, which are
    issued only inside an open interval."""
    office = make_office(counters=desks)
    if any_hour:
        open_around_the_clock(office)
    other_office = make_office()
    skatteverket = make_agency(letter="S", code="skatteverket")
    fk = make_agency(letter="F", code="forsakringskassan")
    photo = make_capability(code="photo-station")
    tax = make_service(agency=skatteverket, code="tax")
    id_card = make_service(agency=skatteverket, code="id-card", required_capability=photo)
    parental = make_service(agency=fk, code="parental")
    for service in (tax, id_card, parental):
        make_offering(office=office, service=service)
    desk1, desk2 = list(office.service_points.order_by("number"))[:2]
    alice = make_user(username="alice", offices=[office], agencies=[skatteverket, fk])
    bob = make_user(username="bob", offices=[office], agencies=[skatteverket])
    charlie = make_user(username="charlie", offices=[other_office], agencies=[skatteverket, fk])
    services.sign_in_at_desk(officer=alice, service_point=desk1)
    services.sign_in_at_desk(officer=bob, service_point=desk2)
    return World(
        office=office,
        other_office=other_office,
        skatteverket=skatteverket,
        fk=fk,
        tax=tax,
        id_card=id_card,
        parental=parental,
        desk1=desk1,
        desk2=desk2,
        alice=alice,
        bob=bob,
        charlie=charlie,
    )


@pytest.fixture
def world(db: None, clock_at: time_machine.Traveller) -> World:
    return build_world()
