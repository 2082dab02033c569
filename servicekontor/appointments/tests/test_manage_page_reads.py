"""The booking's page (`appointments:manage`) in one statement (`queries.booking_page_by_token`):
the room of its active video meeting read with the booking, its office and service joined,
each as it is now (a cancelled meeting, a renamed office)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicekontor.appointments import queries, services
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.appointments.tests.video import caseworker, office_with_rooms, video_service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]
ROOM = "not from home: come to the office, check in at the kiosk with your booking code and we show you to video room 3"


def _book(service, office):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=services.Contact(name="M", email="m@example.org"),
        language="en",
    )


def test_manage_page__video_meeting__its_room_until_the_meeting_ends(client):
    service = video_service()
    office = office_with_rooms(service, code="kista")
    caseworker(service.agency, TUESDAY)
    made = _book(service, office)
    url = "/en" + reverse("appointments:manage", args=[made.token])
    client.get(url)  # the session and the rate limit's first requests
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200 and ROOM in page.content.decode()
    assert len(queries.captured_queries) == 1

    made.booking.video_meetings.update(active=False)
    assert "video room" not in client.get(url).content.decode()


def test_manage_page__no_video_meeting__no_room_and_the_office_as_it_is_now(
    client, office, service
):
    made = _book(service, office)
    url = "/en" + reverse("appointments:manage", args=[made.token])
    html = client.get(url).content.decode()
    assert "video room" not in html and office.name in html and service.name in html
    office.name = "Servicekontor Nytt Namn"
    office.save()
    assert "Servicekontor Nytt Namn" in client.get(url).content.decode()
    assert (
        client.get("/en" + reverse("appointments:manage", args=["x" + made.token])).status_code
        == 404
    )


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _same_as_the_orm(token: str) -> None:
    """The written statement gives what the ORM's query gave: every field of the booking,
    its office, service and agency, with the same types, and the meeting's room."""
    written, orm = queries.booking_page_by_token(token), queries.booking_page_by_token_orm(token)
    assert (written is None) == (orm is None)
    if written is None or orm is None:
        return
    for a, b in (
        (written, orm),
        (written.office, orm.office),
        (written.service, orm.service),
        (written.service.agency, orm.service.agency),
    ):
        assert type(a) is type(b)
        assert _fields(a) == _fields(b)
        assert {k: type(v) for k, v in _fields(a).items()} == {
            k: type(v) for k, v in _fields(b).items()
        }
        assert a._state.adding is b._state.adding is False
    assert written.meeting_room == orm.meeting_room  # type: ignore[attr-defined]


def test_written_statement_is_the_orm_query(office, service):
    service_v = video_service()
    office_v = office_with_rooms(service_v, code="kista")
    caseworker(service_v.agency, TUESDAY)
    video = _book(service_v, office_v)
    plain = _book(service, office)
    for made in (video, plain):
        _same_as_the_orm(made.token)
    page = queries.booking_page_by_token(video.token)
    assert page is not None and page.meeting_room == 3  # type: ignore[attr-defined]
    # the meeting ended and the booking cancelled: no room, the new status
    video.booking.video_meetings.update(active=False)
    Booking.objects.filter(pk=video.booking.pk).update(status=BookingStatus.CANCELLED)
    _same_as_the_orm(video.token)
    with CaptureQueriesContext(connection) as read:
        page = queries.booking_page_by_token(plain.token)
        assert page is not None and page.office.name and page.service.agency.name
    assert len(read.captured_queries) == 1  # the office, service and agency came with it
    for unknown in ("", "x", "x" * 101, video.token + "x"):
        _same_as_the_orm(unknown)
