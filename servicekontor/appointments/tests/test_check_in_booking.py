import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from servicekontor.appointments import errors, services
from servicekontor.appointments.models import BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, local
from servicekontor.queueing.models import Visit, VisitSource, VisitState
from tests.factories import make_office, make_user

pytestmark = pytest.mark.django_db

MONDAY = MONDAY_MORNING.date()


@pytest.fixture
def booking(office, service):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        return services.book_appointment(
            office=office,
            service=service,
            starts_at=local(MONDAY, 11),
            contact=Contact(name="A", email="a@x.se"),
        ).booking


def at(hour: int, minute: int = 0):
    return time_machine.travel(local(MONDAY, hour, minute), tick=False)


def test_booking__check_in__on_time__enters_queue_with_booked_time(office, booking):
    with at(10, 50):
        result = services.check_in_booking(office=office, code=booking.code.lower())
    assert result.outcome == "checked_in"
    assert result.visit_id is not None
    visit = Visit.objects.get(pk=result.visit_id)
    assert visit.state == VisitState.WAITING and visit.source == VisitSource.APPOINTMENT
    assert visit.booked_start == booking.starts_at and visit.booking_reference == booking.code
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN and booking.visit_id == visit.pk


def test_booking__check_in__too_early(office, booking, settings):
    settings.APPOINTMENTS_EARLY_CHECK_IN_MINUTES = 30
    with at(10, 29), pytest.raises(errors.TooEarly):
        services.check_in_booking(office=office, code=booking.code)
    with at(10, 30):
        assert services.check_in_booking(office=office, code=booking.code).outcome == "checked_in"


def test_booking__check_in__twice_is_refused(office, booking):
    with at(11):
        services.check_in_booking(office=office, code=booking.code)
        with pytest.raises(errors.CheckInError):
            services.check_in_booking(office=office, code=booking.code)
    assert Visit.objects.count() == 1


def test_booking__check_in__late_within_grace_still_booked(office, booking, settings):
    settings.APPOINTMENTS_GRACE_MINUTES = 10
    with at(11, 10):
        assert services.check_in_booking(office=office, code=booking.code).outcome == "checked_in"


def test_booking__check_in__late_becomes_walk_in(office, booking, settings):
    settings.APPOINTMENTS_LATE_POLICY = "walk_in"
    with at(11, 11):
        result = services.check_in_booking(office=office, code=booking.code)
    assert result.outcome == "late_walk_in"
    assert Visit.objects.get(booking_reference=booking.code).state == VisitState.NO_SHOW
    assert result.visit_id is not None
    walk_in = Visit.objects.get(pk=result.visit_id)
    assert walk_in.state == VisitState.WAITING and walk_in.booked_start is None
    booking.refresh_from_db()
    assert booking.status == BookingStatus.LATE


def test_booking__check_in__late_becomes_no_show(office, booking, settings):
    settings.APPOINTMENTS_LATE_POLICY = "no_show"
    with at(11, 30):
        result = services.check_in_booking(office=office, code=booking.code)
    assert result.outcome == "late_no_show"
    assert Visit.objects.get().state == VisitState.NO_SHOW


def test_booking__check_in__wrong_office_or_day_is_unknown(office, booking):
    other = make_office()
    with at(11), pytest.raises(errors.UnknownCode):
        services.check_in_booking(office=other, code=booking.code)
    with (
        time_machine.travel(local(MONDAY + dt.timedelta(days=1), 11), tick=False),
        pytest.raises(errors.UnknownCode),
    ):
        services.check_in_booking(office=office, code=booking.code)


def test_booking__record_no_shows__after_grace(office, booking):
    with at(11, 5):
        assert services.record_no_shows() == 0
    with at(11, 11):
        assert services.record_no_shows() == 1
        assert services.record_no_shows() == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert Visit.objects.get(booking_reference=booking.code).state == VisitState.NO_SHOW


def test_booking__kiosk_check_in__http(client, office, booking, settings):
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    url = reverse("appointments:kiosk_check_in", args=[office.code])
    with at(10, 55):
        assert client.get(url).status_code == 200
        assert client.post(url, {"code": "ZZZZ-ZZZZ"}).status_code == 404
        assert client.post(url, {"code": "x"}).status_code == 400
        response = client.post(url, {"code": booking.code[:4] + "-" + booking.code[4:]})
    assert response.status_code == 200
    assert Visit.objects.get().ticket in response.content.decode()


def test_booking__desk_today__staff_at_the_office_only(client, office, booking):
    url = reverse("appointments:desk_today", kwargs={"office_code": office.code})
    assert client.get(url).status_code == 302  # sign in first
    charlie = make_user(offices=[make_office()])
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    alice = make_user(offices=[office])
    client.force_login(alice)
    with at(10, 45):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert booking.code[:4] in body and "11:00" in body
        check_in = reverse("appointments:desk_check_in", args=[office.code, booking.pk])
        assert check_in in body
        response = client.post(check_in, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


def test_booking__check_in__late_for_appointment_only_service_cannot_walk_in(office, settings):
    from tests.factories import make_offering, make_service

    settings.APPOINTMENTS_LATE_POLICY = "walk_in"
    id_card = make_service(handling_minutes=30, mode="appointment_only")
    make_offering(office=office, service=id_card)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        booking = services.book_appointment(
            office=office,
            service=id_card,
            starts_at=local(MONDAY, 11),
            contact=Contact(name="A", email="a@x.se"),
        ).booking
    with at(11, 30):
        result = services.check_in_booking(office=office, code=booking.code)
    assert result.outcome == "late_no_show"
    assert Visit.objects.get().state == VisitState.NO_SHOW
