"""A service point that is no longer a desk — turned into a video room (decision 0084) or
switched off — ends the sign-in of the officer there, as a logout does: the desk-status log
gets the signed-out row, a visit called there is parked; the other desks keep theirs."""

from __future__ import annotations

import pytest

from servicekontor.queueing import services
from servicekontor.queueing.models import DeskActivity, DeskSession, DeskStatusEvent
from tests.factories import make_capability, make_service

pytestmark = pytest.mark.django_db


def _signed_in() -> set[str]:
    return set(DeskSession.objects.values_list("officer__username", flat=True))


def _signed_out(username: str) -> bool:
    return DeskStatusEvent.objects.filter(
        officer__username=username, status=DeskActivity.SIGNED_OUT
    ).exists()


def _video_capability(world):
    room = make_capability(code="video-room")
    make_service(agency=world.fk, code="video", required_capability=room, video_meeting=True)
    return room


def test_desk_becomes_a_video_room__its_officer_leaves(world) -> None:
    room = _video_capability(world)
    assert _signed_in() == {"alice", "bob"}
    world.desk1.capabilities.add(room)
    assert _signed_in() == {"bob"}
    assert _signed_out("alice") and not _signed_out("bob")


def test_desk_becomes_a_video_room_from_the_capability_s_side(world) -> None:
    room = _video_capability(world)
    room.service_points.add(world.desk2)
    assert _signed_in() == {"alice"}


def test_a_service_becomes_a_video_meeting__the_desks_with_its_capability_are_rooms(
    world,
) -> None:
    screen = make_capability(code="screen")
    service = make_service(agency=world.fk, code="screen-meeting", required_capability=screen)
    world.desk2.capabilities.add(screen)
    assert _signed_in() == {"alice", "bob"}, "still a desk"
    service.video_meeting = True
    service.save()
    assert _signed_in() == {"alice"}


def test_desk_switched_off__its_officer_leaves_the_called_visit_parked(world) -> None:
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=visit.pk)
    world.desk1.is_active = False
    world.desk1.save()
    assert _signed_in() == {"bob"}
    visit.refresh_from_db()
    assert visit.state == "on_hold" and visit.officer_id is None and visit.service_point_id is None
