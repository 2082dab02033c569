"""Walk F22: the simulator of office days seats at most the desks, and a video room is not
one (decision 0080, `ServicePointQuerySet`)."""

import datetime as dt

import pytest

from servicekontor.appointments.tests.video import office_with_rooms, video_service
from servicekontor.simulation import loader

pytestmark = pytest.mark.django_db


def test_registry_inputs__the_desks_without_the_video_room():
    office = office_with_rooms(video_service(), rooms=1, desks=12)
    day = dt.date(2026, 12, 7)
    inputs, _services, _offices = loader.registry_inputs(first=day, last=day)
    assert [i.desks for i in inputs if i.office_id == office.pk] == [12]
