import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import make_agency, make_offering, make_office, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def network() -> dict:
    skv = make_agency(code="skatteverket", letter="S")
    mig = make_agency(code="migrationsverket", letter="M")
    arvika = make_office(
        code="arvika",
        name="Arvika",
        county="Värmlands län",
        opened_on=dt.date(2019, 6, 1),
        closed_on=dt.date(2025, 6, 1),
    )
    kiruna = make_office(code="kiruna", name="Kiruna", county="Norrbottens län")
    personbevis = make_service(agency=skv, code="personbevis")
    handlingar = make_service(agency=mig, code="lamna-in-handlingar")
    make_offering(
        office=arvika,
        service=personbevis,
        valid_from=dt.date(2019, 6, 1),
        valid_to=dt.date(2020, 12, 31),
    )
    make_offering(office=arvika, service=handlingar, valid_from=dt.date(2021, 1, 1))
    make_offering(office=kiruna, service=personbevis, valid_from=dt.date(2019, 6, 1))
    return {"personbevis": personbevis, "handlingar": handlingar}


def _offices(api: APIClient, **params: str) -> dict[str, list[str]]:
    response = api.get("/api/offices/", params)
    assert response.status_code == 200, response.content
    return {o["code"]: [s["code"] for s in o["services"]] for o in response.json()["results"]}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2019-05-31", {}),  # the day before the takeover
        ("2019-06-01", {"arvika": ["personbevis"], "kiruna": ["personbevis"]}),
        ("2020-12-31", {"arvika": ["personbevis"], "kiruna": ["personbevis"]}),  # last day
        ("2021-01-01", {"arvika": ["lamna-in-handlingar"], "kiruna": ["personbevis"]}),
        ("2025-05-31", {"arvika": ["lamna-in-handlingar"], "kiruna": ["personbevis"]}),
        ("2025-06-01", {"kiruna": ["personbevis"]}),  # first day closed for good
    ],
)
def test_api_offices__on__boundaries(
    api: APIClient, network: dict, on: str, expected: dict
) -> None:
    assert _offices(api, on=on) == expected


@time_machine.travel(dt.datetime(2020, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False)
def test_api_offices__default_day__stockholm_today_not_utc(api: APIClient, network: dict) -> None:
    # 23:30 UTC on New Year's Eve is already 00:30 on 1 January in Stockholm.
    response = api.get("/api/offices/kiruna/").json()
    assert response["on"] == "2021-01-01"
    assert _offices(api)["arvika"] == ["lamna-in-handlingar"]


def test_api_offices__detail__fields_and_services(api: APIClient, network: dict) -> None:
    office = api.get("/api/offices/arvika/", {"on": "2021-01-01"}).json()
    assert office["opened"] == {"date": "2019-06-01", "precision": "day"}
    assert office["closed"] == {"date": "2025-06-01", "precision": "day"}
    assert office["operating"] is True
    (service,) = office["services"]
    assert service["agency"] == "migrationsverket"
    assert service["service"] == network["handlingar"].pk
    assert service["offered_from"] == "2021-01-01"
    assert service["offered_to"] is None


def test_api_offices__detail_when_closed__not_operating_and_no_services(
    api: APIClient, network: dict
) -> None:
    office = api.get("/api/offices/arvika/", {"on": "2025-06-01"}).json()
    assert office["operating"] is False
    assert office["services"] == []
    assert api.get("/api/offices/nowhere/").status_code == 404


def test_api_offices__filters(api: APIClient, network: dict) -> None:
    assert set(_offices(api, on="2022-01-01", county="Värmlands län")) == {"arvika"}
    assert set(_offices(api, on="2022-01-01", agency="migrationsverket")) == {"arvika"}
    assert set(_offices(api, on="2020-01-01", agency="migrationsverket")) == set()
    personbevis = str(network["personbevis"].pk)
    assert set(_offices(api, on="2022-01-01", service=personbevis)) == {"kiruna"}
    assert set(_offices(api, on="2020-01-01", service=personbevis)) == {"arvika", "kiruna"}


@pytest.mark.parametrize("bad", ["2021-02-30", "20210101", "yesterday", "2021-13-01"])
def test_api_offices__bad_date__400_with_message(api: APIClient, network: dict, bad: str) -> None:
    for url in ("/api/offices/", "/api/offices/kiruna/"):
        response = api.get(url, {"on": bad})
        assert response.status_code == 400
        message = response.json()["on"][0]
        assert bad in message and "2025-06-01" in message  # the value and an example


@pytest.mark.parametrize(
    ("param", "value"), [("agency", "nope"), ("service", "999999"), ("service", "x")]
)
def test_api_offices__unknown_filter_value__400(
    api: APIClient, network: dict, param: str, value: str
) -> None:
    response = api.get("/api/offices/", {param: value})
    assert response.status_code == 400
    assert value in response.json()[param][0]


def test_api_offices__list__constant_queries(
    api: APIClient,
    django_assert_max_num_queries,
) -> None:
    services = [make_service() for _ in range(3)]
    for _ in range(15):
        office = make_office()
        for service in services:
            make_offering(office=office, service=service)
    with django_assert_max_num_queries(3):
        results = api.get("/api/offices/", {"on": "2024-01-01"}).json()["results"]
    assert len(results) == 15
    assert all(len(o["services"]) == 3 for o in results)


def test_api_offices__kind__in_list_and_detail_and_filter(api: APIClient, network: dict):
    from tests.factories import make_outreach_stop

    stop = make_outreach_stop(code="arjeplog-torget")
    make_offering(office=stop, service=network["personbevis"], valid_from=dt.date(2019, 6, 1))
    rows = api.get("/api/offices/", {"on": "2024-01-10"}).json()["results"]
    assert {o["code"]: o["kind"] for o in rows} == {
        "arvika": "office",
        "kiruna": "office",
        "arjeplog-torget": "outreach",
    }
    detail = api.get("/api/offices/arjeplog-torget/", {"on": "2024-01-10"}).json()
    assert detail["kind"] == "outreach"
    assert api.get("/api/offices/kiruna/").json()["kind"] == "office"
    assert list(_offices(api, on="2024-01-10", kind="outreach")) == ["arjeplog-torget"]
    assert sorted(_offices(api, on="2024-01-10", kind="office")) == ["arvika", "kiruna"]
    # Filters combine: a county with only a stop, asked for offices.
    assert _offices(api, on="2024-01-10", kind="office", county="Norrbottens län") == {
        "kiruna": ["personbevis"]
    }


@pytest.mark.parametrize("kind", ["mobile", "OUTREACH", "office,outreach"])
def test_api_offices__unknown_kind__400_naming_the_choices(api: APIClient, network: dict, kind):
    response = api.get("/api/offices/", {"kind": kind})
    assert response.status_code == 400
    assert "office, outreach" in response.json()["kind"][0]
