"""The agency's side through its API client: publish free time, see the meetings booked with
its caseworkers, cancel one (the citizen is told); another agency sees and touches nothing."""

import pytest
from django.core import mail

from servicekontor.accounts import api_clients
from servicekontor.appointments import services
from servicekontor.appointments.models import Booking, BookingStatus, Caseworker, VideoMeeting
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.appointments.tests.video import office_with_rooms, video_service
from tests.factories import make_agency

pytestmark = pytest.mark.django_db
URL = "/api/partner/caseworkers/{}/availability/"


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def world(db):
    service = video_service()
    office = office_with_rooms(service, code="kista")
    _c, own = api_clients.create_api_client(agency=service.agency, name="case system")
    _c, other = api_clients.create_api_client(agency=make_agency(), name="someone else")
    return service, office, own, other


def publish(client, token, external_id="anna-1", periods=None):
    periods = periods or [
        {"starts_at": local(TUESDAY, 10).isoformat(), "ends_at": local(TUESDAY, 12).isoformat()}
    ]
    return client.put(
        URL.format(external_id),
        {"display_name": "Anna", "email": "anna@agency.example", "periods": periods},
        content_type="application/json",
        **bearer(token),
    )


def test_video_api__publish_book_list_cancel(
    frozen, client, world, django_capture_on_commit_callbacks
):
    service, office, own, other = world
    response = publish(client, own)
    assert response.status_code == 200 and response.json() == {"caseworker": "anna-1", "periods": 1}
    made = services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=Contact(name="Medborgare", email="m@example.org"),
    ).booking
    listed = client.get("/api/partner/video-meetings/", **bearer(own)).json()["results"]
    (row,) = listed
    assert row["booking_code"] == made.code and row["caseworker"] == "anna-1"
    assert row["status"] == "booked" and row["office"]["code"] == "kista"
    assert (
        row["caseworker_link"]
        .split("?")[0]
        .endswith(made.video_meetings.get(active=True).room_name)
    )
    # Another agency sees nothing and cannot cancel.
    assert client.get("/api/partner/video-meetings/", **bearer(other)).json()["results"] == []
    cancel_url = f"/api/partner/video-meetings/{row['id']}/cancel/"
    assert client.post(cancel_url, **bearer(other)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url, **bearer(own))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert response.json()["cancelled_by"] == "agency"
    assert Booking.objects.get(pk=made.pk).status == BookingStatus.CANCELLED_BY_OFFICE
    assert any(m.to == ["m@example.org"] for m in mail.outbox)
    assert client.post(cancel_url, **bearer(own)).status_code == 409  # already cancelled


def test_video_api__citizen_cancellation_visible_to_the_agency(
    frozen, client, world, django_capture_on_commit_callbacks
):
    service, office, own, _other = world
    publish(client, own)
    made = services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=Contact(name="Medborgare", email="m@example.org"),
    ).booking
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=made)
    (row,) = client.get("/api/partner/video-meetings/", **bearer(own)).json()["results"]
    assert row["status"] == "cancelled" and row["cancelled_by"] == "citizen"
    assert row["caseworker_link"] is None


def test_video_api__citizen_move__old_time_cancelled_new_time_booked(
    frozen, client, world, django_capture_on_commit_callbacks
):
    service, office, own, _other = world
    publish(client, own)
    made = services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=Contact(name="Medborgare", email="m@example.org"),
    ).booking
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_booking(booking=made, starts_at=local(TUESDAY, 11))
    old, new = client.get("/api/partner/video-meetings/", **bearer(own)).json()["results"]
    assert (old["status"], old["cancelled_by"], old["moved_to"]) == (
        "cancelled",
        "citizen",
        new["id"],
    )
    assert old["caseworker_link"] is None and old["booking_code"] == made.code
    assert (new["status"], new["moved_to"]) == ("booked", None)
    assert new["starts_at"].startswith(local(TUESDAY, 11).isoformat()[:16])
    assert new["office"] == {"code": "kista", "name": office.name, "kind": "office"}
    # The old meeting can no longer be cancelled by the agency; the new one can.
    assert (
        client.post(f"/api/partner/video-meetings/{old['id']}/cancel/", **bearer(own)).status_code
        == 409
    )
    response = client.post(f"/api/partner/video-meetings/{new['id']}/cancel/", **bearer(own))
    assert response.status_code == 200 and response.json()["cancelled_by"] == "agency"


def test_video_api__republishing_replaces_free_time_keeps_meetings(frozen, client, world):
    service, office, own, _other = world
    publish(client, own)
    services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=Contact(name="Medborgare", email="m@example.org"),
    )
    later = [
        {"starts_at": local(TUESDAY, 14).isoformat(), "ends_at": local(TUESDAY, 15).isoformat()}
    ]
    assert publish(client, own, periods=later).status_code == 200
    worker = Caseworker.objects.get(external_id="anna-1")
    assert [a.starts_at for a in worker.availability.all()] == [local(TUESDAY, 14)]
    assert VideoMeeting.objects.get(caseworker=worker).active  # the meeting stays


@pytest.mark.parametrize(
    "periods",
    [
        [{"starts_at": "2025-03-11T12:00:00+01:00", "ends_at": "2025-03-11T11:00:00+01:00"}],
        [{"starts_at": "not a time", "ends_at": "2025-03-11T11:00:00+01:00"}],
        [{"starts_at": "2025-03-11T10:00:00+01:00", "ends_at": "2025-03-13T10:00:00+01:00"}],
        "nonsense",
    ],
)
def test_video_api__bad_input__400_nothing_written(frozen, client, world, periods):
    _service, _office, own, _other = world
    response = client.put(
        URL.format("anna-1"),
        {"display_name": "Anna", "periods": periods},
        content_type="application/json",
        **bearer(own),
    )
    assert response.status_code == 400
    assert not Caseworker.objects.exists()


def test_video_api__needs_an_api_client(client, world):
    assert client.get("/api/partner/video-meetings/").status_code in (401, 403)
    assert client.get("/api/partner/video-meetings/", **bearer("skc_nonsense")).status_code == 401
    assert (
        client.get("/api/partner/video-meetings/?from=2025-13-01", **bearer(world[2])).status_code
        == 400
    )
