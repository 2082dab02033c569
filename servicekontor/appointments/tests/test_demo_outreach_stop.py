"""The demo's outreach stop is run as an outreach stop is: staffed from the office nearest to
it, offering what that office offers, with no staff or premises of its own in the costs.

Found in session 15 (branch steerfix): the bus stop on Arjeplog's square was staffed from
Kista, 900 km south, offered Kista's services, and the costs demo gave it 6 officers, a
manager and 300 m² of premises for four hours a week."""

import datetime as dt

import pytest
import time_machine

from servicekontor.appointments.demo import (
    DEMO_STOP_POSITION,
    nearest_office,
    seed_demo_outreach_and_video,
)
from servicekontor.core.clock import STOCKHOLM
from servicekontor.core.geography import haversine_km
from servicekontor.costs.demo import seed_demo_costs
from servicekontor.costs.models import Category, CostPool, PoolSource, StaffHours
from servicekontor.network import registry_cache
from servicekontor.network.models import Offering, Office, OfficeKind, OutreachRule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_per_module")]

NOW = dt.datetime(2026, 11, 30, 9, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def _fresh_registry():
    registry_cache.registry_changed()


def _seed() -> Office:
    with time_machine.travel(NOW, tick=False):
        return seed_demo_outreach_and_video(office=Office.objects.get(code="kista"))


def test_demo_stop__staffed_from_the_nearest_office_with_its_services():
    stop = _seed()
    rule = OutreachRule.objects.get(office=stop)
    assert (
        rule.staffed_from is not None and rule.staffed_from.code == "jokkmokk"
    )  # ≈ 110 km; Kista ≈ 900 km
    lat, lon = DEMO_STOP_POSITION
    distance = haversine_km(lat, lon, rule.staffed_from.latitude, rule.staffed_from.longitude)
    kista = Office.objects.get(code="kista")
    assert distance < 150 < haversine_km(lat, lon, kista.latitude, kista.longitude)
    offered_here = set(Offering.objects.filter(office=stop).values_list("service", flat=True))
    offered_there = set(
        Offering.objects.filter(office=rule.staffed_from).values_list("service", flat=True)
    )
    assert offered_here and offered_here <= offered_there
    assert "demo" in stop.name.lower() and stop.notes.startswith("Demo data")


def test_nearest_office__an_office_not_a_stop_operating_that_day():
    stop = _seed()
    lat, lon = DEMO_STOP_POSITION
    found = nearest_office(lat, lon, on=NOW.date())
    assert found is not None and found.kind == OfficeKind.OFFICE and found != stop
    # on a day before every office opened there is none
    assert nearest_office(lat, lon, on=dt.date(2000, 1, 1)) is None


def test_demo_stop__an_earlier_demo_staffed_from_kista_is_corrected():
    stop = _seed()
    kista = Office.objects.get(code="kista")
    OutreachRule.objects.filter(office=stop).update(staffed_from=kista)
    _seed()
    staffed_from = OutreachRule.objects.get(office=stop).staffed_from
    assert staffed_from is not None and staffed_from.code == "jokkmokk"
    # a rule someone set to another office is theirs: left alone
    lulea = Office.objects.get(code="lulea")
    OutreachRule.objects.filter(office=stop).update(staffed_from=lulea)
    _seed()
    assert OutreachRule.objects.get(office=stop).staffed_from == lulea


def test_demo_costs__no_staff_hours_or_premises_at_a_stop_and_earlier_ones_dropped():
    stop = _seed()
    month = dt.date(2026, 11, 1)
    # what an earlier demo wrote at the stop, as at an office
    StaffHours.objects.create(office=stop, month=month, role="service_officer", hours=960)
    CostPool.objects.create(
        month=month,
        office=stop,
        category=Category.PREMISES,
        name="Hyra",
        amount_ore=6_000_000,
        note="Demo assumption: 300 m² × 2 400 kr/m² a year; half fixed, half minutes",
    )
    seed_demo_costs(today=dt.date(2026, 11, 30))
    assert not StaffHours.objects.filter(office=stop).exists()
    assert not CostPool.objects.filter(office=stop).exists()
    jokkmokk = Office.objects.get(code="jokkmokk")
    assert StaffHours.objects.filter(office=jokkmokk, month=month).exists()
    assert CostPool.objects.filter(office=jokkmokk, month=month, source=PoolSource.DERIVED).exists()


@pytest.mark.parametrize("earlier_demo", [False, True])
def test_demo_stop__exact_position_not_called_approximate(client, earlier_demo):
    """Walk finding F20: the stop on Arjeplog's square (a street address, its own point) said
    "The office's position is approximate" on its page and "approximate position" on the
    finder's card. Also for a stop an earlier demo seeded with the flag set."""
    stop = _seed()
    if earlier_demo:
        Office.objects.filter(pk=stop.pk).update(position_approximate=True)
        stop = _seed()
    stop.refresh_from_db()
    assert stop.position_approximate is False
    registry_cache.registry_changed()
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/en/office/{stop.code}/").content.decode()
        lat, lon = DEMO_STOP_POSITION
        finder = client.get("/en/", {"lat": lat, "lon": lon}).content.decode()
    assert stop.name in page and "approximate" not in page
    assert stop.name in finder and "approximate position" not in finder.split(stop.name)[1][:600]
