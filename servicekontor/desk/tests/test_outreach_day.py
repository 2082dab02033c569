"""Walk F8 (session 18): staff had no day view of the outreach stops — which stops are visited
today, when and where. `/staff/outreach/?day=…`: the stops visited that day by opening time,
where, team or vehicle, the office that staffs them, officers and bookings; the visits
cancelled that day with the reason; officers, managers and network administrators."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.accounts.models import Role
from servicekontor.network.models import ExceptionKind, OpeningException, OutreachRule
from tests.factories import make_agency, make_office, make_outreach_stop, make_user

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 12, 8)


@pytest.fixture
def stops():
    base = make_office(code="arvidsjaur", name="Arvidsjaur")
    arjeplog = make_outreach_stop(
        code="arjeplog", name="Mobilt servicekontor Arjeplog", weekday=1, staffed_from=base
    )
    OutreachRule.objects.filter(office=arjeplog).update(team="Mobilt kontor 1", officers=3)
    early = make_outreach_stop(
        code="jokkmokk",
        name="Mobilt servicekontor Jokkmokk",
        municipality="Jokkmokk",
        weekday=1,
        opens=dt.time(8, 30),
        closes=dt.time(11, 0),
    )
    wednesday = make_outreach_stop(code="sorsele", name="Mobilt servicekontor Sorsele", weekday=2)
    off = make_outreach_stop(code="mala", name="Mobilt servicekontor Malå", weekday=1)
    OpeningException.objects.create(
        office=off, date=TUESDAY, kind=ExceptionKind.CLOSED, reason_en="Road closed by snow"
    )
    return base, arjeplog, early, wednesday, off


def test_outreach_day__which_stops_when_where_and_by_whom(client, stops):
    base, arjeplog, early, wednesday, off = stops
    client.force_login(make_user(offices=[base]))
    with translation.override("en"):
        page = client.get(reverse("outreach-day"), {"day": TUESDAY.isoformat()})
    assert page.status_code == 200
    body = page.content.decode()
    table = body.split('id="cancelled"')[0]
    # Tuesday's stops by opening time: Jokkmokk 08:30 before Arjeplog 10:00; not Wednesday's
    assert table.index(early.name) < table.index(arjeplog.name)
    assert wednesday.name not in body
    assert "08:30–11:00" in table and "14:00" in table
    assert "Torget" in table and "Arjeplog" in table  # where
    assert "Mobilt kontor 1" in table and "Arvidsjaur" in table  # team, staffed from
    assert "(your office’s)" in table or "(your office's)" in table
    # the cancelled visit, with its reason, not among the visits
    assert off.name not in table
    assert "Road closed by snow" in body.split('id="cancelled"')[1]


def test_outreach_day__who_may_open_it_and_a_bad_day(client, stops):
    url = reverse("outreach-day")
    client.force_login(make_user(role=Role.AGENCY_ANALYST, analyst_agency=make_agency()))
    assert client.get(url).status_code == 403
    client.force_login(make_user(role=Role.NETWORK_ADMIN))
    assert client.get(url).status_code == 200
    assert client.get(url, {"day": "2026-13-40"}).status_code == 400
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in
