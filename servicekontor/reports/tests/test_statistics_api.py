"""The statistics API: same figures as the pages, same scoping, an agency system's token."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from servicekontor.reports.scope import NoStatistics
from servicekontor.reports.services import create_api_token

MONTH = "2026-11"


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_api__agency_system_reads_its_monthly_report(client, served_world, people):
    token = create_api_token(user=people.tax_analyst, name="Skatteverket BI")
    url = reverse("statistics-agency-report", args=[served_world.skatteverket.code, MONTH])

    response = client.get(url, **_bearer(token))

    assert response.status_code == 200
    data = response.json()
    assert data["total"]["served_visits"] == 3
    assert [o["values"]["served_visits"] for o in data["offices"]] == [2, 1]
    page = client.get(reverse("reports:report", args=[served_world.skatteverket.code, MONTH]))
    assert page.status_code == 302  # the token does not sign a browser in


def test_api__token_of_another_agency_is_403(client, served_world, people):
    token = create_api_token(user=people.fk_analyst, name="FK BI")
    url = reverse("statistics-agency-report", args=[served_world.skatteverket.code, MONTH])

    response = client.get(url, **_bearer(token))

    assert response.status_code == 403
    assert served_world.tax.code not in response.content.decode()


def test_api__figures_by_agency_hold_only_the_own_agency(client, served_world, people):
    token = create_api_token(user=people.fk_analyst, name="FK BI")

    response = client.get(
        reverse("statistics-figures"),
        {"from": "2026-11-01", "to": "2026-11-30", "by": "agency,office"},
        **_bearer(token),
    )

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["group"]["agency"] for r in rows] == [served_world.fk.code]
    assert rows[0]["served_visits"] == 1


def test_api__admin_figures_total_equals_the_page(client, served_world, people):
    token = create_api_token(user=people.admin, name="network")
    response = client.get(
        reverse("statistics-figures"), {"from": "2026-11-01", "to": "2026-11-30"}, **_bearer(token)
    )
    (total,) = response.json()["results"]
    client.force_login(people.admin)
    page = client.get(reverse("reports:network"), {"from": "2026-11-01", "to": "2026-11-30"})

    assert total["served_visits"] == page.context["board"].total.errand_visits == 4
    assert total["errands"] == 4


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-01"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2026-11-01", "to": "2026-11-30", "by": "planet"},
        {"from": "2026-11-01", "to": "2026-11-30", "agency": "nope"},
        {"from": "01/11/2026", "to": "2026-11-30"},
    ],
)
def test_api__bad_parameters_are_400(client, served_world, people, params):
    token = create_api_token(user=people.admin, name="network")

    response = client.get(reverse("statistics-figures"), params, **_bearer(token))

    assert response.status_code == 400


@pytest.mark.parametrize("month", ["2026-13", "0000-01", "0001-01", "3000-01"])
def test_api__agency_report_of_an_impossible_month_is_400(client, served_world, people, month):
    token = create_api_token(user=people.admin, name="network")
    url = reverse("statistics-agency-report", args=[served_world.skatteverket.code, month])

    response = client.get(url, **_bearer(token))

    assert response.status_code == 400
    assert "month" in response.json()


def test_api__no_or_wrong_token_is_refused(client, served_world):
    url = reverse("statistics-figures")
    assert client.get(url, {"from": "2026-11-01", "to": "2026-11-30"}).status_code in (401, 403)
    wrong = client.get(url, {"from": "2026-11-01", "to": "2026-11-30"}, **_bearer("nope"))
    assert wrong.status_code == 401


def test_api__service_officer_gets_no_token(served_world):
    with pytest.raises(NoStatistics):
        create_api_token(user=served_world.alice, name="x")


def test_api__documented_in_the_openapi_schema(client, db):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    assert "/api/statistics/figures/" in schema["paths"]
    assert any(p.startswith("/api/statistics/agency-report/") for p in schema["paths"])
    assert "apiToken" in schema["components"]["securitySchemes"]


def test_create_api_token__command(served_world, people, capsys):
    call_command("create_api_token", people.tax_analyst.username, "BI")

    assert "Token (shown once):" in capsys.readouterr().out


@pytest.mark.parametrize(
    "period",
    [
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-02"},
        {"from": "2026-11-01", "to": "9999-12-31"},
    ],
)
def test_api__figures_date_out_of_range__400_naming_the_parameter(
    client, served_world, people, period
):
    token = create_api_token(user=people.admin, name="network")
    response = client.get(reverse("statistics-figures"), period, **_bearer(token))
    assert response.status_code == 400
    assert set(response.json()) & {"from", "to"}


def test_api__report_counts_are_integers_and_the_yearly_report_equals_its_page(
    client, served_world, people
):
    """Walk F8, 2 Dec 2026: the monthly report gave counts as decimals ("visits": 550.0) and
    the yearly report had no API."""
    token = create_api_token(user=people.tax_analyst, name="Skatteverket BI")
    code = served_world.skatteverket.code
    month = client.get(reverse("statistics-agency-report", args=[code, MONTH]), **_bearer(token))
    values = month.json()["total"]
    for key in ("visits", "visits_walk_in", "served_visits", "errands", "no_show", "transfers"):
        assert type(values[key]) is int, key
    assert '"visits":3,' in month.content.decode().replace(" ", "")
    year = client.get(reverse("statistics-agency-year", args=[code, "2026"]), **_bearer(token))
    assert year.status_code == 200
    data = year.json()
    assert data["year"] == 2026 and data["up_to"] == "2026-11-25"
    assert type(data["total"]["served_visits"]) is int and data["total"]["served_visits"] == 3
    assert [m["code"] for m in data["months"]] == ["2026-11"]
    client.force_login(people.tax_analyst)
    page = client.get(reverse("reports:year", args=[code, "2026"]))
    assert [o["name"] for o in data["offices"]] == [r[0] for r in page.context["office_rows"][:-1]]
    other = create_api_token(user=people.fk_analyst, name="FK BI")
    refused = client.get(reverse("statistics-agency-year", args=[code, "2026"]), **_bearer(other))
    assert refused.status_code == 403
    assert client.get(reverse("statistics-agency-year", args=[code, "2030"])).status_code == 404
