"""At the office: an officer books a video meeting on a citizen's behalf; the kiosk check-in
and the desk show the citizen to the room."""

import pytest
import time_machine

from servicekontor.appointments.models import Booking, VideoMeeting
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.appointments.tests.video import caseworker, office_with_rooms, video_service
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    service = video_service()
    office = office_with_rooms(service, code="kista")
    caseworker(service.agency, TUESDAY)
    alice = make_user(offices=[office], agencies=[service.agency])
    return service, office, alice


def test_video__desk_books_for_the_citizen(frozen, client, world, no_rate_limit):
    service, office, alice = world
    client.force_login(alice)
    page = client.get(
        f"/en/book/desk/{office.code}/book/", {"service": service.pk, "day": "2025-03-11"}
    )
    assert page.status_code == 200
    assert "Free times on" in page.content.decode()
    start = int(local(TUESDAY, 10).timestamp())
    response = client.post(
        f"/en/book/desk/{office.code}/book/",
        {
            "service": service.pk,
            "start": start,
            "name": "Medborgare",
            "phone": "070-123 45 67",
            "language": "sv",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200, html
    assert response.redirect_chain  # post/redirect/get: the confirmation is a page of its own
    booking = Booking.objects.get()
    assert booking.video_meetings.get(active=True).room.number == 3
    assert "Video room 3" in html and "/book/manage/" in html
    # Taken now: a second post for the same time is refused with its status.
    again = client.post(
        f"/en/book/desk/{office.code}/book/",
        {
            "service": service.pk,
            "start": start,
            "name": "Annan",
            "phone": "070-765 43 21",
            "language": "sv",
        },
    )
    assert again.status_code == 409


def test_video__desk_book__bad_input_and_other_offices(frozen, client, world):
    service, office, alice = world
    client.force_login(alice)
    url = f"/en/book/desk/{office.code}/book/"
    assert client.get(url, {"service": "abc"}).status_code == 400
    assert (
        client.post(
            url, {"service": service.pk, "start": "x", "name": "A", "phone": "070"}
        ).status_code
        == 400
    )
    charlie = make_user()
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert not Booking.objects.exists()


def test_video__kiosk_and_desk_show_the_room(client, world, no_rate_limit):
    service, office, alice = world
    from servicekontor.appointments import services

    with time_machine.travel(local(TUESDAY, 8), tick=False):
        made = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=services.Contact(name="M", email="m@example.org"),
        ).booking
    with time_machine.travel(local(TUESDAY, 9, 45), tick=False):
        client.force_login(alice)
        desk = client.get(f"/en/book/desk/{office.code}/today/").content.decode()
        assert "Video room 3" in desk and "Start the call in the room" in desk
        meeting = VideoMeeting.objects.get(booking=made)
        assert f"/{meeting.room_name}?jwt=" in desk
        done = client.post(f"/en/book/check-in/{office.code}/", {"code": made.code})
        html = done.content.decode()
        assert done.status_code == 200
        assert "Go to video room 3." in html


def test_video__desk_cancels_for_the_citizen__agency_told(
    frozen, client, world, django_capture_on_commit_callbacks
):
    from servicekontor.appointments import services

    service, office, alice = world
    made = services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=services.Contact(name="M", email="m@example.org"),
    ).booking
    client.force_login(alice)
    url = f"/en/book/desk/{office.code}/cancel/"
    assert client.post(url, {"code": "ab"}).status_code == 400
    assert client.post(url, {"code": "ABCD-2345"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"code": made.code.lower(), "confirm": made.pk})
    # Post/redirect/get: back to the desk booking page, the message shown there once.
    assert response.status_code == 302
    assert response["Location"] == f"/en/book/desk/{office.code}/book/"
    assert "is cancelled" in client.get(response["Location"]).content.decode()
    meeting = VideoMeeting.objects.get(booking=made)
    assert not meeting.active and meeting.cancelled_by == "office" and meeting.agency_notified_at
    # already cancelled: refused at the first step, before any confirmation
    assert client.post(url, {"code": made.code}).status_code == 409


def test_desk_book__a_refused_form_keeps_the_chosen_time(frozen, client, world, no_rate_limit):
    """Walk finding (2026-11-30): an officer on the phone picks 10:00, forgets the contact;
    the form came back with the day's first time checked, and fixing the error booked that
    one instead, unnoticed."""
    import re

    service, office, alice = world
    client.force_login(alice)
    url = f"/en/book/desk/{office.code}/book/?service={service.pk}&day=2025-03-11"
    first_page = client.get(url).content.decode()
    starts = re.findall(r'name="start" value="(\d+)"', first_page)
    assert len(starts) >= 2
    chosen = starts[1]
    refused = client.post(url, {"service": service.pk, "start": chosen, "name": "Medborgare"})
    assert refused.status_code == 400
    checked = re.findall(r'name="start" value="(\d+)" checked', refused.content.decode())
    assert checked == [chosen]
