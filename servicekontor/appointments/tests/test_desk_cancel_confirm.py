"""Walk findings (2026-12-01) on "Cancel a booking for a citizen" at the desk: a typed code
cancelled at once, unseen (a mistyped code cancelled another citizen's booking and told them),
and every refusal came back with the Service select empty (a thinner page than the GET)."""

import re

import pytest

from servicekontor.appointments import services
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.messaging.models import Message
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(office):
    return make_user(offices=[office])


@pytest.fixture
def booking(frozen, office, service):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=services.Contact(name="Anna Maria Svensson", email="a@example.org"),
    ).booking


def _options(html: str) -> list[str]:
    select = re.search(r'<select id="desk-service" name="service">(.*?)</select>', html, re.S)
    assert select is not None, html
    return re.findall(r'<option value="(\d+)"', select.group(1))


def _url(office) -> str:
    return f"/en/book/desk/{office.code}/cancel/"


def test_desk_cancel__the_code_shows_the_booking_and_cancels_nothing(
    client, office, officer, booking
):
    client.force_login(officer)
    messages_before = Message.objects.count()
    response = client.post(_url(office), {"code": booking.code.lower()})
    html = response.content.decode()
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert Message.objects.count() == messages_before  # the citizen is told nothing yet
    # whose (initials, not the name), which service, when; and one button with the focus
    assert "A. M. S." in html and "Anna Maria Svensson" not in html
    assert booking.service.name in html
    assert "10:00" in html
    assert f'name="confirm" value="{booking.pk}"' in html
    assert re.search(r'<button type="submit" autofocus>Cancel this booking</button>', html)


def test_desk_cancel__confirmed__cancels_that_booking(client, office, officer, booking):
    client.force_login(officer)
    response = client.post(_url(office), {"code": booking.code, "confirm": booking.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_desk_cancel__confirm_of_another_booking__only_shows_this_one(
    client, office, officer, booking
):
    # The confirmation names the booking it showed: a code and an id that disagree (a
    # hand-made or stale form) show the code's booking again and cancel nothing.
    client.force_login(officer)
    response = client.post(_url(office), {"code": booking.code, "confirm": booking.pk + 1})
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


@pytest.mark.parametrize(
    ("code", "status", "said"),
    [
        ("ab", 400, "A booking code has 8 letters and digits."),
        ("ABCD-2345", 404, "No booking at this office has that code."),
        (None, 409, "This booking is already cancelled."),
    ],
)
def test_desk_cancel__refused__the_whole_page_as_its_get(
    client, office, officer, booking, code, status, said
):
    client.force_login(officer)
    if code is None:  # cancelled already
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
        code = booking.code
    page = client.get(f"/en/book/desk/{office.code}/book/").content.decode()
    response = client.post(_url(office), {"code": code})
    html = response.content.decode()
    assert response.status_code == status
    assert said in html
    assert _options(html) == _options(page) != []  # the select as the page's own
    assert office.name in html
    assert f'value="{code}"' in html  # the typed code stays, to correct it


def test_desk_book__refused__the_whole_page_as_its_get(client, office, officer, frozen):
    client.force_login(officer)
    page = client.get(f"/en/book/desk/{office.code}/book/").content.decode()
    for data in ({"service": "999999"}, {"service": "x"}):
        response = client.get(f"/en/book/desk/{office.code}/book/", data)
        assert response.status_code == 400
        assert _options(response.content.decode()) == _options(page) != []
