"""What the check-in kiosk says about when the citizen is called: "at about 11:00" before the
booked time, "soon" once it has come (the walk, 2 Dec 2026: a citizen checking in at 09:26
for 09:15, within the grace, read "You will be called at about 09:15")."""

import pytest
import time_machine

from servicekontor.appointments import services
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limit")]

MONDAY = MONDAY_MORNING.date()


@pytest.mark.parametrize(
    ("hour", "minute", "said", "not_said"),
    [
        (10, 40, "You will be called at about 11:00.", "called soon"),  # early
        (11, 0, "You will be called soon.", "at about"),  # on the minute
        (11, 9, "You will be called soon.", "at about 11:00"),  # late, within the grace
    ],
)
def test_check_in__says_about_the_time_before_it_and_soon_after(
    client, office, service, hour, minute, said, not_said
):
    with time_machine.travel(local(MONDAY, 8), tick=False):
        booking = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(MONDAY, 11),
            contact=Contact(name="A", email="a@example.org"),
        ).booking
    with time_machine.travel(local(MONDAY, hour, minute), tick=False):
        page = client.post(f"/en/book/check-in/{office.code}/", {"code": booking.code})
    text = page.content.decode()
    assert page.status_code == 200
    assert "You are checked in" in text
    assert said in text and not_said not in text
