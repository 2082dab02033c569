"""The finder near a district, and offices whose position is approximate."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from servicekontor.network.models import Office
from servicekontor.network.reference_data import load_reference_data

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def network() -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)


def results(html: str) -> list[tuple[str, str]]:
    names = re.findall(r'<h3><a href="(?:/en)?/office/[^"]+/">([^<]+)</a></h3>', html)
    metas = [m.split("·")[-1].strip() for m in re.findall(r'<p class="meta">([^<]+)</p>', html)]
    return list(zip(names, metas, strict=True))


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("place", "office"),
    [
        ("Rinkeby", "Stockholm Rinkeby"),
        ("Kista", "Stockholm Kista"),
        ("Liljeholmen", "Stockholm Liljeholmen"),
        ("Skäggetorp", "Linköping Skäggetorp"),
        ("Biskopsgården", "Göteborg Biskopsgården"),
        ("Rosengård", "Malmö Rosengård"),
        ("Vivalla", "Örebro Vivalla"),
    ],
)
def test_finder__near_a_district__that_district_s_office_first(
    client: Client, place: str, office: str
) -> None:
    response = client.get("/", {"q": place})
    assert response.status_code == 200
    assert results(response.content.decode())[0][0] == office


@time_machine.travel(NOW, tick=False)
def test_finder__district_point__nearest_to_its_own_office(client: Client) -> None:
    liljeholmen = Office.objects.get(code="liljeholmen")
    response = client.get(
        "/", {"lat": str(liljeholmen.latitude), "lon": str(liljeholmen.longitude + 0.003)}
    )
    assert results(response.content.decode())[0][0] == "Stockholm Liljeholmen"


@time_machine.travel(NOW, tick=False)
def test_finder__offices_on_one_approximate_point__named_order_and_never_0_km(
    client: Client,
) -> None:
    first = results(client.get("/en/", {"q": "Malmö"}).content.decode())
    again = results(client.get("/en/", {"q": "Malmö"}).content.decode())
    assert first == again
    assert [name for name, _ in first[:3]] == ["Malmö", "Malmö Mobilia", "Malmö Värnhem"]
    assert all(meta == "in this area (approximate position)" for _, meta in first[:3])
    assert all("0 km" not in meta or "about" in meta for _, meta in first)
    assert first[3][1].startswith("about ") and first[3][1].endswith(
        "km away (approximate position)"
    )


@time_machine.travel(NOW, tick=False)
def test_finder__swedish__approximate_position_said(client: Client) -> None:
    html = client.get("/", {"q": "Malmö"}).content.decode()
    metas = [meta for _, meta in results(html)]
    assert metas[0] == "i området (ungefärligt läge)"
    assert metas[3].startswith("cirka ") and "(ungefärligt läge)" in metas[3]
    assert not any(re.fullmatch(r"0 km.*", meta) for meta in metas)


@time_machine.travel(NOW, tick=False)
def test_finder__precise_position__plain_distance(client: Client) -> None:
    Office.objects.filter(code="kiruna").update(position_approximate=False)
    html = client.get("/en/", {"lat": "67.85", "lon": "20.22"})
    assert results(html.content.decode())[0] == ("Kiruna", "1 km away")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("/en", "The office's position is approximate"),
        ("", "Kontorets läge är ungefärligt"),
    ],
)
def test_office_page__approximate_position__said(client: Client, prefix: str, text: str) -> None:
    html = client.get(f"{prefix}/office/odenplan/").content.decode()
    assert text in html.replace("&#x27;", "'")
    Office.objects.filter(code="odenplan").update(position_approximate=False)
    html = client.get(f"{prefix}/office/odenplan/").content.decode()
    assert text not in html.replace("&#x27;", "'")
