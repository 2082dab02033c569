"""Video meetings: the office's room and the caseworker's time booked together; cancellation
from either side reaches the other; the meeting link; free times need both."""

import jwt
import pytest
from django.core import mail

from servicekontor.appointments import errors, queries, services, video_links
from servicekontor.appointments.models import (
    Booking,
    BookingStatus,
    CaseworkerAvailability,
    VideoMeeting,
)
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.appointments.tests.video import caseworker, office_with_rooms, video_service

pytestmark = pytest.mark.django_db


def book(office, service, start, n=0):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=start,
        contact=Contact(name=f"Medborgare {n}", email=f"m{n}@example.org"),
        language="sv",  # the messages asserted below are Swedish, whatever ran before
    )


@pytest.fixture
def service():
    return video_service()


def test_video__free_times__need_a_room_and_a_caseworker(frozen, service):
    office = office_with_rooms(service)
    caseworker(service.agency, TUESDAY, hours=(13, 15))
    slots = queries.free_slots_on(office=office, service=service, day=TUESDAY)
    assert [s.start for s in slots] == [local(TUESDAY, h, m) for h in (13, 14) for m in (0, 30)]
    # Another agency's caseworker does not make a time free.
    caseworker(video_service().agency, TUESDAY, n=9, hours=(10, 12))
    assert len(queries.free_slots_on(office=office, service=service, day=TUESDAY)) == 4


def test_video__book__room_and_caseworker_held_together(frozen, service):
    office = office_with_rooms(service, rooms=1)
    first = caseworker(service.agency, TUESDAY, n=1)
    second = caseworker(service.agency, TUESDAY, n=2)
    made = book(office, service, local(TUESDAY, 10)).booking
    meeting = made.video_meetings.get(active=True)
    assert meeting.caseworker == first and meeting.room.number == 3 and meeting.active
    assert (meeting.starts_at, meeting.ends_at) == (made.starts_at, made.ends_at)
    # One room: a second citizen at 10:00 is refused although a caseworker is free…
    with pytest.raises(errors.SlotTaken):
        book(office, service, local(TUESDAY, 10), n=1)
    # …and the listing no longer offers 10:00.
    starts = [s.start for s in queries.free_slots_on(office=office, service=service, day=TUESDAY)]
    assert local(TUESDAY, 10) not in starts and local(TUESDAY, 10, 30) in starts
    assert not VideoMeeting.objects.filter(caseworker=second).exists()


def test_video__book__caseworker_not_double_booked_across_offices(frozen, service):
    north = office_with_rooms(service, code="norr")
    south = office_with_rooms(service, code="syd")
    only = caseworker(service.agency, TUESDAY)
    book(north, service, local(TUESDAY, 10))
    with pytest.raises(errors.NoCaseworkerFree):
        book(south, service, local(TUESDAY, 10), n=1)
    assert Booking.objects.filter(office=south).count() == 0  # nothing half written
    later = book(south, service, local(TUESDAY, 10, 30), n=1).booking
    assert later.video_meetings.get(active=True).caseworker == only
    # Outside every published free period (they end at 16:00 here; 15:45 is not a slot, so
    # shorten the free time instead): refused, nothing written.
    CaseworkerAvailability.objects.filter(caseworker=only).update(ends_at=local(TUESDAY, 11, 15))
    with pytest.raises(errors.NoCaseworkerFree):
        book(south, service, local(TUESDAY, 11), n=2)
    assert Booking.objects.count() == 2


def test_video__citizen_cancels__caseworker_told_and_time_free_again(
    frozen, service, django_capture_on_commit_callbacks
):
    north = office_with_rooms(service, code="norr")
    south = office_with_rooms(service, code="syd")
    caseworker(service.agency, TUESDAY)
    made = book(north, service, local(TUESDAY, 10))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=made.booking)
    meeting = VideoMeeting.objects.get(booking=made.booking)
    assert not meeting.active and meeting.cancelled_by == "citizen" and meeting.agency_notified_at
    (told,) = [m for m in mail.outbox if m.to == ["handlaggare1@agency.example"]]
    assert "avbokat" in told.subject and made.booking.code[:4] in told.body
    assert "m0@example.org" not in told.body  # no citizen data to the agency by mail
    # The caseworker's time (and the room) can be booked again.
    assert (
        book(south, service, local(TUESDAY, 10), n=1).booking.video_meetings.get(active=True).active
    )


