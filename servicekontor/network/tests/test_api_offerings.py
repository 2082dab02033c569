import datetime as dt

import pytest
from rest_framework.test import APIClient

from servicekontor.network.models import Milestone, Offering
from tests.factories import make_agency, make_offering, make_office, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def rows() -> dict:
    skv = make_agency(code="skatteverket", letter="S")
    fk = make_agency(code="forsakringskassan", letter="F")
    kiruna, umea = make_office(code="kiruna"), make_office(code="umea")
    id_card = make_service(agency=skv, code="id-kort")
    parental = make_service(agency=fk, code="foraldrapenning")
    takeover = Milestone.objects.create(
        code="takeover", name_sv="Takeover", date=dt.date(2019, 6, 1)
    )
    ended = make_offering(
        office=kiruna,
        service=parental,
        valid_from=dt.date(2019, 6, 1),
        valid_to=dt.date(2020, 12, 31),
    )
    Offering.objects.filter(pk=ended.pk).update(starts_with=takeover)
    current = make_offering(office=kiruna, service=id_card, valid_from=dt.date(2021, 1, 1))
    other = make_offering(office=umea, service=parental, valid_from=dt.date(2019, 6, 1))
    return {"ended": ended, "current": current, "other": other, "id_card": id_card}


def _ids(api: APIClient, **params: str) -> set[int]:
    response = api.get("/api/offerings/", params)
    assert response.status_code == 200, response.content
    return {o["id"] for o in response.json()["results"]}


def test_api_offerings__whole_history_by_default(api: APIClient, rows: dict) -> None:
    assert _ids(api) == {rows["ended"].pk, rows["current"].pk, rows["other"].pk}
    ended = api.get(f"/api/offerings/{rows['ended'].pk}/").json()
    assert ended == {
        "id": rows["ended"].pk,
        "office": "kiruna",
        "agency": "forsakringskassan",
        "service": rows["ended"].service_id,
        "service_code": "foraldrapenning",
        "valid_from": "2019-06-01",
        "valid_to": "2020-12-31",
        "starts_with": "takeover",
        "ends_with": None,
        "source": "",
    }


def test_api_offerings__filters(api: APIClient, rows: dict) -> None:
    assert _ids(api, office="kiruna") == {rows["ended"].pk, rows["current"].pk}
    assert _ids(api, agency="forsakringskassan") == {rows["ended"].pk, rows["other"].pk}
    assert _ids(api, service=str(rows["id_card"].pk)) == {rows["current"].pk}
    assert _ids(api, office="kiruna", on="2020-12-31") == {rows["ended"].pk}
    assert _ids(api, office="kiruna", on="2021-01-01") == {rows["current"].pk}
    assert _ids(api, on="2019-05-31") == set()


@pytest.mark.parametrize(
    ("param", "value"),
    [("office", "nowhere"), ("agency", "nope"), ("service", "abc"), ("on", "31/12/2020")],
)
def test_api_offerings__bad_filter__400(api: APIClient, rows: dict, param: str, value: str) -> None:
    response = api.get("/api/offerings/", {param: value})
    assert response.status_code == 400
    assert response.json()[param]


def test_api_offerings__list__constant_queries(
    api: APIClient,
    rows: dict,
    django_assert_max_num_queries,
) -> None:
    office = make_office()
    for _ in range(10):
        make_offering(office=office, service=make_service())
    with django_assert_max_num_queries(2):
        assert len(api.get("/api/offerings/").json()["results"]) == 13
