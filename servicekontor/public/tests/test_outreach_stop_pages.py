"""Outreach stops in the finder, on their own page with the next visits, and as a public
iCalendar feed; on the real reference network (Arjeplog has no office of its own)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from icalendar import Calendar

from servicekontor.appointments.conf import calendar_domain
from servicekontor.core.geography import find_locality, haversine_km
from servicekontor.network.models import ExceptionKind, Office, OfficeKind, OpeningException
from servicekontor.network.reference_data import load_reference_data
from tests.factories import make_offering, make_outreach_stop, make_service

pytestmark = pytest.mark.django_db
# Wednesday 2026-03-11, 11:00 in Stockholm.
NOW = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def stop() -> Office:
    load_reference_data(settings.REFERENCE_DATA_DIR)
    stop = make_outreach_stop(code="arjeplog-torget", name="Mobilt servicekontor Arjeplog")
    make_offering(office=stop, service=make_service(name_sv="Bostadsbidrag"))
    return stop


@time_machine.travel(NOW, tick=False)
def test_outreach__finder__lists_a_stop_near_a_place_with_no_office(
    client: Client, stop: Office
) -> None:
    arjeplog = find_locality("Arjeplog")
    assert arjeplog is not None
    nearest_office = min(
        haversine_km(arjeplog.latitude, arjeplog.longitude, o.latitude, o.longitude)
        for o in Office.objects.operating_on(NOW.date()).filter(kind=OfficeKind.OFFICE)
    )
    assert nearest_office > 50  # no office near: the case outreach exists for
    response = client.get("/", {"q": "Arjeplog"})
    html = response.content.decode()
    assert response.status_code == 200
    first = html.index('<ol class="results">')
    assert html.index("Mobilt servicekontor Arjeplog", first) < html.index("<li", first + 30)
    assert "Outreach stop" in html or "Mobilt" in html
    # Its next visits (Tuesdays 10–14) are in the result.
    assert "17 mars" in html and "10:00–14:00" in html


@time_machine.travel(NOW, tick=False)
def test_outreach__stop_page__next_visits_cancelled_visit_and_feed_link(
    client: Client, stop: Office
) -> None:
    OpeningException.objects.create(
        office=stop,
        date=dt.date(2026, 3, 24),
        kind=ExceptionKind.CLOSED,
        reason_sv="Bussen omdirigerad",
        reason_en="Vehicle diverted",
    )
    response = client.get(f"/en/office/{stop.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Next visits" in html
    assert (
        'Tuesday 17 March: <span class="time-range">10:00–14:00</span>' in html
    )  # one line on a phone
    assert (
        'Tuesday 24 March <span class="time-range">10:00–14:00</span>: <strong>cancelled</strong> (Vehicle diverted)'
        in html
    )
    assert 'Tuesday 31 March: <span class="time-range">10:00–14:00</span>' in html
    assert f"/en/office/{stop.code}/visits.ics" in html
    swedish = client.get(f"/office/{stop.code}/").content.decode()
    assert "Nästa besök" in swedish and "Bussen omdirigerad" in swedish
    # The heading is the stop's name once, its kind a tag of its own; the services are
    # offered on the days of a visit, not "here today" (NOW is not a visiting day).
    assert "<h1>Mobilt servicekontor Arjeplog</h1>" in swedish
    assert swedish.count("Mobilt servicekontor Mobilt") == 0
    assert "Help you can get here on the days of a visit" in html
    assert "here today" not in html


@time_machine.travel(NOW, tick=False)
def test_outreach__feed__visits_on_the_wall_clock_across_dst_and_cancellations(
    client: Client, stop: Office
) -> None:
    OpeningException.objects.create(
        office=stop, date=dt.date(2026, 3, 24), kind=ExceptionKind.CLOSED, reason_sv="Omdirigerad"
    )
    response = client.get(f"/office/{stop.code}/visits.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    domain = calendar_domain()  # from settings, as the bookings' events (not the Host)
    before = events[f"stop-{stop.code}-20260317-0@{domain}"]
    after = events[f"stop-{stop.code}-20260331-0@{domain}"]  # summer time since 29 March
    assert before.decoded("dtstart").hour == after.decoded("dtstart").hour == 10
    assert before.decoded("dtstart").utcoffset() == dt.timedelta(hours=1)
    assert after.decoded("dtstart").utcoffset() == dt.timedelta(hours=2)
    cancelled = events[f"stop-{stop.code}-20260324-0@{domain}"]
    assert str(cancelled["status"]) == "CANCELLED"
    assert calendar["method"] == "PUBLISH"  # a feed of standing and cancelled visits
    assert int(str(cancelled["sequence"])) > int(str(before["sequence"])) == 0  # outranks the visit
    assert "Omdirigerad" in str(cancelled["description"])
    # Easter Monday is not a Tuesday; Tuesday 7 April is served (skip policy affects holidays).
    assert f"stop-{stop.code}-20260407-0@{domain}" in events
    assert b"BEGIN:VTIMEZONE" in response.content
    # An office has no feed.
    assert client.get("/office/kiruna/visits.ics").status_code == 404


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8002", "LOCALHOST."])
def test_outreach__feed__links_and_uids_from_settings_not_the_host_header(
    client: Client, stop: Office, settings, host: str
) -> None:
    """Any host in ALLOWED_HOSTS (an internal address such as the push server's pool, a
    second name) was written into every event's URL and UID: a calendar that subscribed
    under two names kept every visit twice, and a cache in front could keep a feed whose
    links lead to an internal address. The site's public address (SITE_URL) is used."""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SITE_URL = "https://boka.servicekontor.example"
    response = client.get(f"/office/{stop.code}/visits.ics", HTTP_HOST=host)
    assert response.status_code == 200
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert events
    for event in events:
        assert str(event["uid"]).endswith("@boka.servicekontor.example")
        assert str(event["url"]) == f"https://boka.servicekontor.example/office/{stop.code}/"
    assert host.split(":")[0].lower().rstrip(".") not in response.content.decode().lower()
