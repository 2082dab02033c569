import pytest
from rest_framework.test import APIClient

from servicekontor.catalog.models import ServiceMode
from tests.factories import make_agency, make_capability, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def test_api_agencies__list_and_detail(api: APIClient) -> None:
    make_agency(
        code="skatteverket", letter="S", name_sv="Skatteverket", name_en="Swedish Tax Agency"
    )
    make_agency(code="forsakringskassan", letter="F", name_sv="Försäkringskassan")

    response = api.get("/api/agencies/")
    assert response.status_code == 200
    assert [a["code"] for a in response.json()["results"]] == ["forsakringskassan", "skatteverket"]

    detail = api.get("/api/agencies/skatteverket/").json()
    assert detail["ticket_letter"] == "S"
    assert detail["name_en"] == "Swedish Tax Agency"
    assert api.get("/api/agencies/nope/").status_code == 404


def test_api_services__filter_by_agency_and_mode(api: APIClient) -> None:
    skv = make_agency(code="skatteverket", letter="S")
    fk = make_agency(code="forsakringskassan", letter="F")
    id_card = make_service(
        agency=skv,
        code="id-kort",
        mode=ServiceMode.APPOINTMENT_ONLY,
        requires_identification=True,
        required_capability=make_capability(code="id-photo"),
    )
    make_service(agency=skv, code="personbevis", mode=ServiceMode.WALK_IN)
    make_service(agency=fk, code="foraldrapenning")

    by_agency = api.get("/api/services/", {"agency": "skatteverket"}).json()["results"]
    assert {s["code"] for s in by_agency} == {"id-kort", "personbevis"}
    assert {s["agency"] for s in by_agency} == {"skatteverket"}

    booked = api.get("/api/services/", {"mode": "appointment_only"}).json()["results"]
    assert [s["id"] for s in booked] == [id_card.pk]
    assert booked[0]["bookable"] is True
    assert booked[0]["walk_in_allowed"] is False
    assert booked[0]["required_capability"] == "id-photo"


def test_api_services__unknown_agency_or_mode__400(api: APIClient) -> None:
    response = api.get("/api/services/", {"agency": "nope"})
    assert response.status_code == 400
    assert "nope" in response.json()["agency"][0]

    response = api.get("/api/services/", {"mode": "drive_in"})
    assert response.status_code == 400
    assert "walk_in" in response.json()["mode"][0]


def test_api_services__list__constant_queries(
    api: APIClient,
    django_assert_max_num_queries,
) -> None:
    for _ in range(10):
        make_service(required_capability=make_capability())
    with django_assert_max_num_queries(2):
        assert len(api.get("/api/services/").json()["results"]) == 10
