"""A cancel or move of a booking in an end state says which end state (the walk: cancelling
an already cancelled booking a second time said "Bokningen går inte längre att ändra."), at
the desk and on the citizen's link alike (`services.why_not_changeable`)."""

import datetime as dt

import pytest

from servicekontor.appointments import services
from servicekontor.appointments.models import Booking, BookingStatus, OfficeCancelReason
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local
from tests.factories import make_user

pytestmark = pytest.mark.django_db

END_STATES: list[tuple[dict[str, object], str]] = [
    ({"status": BookingStatus.CANCELLED}, "Bokningen är redan avbokad."),
    (
        {
            "status": BookingStatus.CANCELLED_BY_OFFICE,
            "office_cancel_reason": OfficeCancelReason.CLOSED,
        },
        "Kontoret har redan avbokat bokningen.",
    ),
    ({"status": BookingStatus.CHECKED_IN}, "Bokningen är redan anmäld på plats."),
    ({"status": BookingStatus.LATE}, "Bokningens tid har redan passerat."),
    ({"status": BookingStatus.NO_SHOW}, "Bokningens tid har redan passerat."),
    (
        {
            "starts_at": MONDAY_MORNING - dt.timedelta(hours=1),
            "ends_at": MONDAY_MORNING - dt.timedelta(minutes=45),
        },
        "Bokningens tid har redan passerat.",
    ),
]
NEVER = "Bokningen går inte längre att ändra."


@pytest.fixture
def made(frozen, office, service, no_rate_limit):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=services.Contact(name="Anna Svensson", email="a@example.org"),
    )


@pytest.mark.parametrize(("fields", "said"), END_STATES)
def test_desk_cancel__says_the_end_state(client, office, made, fields, said):
    Booking.objects.filter(pk=made.booking.pk).update(**fields)
    client.force_login(make_user(offices=[office]))

    response = client.post(f"/book/desk/{office.code}/cancel/", {"code": made.booking.code})

    assert response.status_code == 409
    html = response.content.decode()
    assert said in html and NEVER not in html


@pytest.mark.parametrize(("fields", "said"), END_STATES)
def test_citizen_cancel__says_the_end_state(client, made, fields, said):
    Booking.objects.filter(pk=made.booking.pk).update(**fields)
    for response in (
        client.get(f"/book/manage/{made.token}/cancel/"),
        client.post(f"/book/manage/{made.token}/cancel/"),
    ):
        assert response.status_code == 409
        html = response.content.decode()
        assert said in html and NEVER not in html


@pytest.mark.parametrize(
    ("fields", "said"),
    # an office's cancel may be moved to a new time: not an end state for a move
    [case for case in END_STATES if case[0].get("status") != BookingStatus.CANCELLED_BY_OFFICE],
)
def test_citizen_move__says_the_end_state(client, made, fields, said):
    Booking.objects.filter(pk=made.booking.pk).update(**fields)
    response = client.get(f"/book/manage/{made.token}/reschedule/")
    assert response.status_code == 409
    html = response.content.decode()
    assert said in html and NEVER not in html


def test_cancel_twice__the_service_says_already_cancelled(made):
    services.cancel_booking(booking=made.booking)
    with pytest.raises(services.errors.AlreadyCancelled):
        services.cancel_booking(booking=made.booking)
    with pytest.raises(services.errors.AlreadyCancelled):
        services.cancel_booking_at_desk(booking=made.booking)


def test_cancelled_at_the_desk__the_citizens_link_says_already_cancelled(client, office, made):
    client.force_login(make_user(offices=[office]))
    client.post(
        f"/book/desk/{office.code}/cancel/",
        {"code": made.booking.code, "confirm": made.booking.pk},
    )
    client.logout()
    html = client.post(f"/book/manage/{made.token}/cancel/").content.decode()
    assert "Bokningen är redan avbokad." in html
