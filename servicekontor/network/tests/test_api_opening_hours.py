import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from servicekontor.network.models import ExceptionKind, OpeningException, OpeningHoursPeriod
from tests.factories import make_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def office():
    office = make_office(code="kiruna")
    OpeningException.objects.create(
        office=office,
        date=dt.date(2025, 3, 27),
        kind=ExceptionKind.SPECIAL_HOURS,
        opens=dt.time(12),
        closes=dt.time(14),
        reason_sv="Personalmöte",
        reason_en="Staff meeting",
    )
    OpeningException.objects.create(
        office=office, date=dt.date(2025, 6, 2), kind=ExceptionKind.CLOSED, reason_sv="Flytt"
    )
    return office


def _hours(api: APIClient, **params: str) -> dict:
    response = api.get("/api/offices/kiruna/opening-hours/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_api_opening_hours__dst_weekend__local_times_with_offsets(
    api: APIClient, office: object
) -> None:
    data = _hours(api, **{"from": "2025-03-27", "to": "2025-03-31"})
    days = {d["date"]: d for d in data["days"]}
    assert days["2025-03-27"]["intervals"] == [
        {"opens": "2025-03-27T12:00:00+01:00", "closes": "2025-03-27T14:00:00+01:00"}
    ]
    assert (
        days["2025-03-27"]["note"] == "Staff meeting"
    )  # the API answers in the asked language (decision 0064)
    assert days["2025-03-28"]["intervals"] == [
        {"opens": "2025-03-28T10:00:00+01:00", "closes": "2025-03-28T16:00:00+01:00"}
    ]
    assert days["2025-03-29"]["open"] is False
    assert days["2025-03-30"]["open"] is False  # the spring-forward Sunday
    assert days["2025-03-31"]["intervals"] == [
        {"opens": "2025-03-31T10:00:00+02:00", "closes": "2025-03-31T16:00:00+02:00"}
    ]
    # Exceptions in the range only; the weekly period that covers it, with its hours.
    assert [e["date"] for e in data["exceptions"]] == ["2025-03-27"]
    (period,) = data["periods"]
    assert period["valid_from"] == "2019-01-01"
    assert [h["weekday"] for h in period["hours"]] == [0, 1, 2, 3, 4]


def test_api_opening_hours__christmas__eve_and_holidays_closed(
    api: APIClient, office: object
) -> None:
    data = _hours(api, **{"from": "2024-12-23", "to": "2024-12-27"})
    open_days = {d["date"]: d["open"] for d in data["days"]}
    assert open_days == {
        "2024-12-23": True,
        "2024-12-24": False,  # julafton: a de facto closed day
        "2024-12-25": False,
        "2024-12-26": False,
        "2024-12-27": True,
    }
    notes = {d["date"]: d["note"] for d in data["days"]}
    assert notes["2024-12-24"] == "Christmas Eve"
    assert notes["2024-12-23"] == ""


def test_api_opening_hours__periods_touching_the_range(api: APIClient, office) -> None:
    OpeningHoursPeriod.objects.create(
        office=office, name="Sommar", valid_from=dt.date(2025, 6, 16), valid_to=dt.date(2025, 8, 15)
    )
    in_june = _hours(api, **{"from": "2025-06-01", "to": "2025-06-20"})
    assert [p["name"] for p in in_june["periods"]] == ["", "Sommar"]
    in_may = _hours(api, **{"from": "2025-05-01", "to": "2025-05-31"})
    assert [p["name"] for p in in_may["periods"]] == [""]


@time_machine.travel(dt.datetime(2025, 6, 1, 22, 30, tzinfo=dt.UTC), tick=False)
def test_api_opening_hours__default_range__a_week_from_stockholm_today(
    api: APIClient, office: object
) -> None:
    data = _hours(api)
    assert (data["first_day"], data["last_day"]) == ("2025-06-02", "2025-06-08")
    assert len(data["days"]) == 7
    assert data["days"][0]["open"] is False  # the closed exception on 2 June


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-06-10", "to": "2025-06-09"}, "to"),
        ({"from": "2025-01-01", "to": "2025-03-04"}, "to"),  # 63 days
        ({"from": "2025-02-30"}, "from"),
        ({"from": "2025-01-01", "to": "soon"}, "to"),
    ],
)
def test_api_opening_hours__bad_range__400(
    api: APIClient, office: object, params: dict, field: str
) -> None:
    response = api.get("/api/offices/kiruna/opening-hours/", params)
    assert response.status_code == 400
    assert response.json()[field]


def test_api_opening_hours__max_range__constant_queries(
    api: APIClient,
    office: object,
    django_assert_max_num_queries,
) -> None:
    with django_assert_max_num_queries(4):
        data = _hours(api, **{"from": "2025-01-01", "to": "2025-03-03"})  # 62 days
    assert len(data["days"]) == 62


def test_api_opening_hours__unknown_office__404(api: APIClient) -> None:
    assert api.get("/api/offices/nowhere/opening-hours/").status_code == 404
