"""Walk F22: a video room is not a desk (decision 0080). The one rule, `ServicePointQuerySet`."""

import pytest

from servicekontor.appointments.tests.video import office_with_rooms, video_service
from servicekontor.network.models import ServicePoint
from tests.factories import make_capability

pytestmark = pytest.mark.django_db


def test_desks_are_the_service_points_but_the_video_rooms():
    office = office_with_rooms(video_service(), rooms=2, desks=3)
    # a desk with a capability no video service needs stays a desk
    ServicePoint.objects.get(office=office, number=1).capabilities.add(
        make_capability(code="id-photo")
    )
    points = ServicePoint.objects.filter(office=office)
    assert sorted(points.desks().values_list("number", flat=True)) == [1, 2, 3]
    assert sorted(points.video_rooms().values_list("number", flat=True)) == [4, 5]
    assert points.count() == 5


def test_a_room_with_another_capability_too_is_still_a_room():
    office = office_with_rooms(video_service(), rooms=1, desks=1)
    room = ServicePoint.objects.get(office=office, number=2)
    room.capabilities.add(make_capability(code="id-photo"))
    points = ServicePoint.objects.filter(office=office)
    assert list(points.desks().values_list("number", flat=True)) == [1]
    assert list(points.video_rooms()) == [room]  # once, not once per capability
