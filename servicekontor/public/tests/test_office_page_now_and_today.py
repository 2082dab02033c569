"""The office page says "now" and "today" as the kiosk and the lobby display do (walk finding
2026-12-01, at 21:10): after closing, today's services are not "help you can get here today"
and a stop's visit that ended earlier today is not among the "Next visits"; the open state
is `registry_cache.open_now`, the one answer every screen gives. Several clock times."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicekontor.core import clock
from tests.factories import make_offering, make_office, make_outreach_stop, make_service

pytestmark = pytest.mark.django_db
WEDNESDAY = dt.date(2026, 3, 11)  # office Mon–Fri 10–16
TUESDAY = dt.date(2026, 3, 10)  # the stop's day: 10–14


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.local_datetime(day, dt.time(hour, minute))


def _page(client: Client, code: str, language: str, when: dt.datetime) -> str:
    with translation.override(language):
        url = reverse("public:office", args=[code])
    with time_machine.travel(when, tick=False):
        return client.get(url).content.decode()


@pytest.fixture
def office():
    office = make_office(code="kiruna", name="Kiruna")
    make_offering(office=office, service=make_service(name_sv="Bostadsbidrag"))
    return office


@pytest.mark.parametrize(
    ("hour", "status", "heading"),
    [
        (8, "Closed now.", "Help you can get here today"),  # opens later today
        (11, "Open now, until 16:00 today.", "Help you can get here today"),
        (
            21,
            "Closed now.",
            "Closed for the rest of today – help you can get here when the office opens on "
            "Thursday 12 March",
        ),
    ],
)
def test_office_page__services_heading_follows_the_clock(client, office, hour, status, heading):
    body = _page(client, office.code, "en", at(WEDNESDAY, hour))
    assert status in body
    assert f">{heading}</h2>" in body
    if hour == 21:
        assert "Help you can get here today" not in body
        assert "Closed now.</strong>\n    Opens tomorrow at 10:00." in body  # the kiosk's words


def test_office_page__after_closing__swedish(client, office):
    body = _page(client, office.code, "sv", at(WEDNESDAY, 21))
    assert "Stängt resten av dagen – det här kan du få hjälp med när kontoret öppnar" in body
    assert "i dag</h2>" not in body


def test_office_page__friday_evening__names_monday(client, office):
    body = _page(client, office.code, "en", at(WEDNESDAY + dt.timedelta(days=2), 17))
    assert "when the office opens on Monday 16 March" in body


@pytest.fixture
def stop():
    stop = make_outreach_stop(code="arjeplog", name="Mobilt servicekontor Arjeplog")  # Tue 10–14
    make_offering(office=stop, service=make_service(name_sv="Bostadsbidrag"))
    return stop


def _next_visits(body: str) -> str:
    return body.split('id="visits-heading"')[1].split("</ul>")[0]


@pytest.mark.parametrize(
    ("hour", "today_listed"),
    [(8, True), (12, True), (14, False), (21, False)],  # before, during, at and after the end
)
def test_stop_page__todays_visit_is_next_only_until_it_ends(client, stop, hour, today_listed):
    body = _page(client, stop.code, "en", at(TUESDAY, hour))
    visits = _next_visits(body)
    assert ("Tuesday 10 March" in visits) is today_listed
    assert "Tuesday 17 March" in visits
    if not today_listed:
        assert "Closed now." in body


def test_finder__a_stops_served_days_leave_out_todays_ended_visit(client, stop):
    with time_machine.travel(at(TUESDAY, 21), tick=False):
        body = client.get("/en/", {"q": "Arjeplog"}).content.decode()
    assert "Tuesday 17 March" in body
    assert "Tuesday 10 March" not in body