def test_video__agency_cancels__citizen_told_and_can_rebook(
    frozen, service, client, django_capture_on_commit_callbacks
):
    office = office_with_rooms(service)
    caseworker(service.agency, TUESDAY)
    made = book(office, service, local(TUESDAY, 10))
    meeting = made.booking.video_meetings.get(active=True)
    with pytest.raises(errors.NotYourMeeting):
        services.cancel_video_meeting_by_agency(meeting=meeting, agency_id=service.agency_id + 999)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_video_meeting_by_agency(meeting=meeting, agency_id=service.agency_id)
    booking = Booking.objects.get(pk=made.booking.pk)
    meeting.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_OFFICE
    assert not meeting.active and meeting.cancelled_by == "agency"
    notice = [m for m in mail.outbox if m.to == ["m0@example.org"]][-1]
    assert "handläggare kan inte träffa dig" in notice.body
    token = notice.body.split("/manage/")[1].split("/")[0]
    page = client.get(f"/en/book/manage/{token}/").content.decode()
    assert "caseworker cannot meet you at that time" in page
    # The citizen moves it to another time; the meeting holds a caseworker and room again.
    moved = services.reschedule_booking(booking=booking, starts_at=local(TUESDAY, 11))
    assert moved.video_meetings.get(active=True).active and moved.video_meetings.get(
        active=True
    ).starts_at == local(TUESDAY, 11)
    # Once the citizen has cancelled, the agency has nothing left to cancel.
    services.cancel_booking(booking=moved)
    meeting.refresh_from_db()
    with pytest.raises(errors.AlreadyCancelled):
        services.cancel_video_meeting_by_agency(meeting=meeting, agency_id=service.agency_id)


