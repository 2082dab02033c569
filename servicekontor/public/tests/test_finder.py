"""The public office finder and office page, on the real reference data."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from servicekontor.network.models import ExceptionKind, Office, OpeningException
from servicekontor.network.reference_data import load_reference_data

pytestmark = pytest.mark.django_db
# Wednesday 2026-03-11, 11:00 in Stockholm.
NOW = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def network() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)


def office_names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/office/[^"]+/">([^<]+)</a></h3>', html)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("query", ["Göteborg", "goteborg", "GÖTEBORG", "Gothenburg"])
def test_finder__place_name_forgiving__goteborg_offices_first(client: Client, query: str) -> None:
    response = client.get("/", {"q": query})
    assert response.status_code == 200
    names = office_names(response.content.decode())
    assert len(names) == 10
    assert all(name.startswith("Göteborg") for name in names[:3])


@time_machine.travel(NOW, tick=False)
def test_finder__coordinates__sorted_by_distance(client: Client) -> None:
    response = client.get("/", {"lat": "67.85", "lon": "20.22"})  # Kiruna
    names = office_names(response.content.decode())
    assert names[0] == "Kiruna"
    assert "km" in response.content.decode()


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="card">(.*?)</li>', html, re.S)


@time_machine.travel(NOW, tick=False)
def test_finder__results_show_the_agencies_not_each_service(client: Client) -> None:
    """Walk finding F1: per office the agencies it helps with and a link to its page with
    every service, not the ~13 services of each card."""
    html = client.get("/", {"q": "Kiruna"}).content.decode()
    first = _cards(html)[0]
    assert "Skatteverket" in first and "Migrationsverket" in first
    assert "Hjälp med:" in first
    assert re.search(r'<a href="/office/[^"]+/">Alla \d+ tjänster och öppettider', first)
    assert "ID-kort" not in html and "booking" not in html and "bokning krävs" not in html


@pytest.mark.parametrize(
    ("utc_hour", "language", "words"),
    [
        (10, "sv", "Öppet nu"),  # 11:00 in Stockholm
        (10, "en", "Open now, until"),
        (6, "sv", "Stängt nu."),  # 07:00: closed, opens later today
        (6, "en", "Closed now.</strong> Opens today at"),
        (20, "en", "Closed now.</strong> Opens tomorrow at"),  # 21:00
    ],
)
def test_finder__each_result_says_open_now_or_when_it_opens(
    client: Client, utc_hour: int, language: str, words: str
) -> None:
    """Walk finding F1: a card says whether the office is open now, until when, or when it
    opens, as the office page does (the same `registry_cache.open_now`), at several hours."""
    prefix = "/en/" if language == "en" else "/"
    with time_machine.travel(NOW.replace(hour=utc_hour), tick=False):
        html = client.get(prefix, {"q": "Kiruna"}).content.decode()
    cards = _cards(html)
    assert len(cards) == 10
    assert words in cards[0]
    assert all('class="opening"' in card for card in cards)


@time_machine.travel(NOW, tick=False)
def test_finder__closed_offices_not_listed(client: Client) -> None:
    html = client.get("/", {"q": "Arvika"}).content.decode()
    assert "Arvika" not in office_names(html)


@time_machine.travel(NOW, tick=False)
def test_finder__unknown_place__404_with_suggestions(client: Client) -> None:
    response = client.get("/", {"q": "Kirunaa"})
    assert response.status_code == 404
    assert "Kiruna" in response.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "params", [{"lat": "abc", "lon": "20"}, {"lat": "91", "lon": "20"}, {"lat": "59"}, {"q": ""}]
)
def test_finder__bad_input__400(client: Client, params: dict[str, str]) -> None:
    assert client.get("/", params).status_code == 400


@time_machine.travel(NOW, tick=False)
def test_finder__english__translated_page(client: Client) -> None:
    html = client.get("/en/", {"q": "Kiruna"}).content.decode()
    assert 'lang="en"' in html
    assert "Helps with:" in html and "Hjälp med" not in html
    # the services by name are on the office page (a result card names the agencies, F1)
    office = client.get("/en/office/kiruna/").content.decode()
    assert "Parental benefit" in office


@time_machine.travel(NOW, tick=False)
def test_office_page__hours_exceptions_services(client: Client) -> None:
    kista = Office.objects.get(code="kista")
    OpeningException.objects.create(
        office=kista, date=dt.date(2026, 3, 20), kind=ExceptionKind.CLOSED, reason_sv="Personaldag"
    )
    response = client.get("/office/kista/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "09:00–17:00" in html
    assert "Personaldag" in html
    assert "Långfredagen" in html  # 2026-04-03, within the next 60 days
    assert "ID-kort" in html


@time_machine.travel(NOW, tick=False)
def test_office_page__english__holiday_and_exception_reason_in_english(client: Client) -> None:
    kista = Office.objects.get(code="kista")
    OpeningException.objects.create(
        office=kista,
        date=dt.date(2026, 3, 20),
        kind=ExceptionKind.CLOSED,
        reason_sv="Personaldag",
        reason_en="Staff training day",
    )
    english = client.get("/en/office/kista/").content.decode()
    assert "Good Friday" in english  # 2026-04-03
    assert "Staff training day" in english
    assert "Långfredagen" not in english and "Personaldag" not in english
    swedish = client.get("/office/kista/").content.decode()
    assert "Långfredagen" in swedish and "Personaldag" in swedish


def test_office_page__unknown__404(client: Client) -> None:
    assert client.get("/office/nowhere/").status_code == 404


@time_machine.travel(dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC), tick=False)
def test_office_page__just_after_utc_midnight__today_is_stockholm_sunday(client: Client) -> None:
    html = client.get("/office/kista/").content.decode()
    # 23:30 UTC Saturday is 00:30 Sunday in Stockholm: the week shown starts Monday 9 March.
    assert re.search(r'aria-current="date">\s*<th scope="row">söndag 15 mars', html)


@time_machine.travel(NOW, tick=False)
def test_office_page__bookable_services_link_to_their_times(client: Client) -> None:
    html = client.get("/en/office/kista/").content.decode()
    assert re.search(r'href="/en/book/service/\d+/kista/"', html)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("query", "label"), [("goteborg", "Göteborg"), ("MALMO", "Malmö")])
def test_finder__place_label__swedish_spelling_restored(
    client: Client, query: str, label: str
) -> None:
    html = client.get("/en/", {"q": query}).content.decode()
    assert f"Offices nearest {label}" in html


def test_error_pages__404__helpful_in_swedish_and_english(client: Client) -> None:
    response = client.get("/office/nowhere/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
    assert "Page not found" in client.get("/en/office/nowhere/").content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("query", "heading"),
    [
        ("Stokholm", "Kontor närmast Stockholm"),  # not the Croatian "Štokholm" it matched
        ("stockholm", "Kontor närmast Stockholm"),
        ("goteborg", "Kontor närmast Göteborg"),
        ("Göteborg", "Kontor närmast Göteborg"),
    ],
)
def test_finder__heading_names_the_place_not_the_alternate_that_matched(
    client: Client, query: str, heading: str
) -> None:
    html = client.get("/", {"q": query}).content.decode()
    assert heading in html
    assert "Š" not in html


@time_machine.travel(NOW, tick=False)
def test_finder__misspelling_on_the_swedish_page__suggests_the_swedish_name(
    client: Client,
) -> None:
    swedish = client.get("/", {"q": "Gotebrg"})
    assert swedish.status_code == 404
    assert '<a href="?q=G%C3%B6teborg">Göteborg</a>' in swedish.content.decode()
    assert "Gothenburg" not in swedish.content.decode()
    english = client.get("/en/", {"q": "Gotebrg"}).content.decode()
    assert ">Gothenburg</a>" in english


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "params",
    [
        {"q": "59,33, 18,06"},
        {"q": "59,33 18,06"},
        {"q": "59.33, 18.06"},
        {"q": "59.33,18.06"},
        {"q": "59,33;18,06"},
        {"q": "59,33,18,06"},
        {"lat": "59,33", "lon": "18,06"},
        {"lat": "59.33", "lon": "18.06"},
    ],
)
def test_finder__coordinates_with_a_decimal_comma_accepted(
    client: Client, params: dict[str, str]
) -> None:
    response = client.get("/", params)
    assert response.status_code == 200
    names = office_names(response.content.decode())
    assert names and names[0].startswith("Stockholm")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("params", [{"lat": "59,33,1", "lon": "18"}, {"lat": "5 9", "lon": "18"}])
def test_finder__malformed_coordinates__400(client: Client, params: dict[str, str]) -> None:
    assert client.get("/", params).status_code == 400


@time_machine.travel(NOW, tick=False)  # Wednesday 11:00, Kista open 09:00–17:00
def test_office_page__open__says_when_it_closes_today_not_when_it_next_opens(
    client: Client,
) -> None:
    swedish = client.get("/office/kista/").content.decode()
    assert "Öppet nu, till 17:00 i dag." in swedish
    assert "Öppnar nästa gång" not in swedish and "Öppnar torsdag" not in swedish
    english = client.get("/en/office/kista/").content.decode()
    assert "Open now, until 17:00 today." in english
    assert "Opens next" not in english and "Next opening" not in english


@time_machine.travel(dt.datetime(2026, 3, 11, 19, 0, tzinfo=dt.UTC), tick=False)
def test_office_page__closed_in_the_evening__says_when_it_opens(client: Client) -> None:
    html = client.get("/en/office/kista/").content.decode()
    # The kiosk's words (`when_words`): the next morning is "tomorrow".
    assert "Closed now." in html and "Opens tomorrow at 09:00." in html


@time_machine.travel(NOW, tick=False)
def test_office_page__closed_for_good__points_to_the_nearest_open_office(
    client: Client,
) -> None:
    kista = Office.objects.get(code="kista")
    kista.closed_on = dt.date(2026, 3, 1)
    kista.save()
    html = client.get("/en/office/kista/").content.decode()
    assert "This office closed on" in html
    assert "Opening hours this week" not in html  # no week of "Closed"
    assert "/book/" not in html.split("<main", 1)[-1].split("Search for another office")[0]
    assert "Go to another office" in html
    nearest = re.findall(r'<li><a href="/en/office/([^"/]+)/">', html)
    assert nearest and "kista" not in nearest
    assert "open now, until" in html


@time_machine.travel(NOW, tick=False)
def test_office_page__closed_for_more_than_a_week__points_elsewhere(client: Client) -> None:
    kista = Office.objects.get(code="kista")
    for day in range(11, 26):  # a fortnight's renovation
        OpeningException.objects.create(
            office=kista, date=dt.date(2026, 3, day), kind=ExceptionKind.CLOSED
        )
    html = client.get("/en/office/kista/").content.decode()
    assert "Go to another office" in html
    assert "Opening hours this week" not in html
    assert "Opens Thursday 26 March at 09:00." in html
