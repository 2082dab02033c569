"""An outreach stop is booked like an office on its visit days; a diverted visit tells its
booked citizens as an office closure does."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from servicekontor.appointments import errors, queries, services
from servicekontor.appointments.models import BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import TUESDAY, allocate, local
from servicekontor.network.models import ExceptionKind, OpeningException
from tests.factories import make_offering, make_office, make_outreach_stop

pytestmark = pytest.mark.django_db


@pytest.fixture
def stop(service):
    stop = make_outreach_stop(weekday=1, counters=2)  # Tuesdays 10–14
    make_offering(office=stop, service=service)
    allocate(stop, counters=2)
    return stop


def book(stop, service, start, n=0):
    return services.book_appointment(
        office=stop, service=service, starts_at=start, contact=Contact(name="A", email=f"a{n}@x.se")
    )


def test_outreach__stop__bookable_on_visit_days_only(frozen, stop, service):
    days = queries.free_days(office=stop, service=service, first_day=TUESDAY, days=7, now=None)
    with_slots = [d.day for d in days if d.slots]
    assert with_slots == [TUESDAY]
    assert days[0].slots[0].start == local(TUESDAY, 10)
    assert days[0].slots[-1].end == local(TUESDAY, 14)  # the visit's hours, not an office's
    made = book(stop, service, local(TUESDAY, 10)).booking
    assert made.office == stop
    with pytest.raises(errors.OfficeClosed):
        book(stop, service, local(TUESDAY + dt.timedelta(days=1), 10), n=1)


def test_outreach__diverted_visit__booked_citizens_told_and_offered_rebooking(
    frozen, stop, service, client, django_capture_on_commit_callbacks
):
    hit = book(stop, service, local(TUESDAY, 10)).booking
    next_week = book(stop, service, local(TUESDAY + dt.timedelta(days=7), 10), n=1).booking
    with django_capture_on_commit_callbacks(execute=True):
        done = services.divert_outreach_visit(
            stop=stop, day=TUESDAY, reason_sv="Bussen omdirigerad till Jäckvik"
        )
    assert [b.pk for b in done] == [hit.pk]
    hit.refresh_from_db()
    next_week.refresh_from_db()
    assert hit.status == BookingStatus.CANCELLED_BY_OFFICE and hit.closure_notified_at
    assert next_week.status == BookingStatus.BOOKED
    exception = OpeningException.objects.get(office=stop, date=TUESDAY)
    assert exception.kind == ExceptionKind.CLOSED
    notice = [m for m in mail.outbox if m.to == ["a0@x.se"]][-1]
    token = notice.body.split("/manage/")[1].split("/")[0]
    # The citizen rebooks on the next visit from the notice's link.
    start = local(TUESDAY + dt.timedelta(days=7), 10, 30)
    response = client.post(
        reverse("appointments:reschedule", args=[token]), {"start": int(start.timestamp())}
    )
    assert response.status_code == 302
    hit.refresh_from_db()
    assert hit.status == BookingStatus.BOOKED and hit.starts_at == start  # moved in place
    # The diverted day takes no new bookings, and a second diversion of it is refused.
    with pytest.raises(errors.OfficeClosed):
        book(stop, service, local(TUESDAY, 11), n=2)
    with pytest.raises(errors.NoVisitThatDay):
        services.divert_outreach_visit(stop=stop, day=TUESDAY, reason_sv="igen")


def test_outreach__divert__refused_for_offices_days_without_visit_and_without_reason(
    frozen, stop, service
):
    office = make_office()
    with pytest.raises(errors.NotOutreach):
        services.divert_outreach_visit(stop=office, day=TUESDAY, reason_sv="x")
    with pytest.raises(errors.NoVisitThatDay):
        services.divert_outreach_visit(stop=stop, day=TUESDAY + dt.timedelta(days=1), reason_sv="x")
    with pytest.raises(errors.DivertReasonMissing):
        services.divert_outreach_visit(stop=stop, day=TUESDAY, reason_sv="  ")
    assert not OpeningException.objects.filter(office=stop).exists()


def test_outreach__booking_office_list__marks_the_stop_as_the_finder_does(
    frozen, stop, service, client
):
    office = make_office(code="kontoret", name="Servicekontor Kontoret")
    make_offering(office=office, service=service)
    html = client.get(reverse("appointments:offices", args=[service.pk])).content.decode()
    items = html.split('<ul class="office-list">')[1].split("</ul>")[0].split("<li>")[1:]
    (stop_item,) = [i for i in items if stop.name in i]
    (office_item,) = [i for i in items if "Servicekontor Kontoret" in i]
    assert '<span class="tag">Mobilt servicekontor</span>' in stop_item
    assert 'class="tag"' not in office_item
