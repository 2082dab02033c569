import datetime as dt

import pytest
import time_machine
from django.core import mail

from servicekontor.appointments import errors, queries, services
from servicekontor.appointments.models import Booking, BookingRule, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, allocate, local
from servicekontor.catalog.models import Capability
from servicekontor.network.models import ExceptionKind, OpeningException, ServicePoint
from tests.factories import make_offering, make_office, make_service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def alice(n: int = 0) -> Contact:
    return Contact(name="Alice", email=f"alice{n}@example.org")


def test_booking__book_appointment__success(office, service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.book_appointment(
            office=office, service=service, starts_at=local(TUESDAY, 10), contact=alice()
        )
    booking = made.booking
    assert booking.status == BookingStatus.BOOKED
    assert booking.day == TUESDAY
    assert booking.ends_at - booking.starts_at == dt.timedelta(minutes=30)
    assert len(booking.code) == 8
    assert made.token not in booking.token_hash and len(booking.token_hash) == 64
    assert len(mail.outbox) == 1
    assert booking.code[:4] in mail.outbox[0].body
    assert made.token in mail.outbox[0].body
    ics = mail.outbox[0].attachments[0]
    assert ics.get_filename() == "booking.ics" and ics.get_content_type() == "text/calendar"


def test_booking__book_appointment__full_slot_is_refused(office, service):
    start = local(TUESDAY, 10)
    for n in range(2):
        services.book_appointment(office=office, service=service, starts_at=start, contact=alice(n))
    with pytest.raises(errors.SlotTaken):
        services.book_appointment(office=office, service=service, starts_at=start, contact=alice(9))
    assert Booking.objects.count() == 2
    free = queries.free_slots_on(office=office, service=service, day=TUESDAY)
    assert start not in [s.start for s in free]


def test_booking__book_appointment__not_a_slot_start(office, service):
    with pytest.raises(errors.NotASlot):
        services.book_appointment(
            office=office, service=service, starts_at=local(TUESDAY, 10, 5), contact=alice()
        )


def test_booking__book_appointment__limit_per_person_per_day(office, service):
    services.book_appointment(
        office=office, service=service, starts_at=local(TUESDAY, 10), contact=alice()
    )
    with pytest.raises(errors.LimitReached):
        services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 11),
            contact=Contact(name="A", email="ALICE0@example.org"),
        )
    BookingRule.objects.create(office=office, service=service, per_person_per_day=2)
    services.book_appointment(
        office=office, service=service, starts_at=local(TUESDAY, 11), contact=alice()
    )


def test_booking__book_appointment__window_closes_two_hours_before(office, service):
    monday = MONDAY_MORNING.date()
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(errors.OutsideWindow):
            services.book_appointment(
                office=office, service=service, starts_at=local(monday, 10), contact=alice()
            )
        services.book_appointment(
            office=office, service=service, starts_at=local(monday, 10, 30), contact=alice()
        )


def test_booking__book_appointment__window_opens_eight_weeks_ahead(office, service):
    last = MONDAY_MORNING.date() + dt.timedelta(weeks=8)  # a Monday
    services.book_appointment(
        office=office, service=service, starts_at=local(last, 10), contact=alice()
    )
    with pytest.raises(errors.OutsideWindow):
        services.book_appointment(
            office=office,
            service=service,
            starts_at=local(last + dt.timedelta(days=1), 10),
            contact=alice(),
        )


def far_ahead(office, service) -> None:
    BookingRule.objects.create(office=office, service=service, horizon_days=366)


def test_booking__book_appointment__not_on_a_public_holiday(office, service):
    far_ahead(office, service)
    # Kristi himmelfärds dag 2025-05-29 (a Thursday) and midsommarafton 2025-06-20 (a Friday).
    for day in (dt.date(2025, 5, 29), dt.date(2025, 6, 20)):
        assert queries.free_slots_on(office=office, service=service, day=day) == []
        with pytest.raises(errors.OfficeClosed):
            services.book_appointment(
                office=office, service=service, starts_at=local(day, 10), contact=alice()
            )


