"""A small network for change plans: 40 offices spread over Sweden's localities, three agencies
offered everywhere from 2019-06-01 with the takeover milestone, Arbetsförmedlingen offered
nowhere yet.

Personas: `nadia` (network administrator), `erin` (Försäkringskassan's analyst),
`alice` (service officer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from servicekontor.accounts.models import Role, User
from servicekontor.catalog.models import Agency, Service
from servicekontor.core.geography import load_localities
from servicekontor.network.models import Milestone, Offering, Office
from tests.factories import make_agency, make_office, make_service, make_user

TAKEOVER = dt.date(2019, 6, 1)


@dataclass
class World:
    offices: list[Office]
    fk: Agency
    pm: Agency
    skv: Agency
    af: Agency
    af_services: list[Service]
    takeover: Milestone
    nadia: User
    erin: User
    alice: User


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The world above (also for transactional tests, which cannot use the fixture)."""
    takeover = Milestone.objects.create(code="takeover-2019", name_sv="Övertagandet", date=TAKEOVER)
    fk = make_agency(code="forsakringskassan", name_sv="Försäkringskassan")
    pm = make_agency(code="pensionsmyndigheten", name_sv="Pensionsmyndigheten")
    skv = make_agency(code="skatteverket", name_sv="Skatteverket")
    af = make_agency(code="arbetsformedlingen", name_sv="Arbetsförmedlingen")
    services = [make_service(agency=a) for a in (fk, pm, skv)]
    af_services = [make_service(agency=af), make_service(agency=af)]
    big = sorted(load_localities(), key=lambda loc: -loc.population)[:40]
    offices = []
    for i, loc in enumerate(sorted(big, key=lambda loc: loc.name)):
        office = make_office(
            code=f"o{i:02d}",
            name=f"{loc.name} servicekontor",
            municipality=loc.name,
            county=loc.county,
            latitude=loc.latitude,
            longitude=loc.longitude,
            opened_on=TAKEOVER,
        )
        Office.objects.filter(pk=office.pk).update(opened_with=takeover)
        for s in services:
            Offering.objects.create(
                office=office, service=s, valid_from=TAKEOVER, starts_with=takeover
            )
        offices.append(office)
    return World(
        offices=offices,
        fk=fk,
        pm=pm,
        skv=skv,
        af=af,
        af_services=af_services,
        takeover=takeover,
        nadia=make_user(role=Role.NETWORK_ADMIN, username="nadia"),
        erin=make_user(role=Role.AGENCY_ANALYST, analyst_agency=fk, username="erin"),
        alice=make_user(role=Role.SERVICE_OFFICER, offices=offices[:1], username="alice"),
    )