def test_video__reschedule__old_meeting_cancelled_new_one_held_caseworker_told(
    frozen, service, django_capture_on_commit_callbacks
):
    office = office_with_rooms(service)
    worker = caseworker(service.agency, TUESDAY)
    made = book(office, service, local(TUESDAY, 10))
    old = made.booking.video_meetings.get(active=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.reschedule_booking(booking=made.booking, starts_at=local(TUESDAY, 10, 30))
    old.refresh_from_db()
    new = moved.video_meetings.get(active=True)
    # For the agency's side: the old time cancelled by the citizen, a new meeting booked.
    assert not old.active and old.cancelled_by == "citizen" and old.moved_to == new
    assert new.pk != old.pk and new.active and new.starts_at == local(TUESDAY, 10, 30)
    assert new.caseworker == worker and new.room_name != old.room_name  # old link dead
    assert VideoMeeting.objects.filter(active=True).count() == 1
    (told,) = [m for m in mail.outbox if m.to == ["handlaggare1@agency.example"]]
    assert "flyttat" in told.subject and made.booking.code[:4] in told.subject.replace(" ", "")
    assert "Den nya tiden, med dig" in told.body and "10:30" in told.body
    assert "m0@example.org" not in told.body
    # The 10:00 time is free again for someone else.
    assert (
        book(office, service, local(TUESDAY, 10), n=1)
        .booking.video_meetings.get(active=True)
        .active
    )
    # Cancelling after the move tells the caseworker of the new meeting (its own notice: the
    # old meeting's notice does not stand in for it).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=moved)
    (told,) = [m for m in mail.outbox if m.to == ["handlaggare1@agency.example"]]
    assert "avbokat" in told.subject and "10:30" in told.body


def test_video__reschedule__to_another_caseworker__first_one_told_time_is_not_theirs(
    frozen, service, django_capture_on_commit_callbacks
):
    office = office_with_rooms(service)
    caseworker(service.agency, TUESDAY, n=1, hours=(10, 11))
    second = caseworker(service.agency, TUESDAY, n=2, hours=(13, 15))
    made = book(office, service, local(TUESDAY, 10))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.reschedule_booking(booking=made.booking, starts_at=local(TUESDAY, 14))
    assert moved.video_meetings.get(active=True).caseworker == second
    (told,) = [m for m in mail.outbox if m.to == ["handlaggare1@agency.example"]]
    assert "annan handläggare" in told.body and "14:00" not in told.body
    assert not [m for m in mail.outbox if m.to == ["handlaggare2@agency.example"]]


def test_video__reschedule__agency_cannot_cancel_the_old_meeting_any_more(frozen, service):
    office = office_with_rooms(service)
    caseworker(service.agency, TUESDAY)
    made = book(office, service, local(TUESDAY, 10))
    old = made.booking.video_meetings.get(active=True)
    moved = services.reschedule_booking(booking=made.booking, starts_at=local(TUESDAY, 11))
    old.refresh_from_db()
    with pytest.raises(errors.MeetingMoved):
        services.cancel_video_meeting_by_agency(meeting=old, agency_id=service.agency_id)
    assert Booking.objects.get(pk=moved.pk).status == BookingStatus.BOOKED
    assert moved.video_meetings.get(active=True).active


def test_video__reschedule_after_agency_cancelled__agency_not_told_of_its_own_cancel(
    frozen, service, django_capture_on_commit_callbacks
):
    office = office_with_rooms(service)
    caseworker(service.agency, TUESDAY)
    made = book(office, service, local(TUESDAY, 10))
    old = made.booking.video_meetings.get(active=True)
    services.cancel_video_meeting_by_agency(meeting=old, agency_id=service.agency_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.reschedule_booking(
            booking=Booking.objects.get(pk=made.booking.pk), starts_at=local(TUESDAY, 11)
        )
    old.refresh_from_db()
    assert old.cancelled_by == "agency" and old.agency_notified_at is None
    assert moved.video_meetings.get(active=True).active
    assert not [m for m in mail.outbox if m.to == ["handlaggare1@agency.example"]]


def test_video__office_closure__meeting_released_and_agency_told(
    frozen, service, django_capture_on_commit_callbacks
):
    from servicekontor.network.models import ExceptionKind, OpeningException

    office = office_with_rooms(service)
    caseworker(service.agency, TUESDAY)
    made = book(office, service, local(TUESDAY, 10))
    OpeningException.objects.create(office=office, date=TUESDAY, kind=ExceptionKind.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_bookings_without_capacity(offices=[office])
    meeting = VideoMeeting.objects.get(booking=made.booking)
    assert not meeting.active and meeting.cancelled_by == "office" and meeting.agency_notified_at


def test_video__availability__replaced_and_bad_periods_refused(frozen, service):
    worker = caseworker(service.agency, TUESDAY)
    periods = [(local(TUESDAY, 9), local(TUESDAY, 12)), (local(TUESDAY, 13), local(TUESDAY, 15))]
    assert (
        services.replace_caseworker_availability(caseworker=worker, periods=periods, source="api")
        == 2
    )
    assert [
        (a.starts_at, a.ends_at) for a in CaseworkerAvailability.objects.filter(caseworker=worker)
    ] == periods
    with pytest.raises(errors.BadAvailability):
        services.replace_caseworker_availability(
            caseworker=worker, periods=[(local(TUESDAY, 12), local(TUESDAY, 11, 30))], source="api"
        )
    assert CaseworkerAvailability.objects.filter(caseworker=worker).count() == 2


def test_video__jitsi_link__signed_room_token(settings, service, frozen):
    settings.VIDEO_JITSI_URL = "https://meet.example.org"
    settings.VIDEO_JITSI_SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret"
    start, end = local(TUESDAY, 10), local(TUESDAY, 10, 30)
    link = video_links.provider().link(
        room_name="skabc",
        side="caseworker",
        display_name="Handläggare 1",
        starts_at=start,
        ends_at=end,
    )
    assert link.startswith("https://meet.example.org/skabc?jwt=")
    claims = jwt.decode(
        link.split("jwt=")[1],
        "s3cret-s3cret-s3cret-s3cret-s3cret",
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_nbf": False, "verify_exp": False},
    )
    assert claims["room"] == "skabc" and claims["iss"] == "servicekontor"
    assert claims["sub"] == "meet.example.org"
    assert claims["context"]["user"] == {"name": "Handläggare 1", "moderator": True}
    assert claims["exp"] == int((end + video_links.LATE).timestamp())
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            link.split("jwt=")[1],
            "wrong-wrong-wrong-wrong-wrong-wrong",
            algorithms=["HS256"],
            audience="jitsi",
        )


class _FakeProvider:
    def link(self, *, room_name, side, display_name, starts_at, ends_at):
        return f"https://video.example/{side}/{room_name}"


def test_video__provider__configurable(settings):
    settings.VIDEO_PROVIDER = f"{__name__}._FakeProvider"
    assert isinstance(video_links.provider(), _FakeProvider)


def test_video__at_a_diverted_outreach_stop__caseworker_and_citizen_told(
    frozen, service, django_capture_on_commit_callbacks
):
    from servicekontor.appointments.tests.conftest import allocate
    from servicekontor.network.models import ServicePoint
    from tests.factories import make_offering, make_outreach_stop

    stop = make_outreach_stop(weekday=1, counters=1)  # Tuesdays 10–14
    room = ServicePoint.objects.create(office=stop, number=2, name="Videorum i bussen")
    assert service.required_capability is not None
    room.capabilities.add(service.required_capability)
    make_offering(office=stop, service=service)
    allocate(stop, counters=2)
    caseworker(service.agency, TUESDAY)
    made = book(stop, service, local(TUESDAY, 10))
    assert made.booking.video_meetings.get(active=True).room == room
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.divert_outreach_visit(stop=stop, day=TUESDAY, reason_sv="Bussen omdirigerad")
    meeting = VideoMeeting.objects.get(booking=made.booking)
    assert not meeting.active and meeting.cancelled_by == "office" and meeting.agency_notified_at
    (told,) = [m for m in mail.outbox if m.to == ["handlaggare1@agency.example"]]
    assert "avbokat" in told.subject and "servicekontoret har avbokat" in told.body.lower()
    assert [m for m in mail.outbox if m.to == ["m0@example.org"]]  # the citizen, as for a closure


def test_video__caseworker_time__fractions_of_a_second_and_utc_midnight(frozen, service):
    import datetime as dt

    from servicekontor.appointments.caseworker_time import CaseworkerTime

    worker = caseworker(service.agency, TUESDAY, hours=(10, 12))
    half = dt.timedelta(milliseconds=500)
    CaseworkerAvailability.objects.filter(caseworker=worker).update(
        starts_at=local(TUESDAY, 10) + half
    )
    office = office_with_rooms(service)
    booked = book(office, service, local(TUESDAY, 11)).booking
    # A meeting ending half a second into 11:30 still holds the 11:30 slot.
    VideoMeeting.objects.filter(booking=booked).update(ends_at=local(TUESDAY, 11, 30) + half)
    # Late evening: a period and a meeting across UTC midnight (00:00 UTC = 01:00 here).
    night = caseworker(service.agency, TUESDAY, n=2, hours=(0, 1))
    CaseworkerAvailability.objects.filter(caseworker=night).update(
        starts_at=local(TUESDAY, 0, 30), ends_at=local(TUESDAY, 1, 30)
    )
    time = CaseworkerTime(agency=service.agency, first_day=TUESDAY, last_day=TUESDAY)
    assert not time.any_free(local(TUESDAY, 10), local(TUESDAY, 10, 30))  # starts 10:00:00.5
    assert time.free_caseworkers(local(TUESDAY, 10, 30), local(TUESDAY, 11)) == [worker.pk]
    assert not time.any_free(local(TUESDAY, 11, 30), local(TUESDAY, 12))
    assert time.free_caseworkers(local(TUESDAY, 0, 45), local(TUESDAY, 1, 15)) == [night.pk]
    assert not time.any_free(local(TUESDAY, 1, 15), local(TUESDAY, 1, 45))  # past its end