def test_booking__book_appointment__eve_open_when_office_opens_on_eves(service):
    office = make_office(closed_on_eves=False)
    make_offering(office=office, service=service)
    allocate(office)
    far_ahead(office, service)
    assert queries.free_slots_on(office=office, service=service, day=dt.date(2025, 6, 20))


def test_booking__free_slots__dst_days_keep_wall_clock_hours(office, service):
    # Monday after the spring change and Monday after the autumn change (both 10:00–16:00).
    far_ahead(office, service)
    for day in (dt.date(2025, 3, 31), dt.date(2025, 10, 27)):
        slots = queries.free_slots_on(office=office, service=service, day=day)
        assert [s.local_start.strftime("%H:%M") for s in slots][:2] == ["10:00", "10:30"]
        assert len(slots) == 12


def test_booking__book_appointment__capability_limits_to_capable_counters(office):
    photo = Capability.objects.create(code="photo", name_sv="Foto", name_en="Photo")
    id_card = make_service(handling_minutes=30, required_capability=photo, mode="appointment_only")
    make_offering(office=office, service=id_card)
    assert queries.free_slots_on(office=office, service=id_card, day=TUESDAY) == []
    ServicePoint.objects.get(office=office, number=1).capabilities.add(photo)
    services.book_appointment(
        office=office, service=id_card, starts_at=local(TUESDAY, 10), contact=alice()
    )
    with pytest.raises(errors.SlotTaken):
        services.book_appointment(
            office=office, service=id_card, starts_at=local(TUESDAY, 10), contact=alice(1)
        )


def test_booking__book_appointment__walk_in_only_service_is_not_bookable(office):
    walk_in = make_service(mode="walk_in")
    make_offering(office=office, service=walk_in)
    with pytest.raises(errors.NotBookable):
        services.book_appointment(
            office=office, service=walk_in, starts_at=local(TUESDAY, 10), contact=alice()
        )


def test_booking__book_appointment__special_hours_exception_limits_slots(office, service):
    OpeningException.objects.create(
        office=office,
        date=TUESDAY,
        kind=ExceptionKind.SPECIAL_HOURS,
        opens=dt.time(12),
        closes=dt.time(13),
    )
    slots = queries.free_slots_on(office=office, service=service, day=TUESDAY)
    assert [s.local_start.strftime("%H:%M") for s in slots] == ["12:00", "12:30"]


def test_booking__book_appointment__closure_added_meanwhile_is_seen_by_the_same_instance(
    office, service
):
    assert queries.free_slots_on(office=office, service=service, day=TUESDAY)
    OpeningException.objects.create(office=office, date=TUESDAY, kind=ExceptionKind.CLOSED)
    with pytest.raises(errors.OfficeClosed):
        services.book_appointment(
            office=office, service=service, starts_at=local(TUESDAY, 10), contact=alice()
        )


def test_booking__cached_inputs__a_saved_change_is_seen_at_once(office, service):
    slots = queries.free_slots_on(office=office, service=service, day=TUESDAY)  # warms the cache
    assert {s.capacity for s in slots} == {2}
    ServicePoint.objects.get(office=office, number=2).delete()
    slots = queries.free_slots_on(office=office, service=service, day=TUESDAY)
    assert {s.capacity for s in slots} == {1}
    BookingRule.objects.create(office=office, service=service, closes_minutes_before=60 * 24 * 2)
    assert queries.free_slots_on(office=office, service=service, day=TUESDAY) == []


def test_booking__cached_inputs__stale_listing_never_lets_a_booking_through(office, service):
    assert queries.free_slots_on(office=office, service=service, day=TUESDAY)  # warms the cache
    # bulk_create sends no signals: the listing may be stale for up to the cache timeout …
    OpeningException.objects.bulk_create(
        [OpeningException(office=office, date=TUESDAY, kind=ExceptionKind.CLOSED)]
    )
    assert queries.free_slots_on(office=office, service=service, day=TUESDAY)
    # … but booking reads fresh under its lock.
    with pytest.raises(errors.OfficeClosed):
        services.book_appointment(
            office=office, service=service, starts_at=local(TUESDAY, 10), contact=alice()
        )
