"""The steering and partner pages on an empty registry — no agency, no office, no period
(a new installation before the reference data are loaded) — for each role: never a server
error, and a page that says it is empty rather than a table without rows or a "None".

An agency analyst cannot exist without an agency (`analyst_has_exactly_their_agency`), so
the analyst's registry holds that one agency and nothing else; its API client walks the
partner API on it."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from servicekontor.accounts import api_clients
from servicekontor.catalog.models import Agency
from servicekontor.core import clock
from servicekontor.network.models import Office
from tests.factories import make_agency, make_user
from tests.test_deploy_lanes import _paths

STEERING = (
    "/staff/",
    "/statistics/",
    "/handovers/",
    "/costs/",
    "/staffing/",
    "/change-plans/",
    "/planning/",
    "/api/statistics/",
    "/api/partner/",
    "/api/costs/",
    "/api/change-plans/",
    "/api/agencies/",
    "/api/services/",
    "/api/offices/",
    "/api/offerings/",
)
ROLES = ("network_admin", "office_manager", "service_officer", "agency_analyst")
_TBODY = re.compile(r"<tbody[^>]*>(.*?)</tbody>", re.S)


def _queries(agency_code: str) -> list[str]:
    today = clock.local_today()
    return [
        "",
        f"?month={today:%Y-%m}&year={today:%Y}&from={today:%Y-%m-01}&to={today}&day={today}"
        f"&on={today}&agency={agency_code}&office=kista&status=sent&period=month",
    ]


def _steering_paths(agency_code: str) -> list[str]:
    paths = []
    for _name, path in _paths():
        if path.startswith(STEERING):
            # the sample slug of a route's agency or office: the analyst's agency, if any
            paths.append(path.replace("kista-1", agency_code))
    # the agency's reports (regex routes, which the sample arguments do not reach)
    today = clock.local_today()
    for name, period in (
        *((n, f"{today:%Y-%m}") for n in ("report", "csv", "xlsx")),
        *((n, f"{today:%Y}") for n in ("year", "year_csv", "year_xlsx")),
    ):
        key = "month" if "-" in period else "year"
        paths.append(reverse(f"reports:{name}", kwargs={"agency_code": agency_code, key: period}))
    paths.append(
        reverse(
            "statistics-agency-report",
            kwargs={"agency_code": agency_code, "month": f"{today:%Y-%m}"},
        )
    )
    return sorted(set(paths))


def _problems(response, url: str) -> list[tuple[str, str]]:
    """What is wrong with `response` for an empty registry: a server error, an empty JSON
    refusal, a page without its <main>, a "None" on it, a table without any row."""
    if response.status_code >= 500:
        return [(url, f"status {response.status_code}")]
    content_type = response.get("Content-Type", "")
    body = response.content.decode(errors="replace")
    found = []
    if content_type.startswith("application/json"):
        if response.status_code >= 400 and not json.loads(body):
            found.append((url, "an empty refusal"))
    elif content_type.startswith("text/html") and response.status_code == 200:
        main = re.search(r"<main\b.*?</main>", body, re.S)
        if not main:
            return [(url, "no <main>")]
        if re.search(r"\bNone\b", re.sub(r"<[^>]+>", " ", main.group(0))):
            found.append((url, "None on the page"))
        for rows in _TBODY.findall(main.group(0)):
            if "<tr" not in rows:
                found.append((url, "a table without a row (no empty-state row)"))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_empty_registry__every_steering_page_for_each_role(role: str) -> None:
    agency = make_agency(code="lonely") if role == "agency_analyst" else None
    assert not Office.objects.exists()
    assert Agency.objects.count() == (1 if agency else 0)
    person = make_user(role=role, analyst_agency=agency)
    client = Client(raise_request_exception=False)
    client.force_login(person)
    code = agency.code if agency else "nothing"
    checked, problems = 0, []
    for path in _steering_paths(code):
        for query in _queries(code):
            url = path + query
            problems += _problems(client.get(url), url)
            checked += 1
    assert checked > 50
    assert not problems, "\n".join(sorted({f"{url}: {what}" for url, what in problems}))


@pytest.mark.django_db
def test_empty_registry__partner_api_for_an_agency_with_nothing() -> None:
    agency = make_agency(code="lonely")
    _client, token = api_clients.create_api_client(agency=agency, name="case system")
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")
    problems = []
    for path in _steering_paths(agency.code):
        if not path.startswith(("/api/partner/", "/api/statistics/")):
            continue
        for query in _queries(agency.code):
            problems += _problems(client.get(path + query), path + query)
    assert not problems, "\n".join(sorted({f"{url}: {what}" for url, what in problems}))
    listed = client.get("/api/partner/handovers/").json()
    assert listed["count"] == 0 and listed["results"] == []
    assert client.get("/api/partner/offerings/").json()["results"] == []
