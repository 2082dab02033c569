"""The public flow through HTTP: service → office → time → details → confirmation."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.models import AppointmentAllocation, Booking, BookingStatus
from servicekontor.appointments.tests.conftest import TUESDAY, local
from tests.factories import make_offering, make_service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]


def test_flow__choose_service__lists_bookable_services(client, office, service):
    response = client.get(reverse("appointments:services"))
    assert response.status_code == 200
    assert service.name_sv in response.content.decode()


def test_flow__choose_office__nearest_first_with_earliest_time(client, office, service):
    response = client.get(reverse("appointments:offices", args=[service.pk]), {"q": "Kiruna"})
    body = response.content.decode()
    assert response.status_code == 200
    assert office.name in body
    assert "10:00" in body  # the earliest free time: Monday 10:00 (2 h ahead)


def test_flow__choose_office__unknown_place_is_a_400_with_the_error_linked(client, office, service):
    response = client.get(reverse("appointments:offices", args=[service.pk]), {"q": "Xyzzyqqq"})
    assert response.status_code == 400
    assert 'href="#id_q"' in response.content.decode()


def test_flow__book__success_then_manage_page_shows_code(
    client, office, service, django_capture_on_commit_callbacks
):
    start = local(TUESDAY, 10)
    times = client.get(
        reverse("appointments:times", args=[service.pk, office.code]), {"day": "2025-03-11"}
    )
    contact_url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(start.timestamp())]
    )
    assert contact_url in times.content.decode()
    assert client.get(contact_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url, {"name": "Alice", "email": "alice@example.org"})
    assert response.status_code == 302
    booking = Booking.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert booking.code[:4] in page.content.decode()
    assert len(mail.outbox) == 1
    ics = client.get(reverse("appointments:calendar", args=[response["Location"].split("/")[-2]]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content
    assert b"DTSTART" in ics.content


def test_flow__book__needs_email_or_phone(client, office, service):
    url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    response = client.post(url, {"name": "Alice"})
    assert response.status_code == 400
    assert 'href="#id_email"' in response.content.decode()
    assert not Booking.objects.exists()


def test_flow__book__identity_number_validated_and_never_stored(
    client, office, django_capture_on_commit_callbacks
):
    id_service = make_service(handling_minutes=30, requires_identification=True)
    make_offering(office=office, service=id_service)
    url = reverse(
        "appointments:contact",
        args=[id_service.pk, office.code, int(local(TUESDAY, 10).timestamp())],
    )
    bad = client.post(
        url, {"name": "A", "email": "a@example.org", "personal_identity_number": "199001010018"}
    )
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            url,
            {"name": "A", "email": "a@example.org", "personal_identity_number": "19900101-0017"},
        )
    assert ok.status_code == 302
    booking = Booking.objects.get()
    assert booking.identity_hash and "0017" not in booking.identity_hash
    assert "0017" not in ok["Location"]
    assert "0017" not in mail.outbox[0].body and "900101" not in mail.outbox[0].body


def test_flow__book__slot_taken_is_409_and_offers_other_times(client, office, service):
    url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    for n in range(2):
        assert client.post(url, {"name": "A", "email": f"a{n}@example.org"}).status_code == 302
    response = client.post(url, {"name": "A", "email": "late@example.org"})
    assert response.status_code == 409
    assert (
        reverse("appointments:times", args=[service.pk, office.code]) in response.content.decode()
    )
    # A time that cannot be booked is not a fault of ours: no "something went wrong" (walk,
    # 1 Dec 2026).
    past = reverse("appointments:contact", args=[service.pk, office.code, 1_700_000_000])
    response = client.get(past)
    assert response.status_code == 410  # gone: the time has passed (test_booking_url_parts)
    assert "<h1>Det gick inte att genomföra</h1>" in response.content.decode()
    assert "gick fel" not in response.content.decode()


def test_flow__manage__unknown_token_is_404(client, office):
    response = client.get(reverse("appointments:manage", args=["not-a-token"]))
    assert response.status_code == 404
    assert reverse("appointments:services") in response.content.decode()  # what to do next
    assert client.post(reverse("appointments:cancel", args=["not-a-token"])).status_code == 404


def test_flow__cancel_by_token__success(client, office, service):
    url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    manage = client.post(url, {"name": "A", "email": "a@example.org"})["Location"].split("?")[0]
    token = manage.rstrip("/").split("/")[-1]
    response = client.post(reverse("appointments:cancel", args=[token]))
    assert response.status_code == 302
    assert Booking.objects.get().status == BookingStatus.CANCELLED
    assert client.post(reverse("appointments:cancel", args=[token])).status_code == 409


def test_flow__rate_limit__answers_429(client, office, service, settings):
    settings.APPOINTMENTS_RATE_LOOKUP = "2/m"
    url = reverse("appointments:kiosk_check_in", args=[office.code])
    statuses = [client.post(url, {"code": "AAAA2222"}).status_code for _ in range(3)]
    assert statuses[-1] == 429


def test_flow__forms_carry_csrf_tokens(client, office, service):
    client = client.__class__(enforce_csrf_checks=True)
    url = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 10).timestamp())]
    )
    page = client.get(url).content.decode()
    assert re.search(r'name="csrfmiddlewaretoken"', page)
    assert client.post(url, {"name": "A", "email": "a@example.org"}).status_code == 403


def test_flow__identity_matches__compares_the_hash(
    client, office, django_capture_on_commit_callbacks
):
    from servicekontor.appointments.queries import identity_matches

    id_service = make_service(handling_minutes=30, requires_identification=True)
    make_offering(office=office, service=id_service)
    url = reverse(
        "appointments:contact",
        args=[id_service.pk, office.code, int(local(TUESDAY, 10).timestamp())],
    )
    client.post(
        url, {"name": "A", "email": "a@example.org", "personal_identity_number": "900101-0017"}
    )
    booking = Booking.objects.get()
    assert identity_matches(booking=booking, personal_identity_number="19900101-0017")
    assert not identity_matches(booking=booking, personal_identity_number="19121212-1212")
    assert not identity_matches(booking=booking, personal_identity_number="garbage")


def test_flow__choose_office__nothing_free_near_says_so_and_names_offices_with_time(
    client, office, service
):
    from servicekontor.appointments.tests.conftest import allocate
    from tests.factories import make_office

    far = make_office(name="Ystad servicekontor", latitude=55.43, longitude=13.82)
    make_offering(office=far, service=service)
    allocate(far)
    AppointmentAllocation.objects.filter(office=office).delete()  # Kiruna: no appointment hours
    with translation.override("en"):
        response = client.get(
            reverse("appointments:offices", args=[service.pk]),
            {"q": "Kiruna"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    body = response.content.decode()
    assert response.status_code == 200
    alternatives = body.split("The nearest offices that do have free time")[1]
    assert "Ystad servicekontor" in alternatives
    assert reverse("appointments:times", args=[service.pk, far.code]) in alternatives


def test_flow__identity_number_is_masked_in_error_reports(client, office):
    id_service = make_service(handling_minutes=30, requires_identification=True)
    make_offering(office=office, service=id_service)
    url = reverse(
        "appointments:contact",
        args=[id_service.pk, office.code, int(local(TUESDAY, 10).timestamp())],
    )
    response = client.post(url, {"name": "A", "personal_identity_number": "19900101-0017"})
    assert response.status_code == 400
    assert response.wsgi_request.sensitive_post_parameters == ("personal_identity_number",)
    assert "19900101-0017" not in response.content.decode()
