"""Swedish says "anmäla sig" for checking in, everywhere a citizen or officer reads it (the
walk, 2 Dec 2026: the kiosk said "Anmäl dig…", "Anmäl ankomst", "Du är anmäld" and, on a
second try, "Du är redan incheckad"; its start screen "checka in")."""

import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from servicekontor.appointments import services
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, local

OTHER_WORDS = re.compile(r"incheck|checka|checkas|checkar", re.IGNORECASE)


def test_swedish_translations__check_in_is_always_anmäla():
    po = Path(settings.BASE_DIR, "locale", "sv", "LC_MESSAGES", "django.po").read_text("utf-8")
    msgstrs = re.findall(r'^msgstr ((?:".*"\n)+)', po, flags=re.MULTILINE)
    found = [m for m in msgstrs if OTHER_WORDS.search(m)]
    assert not found, found


@pytest.mark.django_db
@pytest.mark.usefixtures("no_rate_limit")
def test_check_in_kiosk__first_and_second_check_in__the_same_word(client, office, service):
    day = MONDAY_MORNING.date()
    with time_machine.travel(local(day, 8), tick=False):
        booking = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(day, 11),
            contact=Contact(name="A", email="a@example.org"),
        ).booking
    with time_machine.travel(local(day, 10, 50), tick=False):
        start = client.get(f"/queue/{office.code}/").content.decode()
        first = client.post(f"/book/check-in/{office.code}/", {"code": booking.code})
        again = client.post(f"/book/check-in/{office.code}/", {"code": booking.code})
    assert "Du är anmäld" in first.content.decode()
    assert "Du är redan anmäld" in again.content.decode()
    for page in (start, first.content.decode(), again.content.decode()):
        assert not OTHER_WORDS.search(page)
