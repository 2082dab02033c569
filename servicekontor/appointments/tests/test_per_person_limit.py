"""The per-person limit (services.same_person): who counts as the same person."""

import pytest
from django.urls import reverse

from servicekontor.appointments import errors, services
from servicekontor.appointments.models import Booking
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import TUESDAY, allocate, local
from servicekontor.appointments.tokens import identity_hash
from servicekontor.messaging.phone import InvalidPhoneNumber, to_e164
from tests.factories import make_offering, make_office, make_service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]

CHILD_1, CHILD_2 = "201010012381", "201202022396"  # test identity numbers (valid check digit)


@pytest.fixture
def id_service():
    return make_service(mode="both", handling_minutes=30, requires_identification=True)


@pytest.fixture
def id_office(id_service):
    office = make_office(counters=2)
    make_offering(office=office, service=id_service)
    allocate(office)
    return office


def _book(office, service, hour, **contact):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, hour),
        contact=Contact(name="A", **contact),
    )


@pytest.mark.parametrize(
    "raw",
    ["070-123 45 67", "+46 070-123 45 67", "+46 70 123 45 67", "0046701234567", "0701234567"],
)
def test_phones__every_way_of_writing_a_swedish_mobile__one_e164(raw):
    assert to_e164(raw) == "+46701234567"


@pytest.mark.parametrize("raw", ["12345", "abc", "+46 0", ""])
def test_phones__not_a_number__refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        to_e164(raw)


@pytest.mark.parametrize("second", ["+46 070-123 45 67", "+46701234567", "0046 70 123 45 67"])
def test_limit__same_mobile_written_differently__is_one_person(office, service, second):
    _book(office, service, 10, phone=to_e164("070-123 45 67"))
    with pytest.raises(errors.LimitReached):
        _book(office, service, 11, phone=second)


def test_limit__form_stores_e164_so_the_limit_holds_through_http(client, office, service):
    def post(hour, phone):
        url = reverse(
            "appointments:contact",
            args=[service.pk, office.code, int(local(TUESDAY, hour).timestamp())],
        )
        return client.post(url, {"name": "A", "phone": phone})

    assert post(10, "070-123 45 67").status_code == 302
    assert Booking.objects.get().phone == "+46701234567"
    assert post(11, "+46 070-123 45 67").status_code == 409
    assert post(12, "12345").status_code == 400


def test_limit__same_email_any_case__is_one_person(office, service):
    _book(office, service, 10, email="parent@example.org")
    with pytest.raises(errors.LimitReached):
        _book(office, service, 11, email="Parent@Example.org")


def test_limit__identity_number_service__parent_books_two_children_on_one_email(
    id_office, id_service
):
    """Where the service asks for the identity number, the person is that number: two
    children booked by one parent (one e-mail, one mobile) are two people."""
    shared = {"email": "parent@example.org", "phone": "+46701234567"}
    _book(id_office, id_service, 10, identity_hash=identity_hash(CHILD_1), **shared)
    _book(id_office, id_service, 11, identity_hash=identity_hash(CHILD_2), **shared)
    # … but the same child twice is the limit
    with pytest.raises(errors.LimitReached):
        _book(id_office, id_service, 12, identity_hash=identity_hash(CHILD_1), email="x@y.se")
    assert Booking.objects.count() == 2


def test_limit__identity_number_service__through_the_form(client, id_office, id_service):
    def post(hour, number):
        url = reverse(
            "appointments:contact",
            args=[id_service.pk, id_office.code, int(local(TUESDAY, hour).timestamp())],
        )
        return client.post(
            url,
            {"name": "A", "email": "parent@example.org", "personal_identity_number": number},
        )

    assert post(10, "20101001-2381").status_code == 302
    assert post(11, "20120202-2396").status_code == 302
    assert post(12, "20101001-2381").status_code == 409


def test_limit__moving_does_not_count_against_itself(office, service):
    made = _book(office, service, 10, email="a@x.se")
    services.reschedule_booking(booking=made.booking, starts_at=local(TUESDAY, 11))
    assert Booking.objects.get().starts_at == local(TUESDAY, 11)


def test_limit__moving_onto_a_day_with_another_booking_of_the_same_person_is_refused(
    office, service
):
    import datetime as dt

    wednesday = TUESDAY + dt.timedelta(days=1)
    _book(office, service, 10, email="a@x.se")
    other = services.book_appointment(
        office=office,
        service=service,
        starts_at=local(wednesday, 10),
        contact=Contact(name="A", email="a@x.se"),
    )
    with pytest.raises(errors.LimitReached):
        services.reschedule_booking(booking=other.booking, starts_at=local(TUESDAY, 12))
