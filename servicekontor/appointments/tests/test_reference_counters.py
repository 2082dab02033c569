"""Booking works wherever a service is offered: counters and appointment hours from the data."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from servicekontor.appointments.models import AppointmentAllocation, Booking
from servicekontor.appointments.queries import CapacityBook, bookable_services
from servicekontor.appointments.reference_data import allocation_state
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.network.models import Office
from servicekontor.network.queries import offices_offering
from servicekontor.network.reference_data import load_reference_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]


@pytest.fixture
def loaded() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)


def test_every_operating_office__a_free_time__for_each_appointment_service(loaded: None) -> None:
    today = clock.local_today()
    services = list(bookable_services())
    assert {s.code for s in services} >= {"id-kort", "folkbokforing", "lamna-handlingar"}
    for service in services:
        offices = list(offices_offering(service=service, day=today))
        assert offices, service
        book = CapacityBook(
            offices=offices, service=service, first_day=today, last_day=today + dt.timedelta(14)
        )
        without = [o.code for o in offices if book.earliest(o.pk, clock.now()) is None]
        assert without == [], f"{service}: no free time at {without}"


def test_id_card__every_office_offering_it__has_a_photo_counter_and_times_on_the_page(
    loaded: None, client, django_capture_on_commit_callbacks
) -> None:
    id_card = Service.objects.get(agency__code="skatteverket", code="id-kort")
    offices = list(offices_offering(service=id_card, day=clock.local_today()))
    assert len(offices) >= 10
    for office in offices:
        assert office.service_points.filter(capabilities__code="id-photo", is_active=True)
        page = client.get(reverse("appointments:times", args=[id_card.pk, office.code]))
        assert page.status_code == 200
        times = reverse("appointments:times", args=[id_card.pk, office.code])
        assert re.search(rf'href="{times}\d+/"', page.content.decode()), office.code
    # And one booked end to end, at a district office.
    kista = Office.objects.get(code="kista")
    slot = CapacityBook(
        offices=[kista],
        service=id_card,
        first_day=clock.local_today(),
        last_day=clock.local_today(),
    ).earliest(kista.pk, clock.now())
    assert slot is not None
    url = reverse("appointments:contact", args=[id_card.pk, "kista", slot.epoch])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "Alice",
                "email": "alice@example.org",
                "personal_identity_number": "19121212-1212",
            },
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Booking.objects.filter(office=kista, service=id_card).count() == 1


def test_allocations__from_the_size_class__in_the_office_s_open_hours(loaded: None) -> None:
    kista = Office.objects.get(code="kista")  # XL, open 09–17 on weekdays
    rows = allocation_state(kista)
    assert {(w, h) for w, h, _ in rows} == {(w, h) for w in range(5) for h in range(9, 17)}
    assert {c for *_, c in rows} == {4}
    jokkmokk = Office.objects.get(code="jokkmokk")  # XS in the data? S: open Tue–Thu 10–15
    assert {w for w, _, _ in allocation_state(jokkmokk)} == {1, 2, 3}


def test_allocations__edited_in_the_admin__kept_by_the_next_load(loaded: None) -> None:
    AppointmentAllocation.objects.filter(office__code="kiruna", weekday=0).update(counters=0)
    report = load_reference_data(settings.REFERENCE_DATA_DIR)
    assert report.kept == {"allocations": ["kiruna"]}
    assert not AppointmentAllocation.objects.filter(
        office__code="kiruna", weekday=0, counters__gt=0
    ).exists()
