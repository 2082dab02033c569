"""Walk F22: an officer signs in at a desk, never at a video room (decision 0080): the
choice does not offer the room, a post of it is refused, and so is the service call."""

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.tests.video import video_service
from servicekontor.queueing import services
from servicekontor.queueing.errors import NotAllowed
from servicekontor.queueing.models import DeskSession
from tests.factories import make_user


@pytest.fixture
def room(world):
    room = world.office.service_points.create(number=13, name="Videorum")
    room.capabilities.add(video_service().required_capability)
    return room


def test_choose__the_video_room_is_not_offered_and_its_post_is_400(client, world, room):
    officer = make_user(offices=[world.office], agencies=[world.fk])
    client.force_login(officer)
    with translation.override("en"):
        page = client.get(reverse("desk:choose")).content.decode()
        response = client.post(reverse("desk:choose"), {"service_point": room.pk})
    assert f'value="{room.pk}"' not in page
    assert f'value="{world.desk1.pk}"' in page
    assert (response.status_code, response["X-Refused"]) == (303, "400")
    assert not DeskSession.objects.filter(officer=officer).exists()


def test_sign_in_at_desk__a_video_room_is_refused_and_says_why(world, room):
    officer = make_user(offices=[world.office], agencies=[world.fk])
    with pytest.raises(NotAllowed) as refused:
        services.sign_in_at_desk(officer=officer, service_point=room)
    with translation.override("en"):
        assert "video room" in str(refused.value.message)
    assert not DeskSession.objects.filter(officer=officer).exists()
    with translation.override("sv"):
        assert "videorum" in str(refused.value.message)
    # a free desk of the same office still signs in
    desk = world.office.service_points.create(number=9)
    assert services.sign_in_at_desk(officer=officer, service_point=desk)
