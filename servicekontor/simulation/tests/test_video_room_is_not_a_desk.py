"""Walk F22: the simulator of office days seats at most the desks, and a video room is not
one (decision 0080, `ServicePointQuerySet`)."""

import datetime as dt

import pytest
import time_machine

from servicekontor.appointments.tests.video import office_with_rooms, video_service
from servicekontor.simulation import loader

pytestmark = pytest.mark.django_db


def test_registry_inputs__the_desks_without_the_video_room():
    office = office_with_rooms(video_service(), rooms=1, desks=12)
    day = dt.date(2026, 12, 7)
    inputs, _services, _offices = loader.registry_inputs(first=day, last=day)
    assert [i.desks for i in inputs if i.office_id == office.pk] == [12]


def test_load__no_simulated_visit_or_officer_at_the_video_room(settings):
    from servicekontor.queueing.models import DeskStatusEvent, VisitEvent
    from servicekontor.simulation.tests.test_load_simulated_visits import TODAY
    from tests.factories import make_agency, make_offering, make_office, make_service

    settings.DEMO = True
    tax = make_service(agency=make_agency(code="skatteverket"), code="tax", mode="walk_in")
    office = make_office(code="linkoping", counters=3)
    make_offering(office=office, service=tax)
    room = office.service_points.get(number=1)  # first in number order: seated first if a desk
    video_room = video_service().required_capability
    assert video_room is not None
    room.capabilities.add(video_room)
    with time_machine.travel(TODAY, tick=False):
        loader.load(
            first=dt.date(2026, 11, 2),
            last=dt.date(2026, 11, 2),
            office_codes=["linkoping"],
            seed=1,
        )
    assert VisitEvent.objects.filter(visit__office=office).exclude(service_point=None).exists()
    assert not VisitEvent.objects.filter(service_point=room).exists()
    assert not DeskStatusEvent.objects.filter(service_point=room).exists()
