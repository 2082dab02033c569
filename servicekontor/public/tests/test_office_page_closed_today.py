"""The office page's services heading on a day the office is closed (walk finding
2026-12-01: "Det här kan du få hjälp med här i dag" on a Saturday), and its address
without the municipality twice."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import make_offering, make_office, make_service

pytestmark = pytest.mark.django_db
SATURDAY = dt.datetime(2026, 3, 14, 10, 0, tzinfo=dt.UTC)  # 11:00 in Stockholm
WEDNESDAY = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)


def _page(client: Client, code: str, language: str) -> str:
    with translation.override(language):
        url = reverse("public:office", args=[code])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("sv", "Stängt i dag – det här kan du få hjälp med när kontoret öppnar måndag 16 mars"),
        ("en", "Closed today – help you can get here when the office opens on Monday 16 March"),
    ],
)
def test_office_page__closed_today__heading_names_the_next_opening(
    client: Client, language: str, heading: str
) -> None:
    office = make_office(code="kiruna", name="Kiruna")  # Mon–Fri 10–16
    make_offering(
        office=office, service=make_service(name_sv="Bostadsbidrag", name_en="Bostadsbidrag")
    )
    with time_machine.travel(SATURDAY, tick=False):
        body = _page(client, office.code, language)
    assert heading in body
    assert "i dag</h2>" not in body and "today</h2>" not in body
    assert "Bostadsbidrag" in body


def test_office_page__open_today__heading_says_today(client: Client) -> None:
    office = make_office(code="kiruna", name="Kiruna")
    with time_machine.travel(WEDNESDAY, tick=False):
        body = _page(client, office.code, "sv")
    assert "Det här kan du få hjälp med här i dag</h2>" in body


def test_office_page__no_hours_at_all__heading_without_a_day(client: Client) -> None:
    office = make_office(code="kiruna", name="Kiruna", hours=False)
    with time_machine.travel(WEDNESDAY, tick=False):
        body = _page(client, office.code, "en")
    assert "Help you can get here</h2>" in body


def test_office_page__no_street_address__municipality_once(client: Client) -> None:
    office = make_office(code="malmo", name="Malmö", municipality="Malmö", county="Skåne län")
    office.street_address = office.postal_code = office.postal_town = ""
    office.save()
    with time_machine.travel(WEDNESDAY, tick=False):
        body = _page(client, office.code, "sv")
    address = body.split("<address>", 1)[1].split("</address>", 1)[0]
    assert address.count("Malmö") == 1, address
