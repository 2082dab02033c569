"""Moving a booking (walk F6): the booking's own time is not offered as a time to move to (it
is shown as the booked time), and times hidden or refused because they start too soon
(`Rules.closes_before`, 2 hours by default) say the rule in words, on every times page."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.core import clock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limit")]

MONDAY = dt.date(2025, 3, 10)  # the office is open for bookings 10–16, 30-minute times


def _book(client, office, service, start, capture, email="a@example.org") -> str:
    url = reverse("appointments:contact", args=[service.pk, office.code, int(start.timestamp())])
    with capture(execute=True):
        response = client.post(url, {"name": "A", "email": email})
    assert response.status_code == 302
    return response["Location"].split("/manage/")[1].split("/")[0]


def _move_url(token: str, language: str) -> str:
    with translation.override(language):
        return reverse("appointments:reschedule", args=[token])


def _starts(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="[^"]*(?:\?start=|/)(\d{10})/?"', html)}


@pytest.mark.usefixtures("frozen")
def test_move__own_time_not_offered_but_shown_as_booked(
    client, office, service, django_capture_on_commit_callbacks
):
    own = local(TUESDAY, 10)
    token = _book(client, office, service, own, django_capture_on_commit_callbacks)
    # Two counters: the own time still has a free place, so it was listed as free.
    page = client.get(_move_url(token, "sv"), {"day": TUESDAY.isoformat()}).content.decode()
    listed = _starts(page)
    assert int(own.timestamp()) not in listed
    assert int(local(TUESDAY, 10, 30).timestamp()) in listed
    assert "10:00–10:30</strong> (din bokade tid)" in page
    english = client.get(_move_url(token, "en"), {"day": TUESDAY.isoformat()}).content.decode()
    assert "(your booked time)" in english
    # The day's count is of the times one can move to: 12 slots 10–16, less the own.
    assert "(11 tider)" in page


@pytest.mark.usefixtures("frozen")
def test_move__own_time_full__still_shown_as_booked(
    client, office, service, django_capture_on_commit_callbacks
):
    own = local(TUESDAY, 11)
    token = _book(client, office, service, own, django_capture_on_commit_callbacks)
    _book(client, office, service, own, django_capture_on_commit_callbacks, "b@example.org")
    page = client.get(_move_url(token, "en"), {"day": TUESDAY.isoformat()}).content.decode()
    assert page.count("(your booked time)") == 1
    assert int(own.timestamp()) not in _starts(page)


def test_times__too_soon_times_hidden_with_the_rule_said(
    client, office, service, django_capture_on_commit_callbacks
):
    with time_machine.travel(clock.local_datetime(MONDAY, dt.time(9, 40)), tick=False):
        token = _book(
            client, office, service, local(TUESDAY, 10), django_capture_on_commit_callbacks
        )
        with translation.override("sv"):
            choose = reverse("appointments:times", args=[service.pk, office.code])
        for url in (_move_url(token, "sv"), choose):
            page = client.get(url, {"day": MONDAY.isoformat()}).content.decode()
            listed = _starts(page)
            assert int(local(MONDAY, 11).timestamp()) not in listed  # 11:00 < 11:40
            assert int(local(MONDAY, 12).timestamp()) in listed
            assert (
                "En tid kan väljas senast 2 timmar innan den börjar, så tider som börjar "
                "före i dag kl. 11:40 visas inte." in page
            )
        english = client.get(_move_url(token, "en"), {"day": MONDAY.isoformat()})
        assert (
            "A time can be chosen at the latest 2 hours before it starts, so times that start "
            "before today at 11:40 are not shown." in english.content.decode()
        )
        # Next week's page: nothing hidden by the rule, nothing said.
        page = client.get(_move_url(token, "en"), {"from": "2025-03-17"}).content.decode()
        assert "Free times on Monday 17 March" in page
        assert "at the latest" not in page


def test_times__too_soon_refused_in_words(
    client, office, service, django_capture_on_commit_callbacks
):
    with time_machine.travel(clock.local_datetime(MONDAY, dt.time(9, 40)), tick=False):
        token = _book(
            client, office, service, local(TUESDAY, 10), django_capture_on_commit_callbacks
        )
        soon = int(local(MONDAY, 11).timestamp())
        moved = client.get(_move_url(token, "sv"), {"start": soon})
        assert moved.status_code == 409
        said = (
            "En tid kan väljas senast 2 timmar innan den börjar: nu kan du välja en tid som "
            "börjar i dag kl. 11:40 eller senare. Välj en annan tid."
        )
        assert said in moved.content.decode()
        with translation.override("en"):
            contact = reverse("appointments:contact", args=[service.pk, office.code, soon])
        booked = client.get(contact)
        assert booked.status_code == 409
        assert "at the latest 2 hours before it starts" in booked.content.decode()


@pytest.mark.usefixtures("frozen")
def test_times__too_far_ahead_refused_in_words(
    client, office, service, django_capture_on_commit_callbacks
):
    token = _book(client, office, service, local(TUESDAY, 10), django_capture_on_commit_callbacks)
    far = int(local(dt.date(2025, 6, 2), 10).timestamp())  # past the 56 days (to 5 May)
    refused = client.get(_move_url(token, "en"), {"start": far})
    assert refused.status_code == 409
    assert (
        "That time is too far ahead: times at this office can be booked up to and including "
        "Monday 5 May." in refused.content.decode()
    )


def test_times__lead_words():
    from servicekontor.appointments.errors import lead_words

    with translation.override("sv"):
        assert [lead_words(dt.timedelta(minutes=m)) for m in (60, 120, 90, 1)] == [
            "1 timme",
            "2 timmar",
            "90 minuter",
            "1 minut",
        ]
