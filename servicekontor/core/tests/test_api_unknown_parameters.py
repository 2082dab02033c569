"""Every API operation refuses a query parameter it does not document (400 naming it and the
names it takes) instead of ignoring it; documented ones pass (`core.api_unknown_parameters`)."""

import re

import pytest
from django.test import Client

from servicekontor.core.api_unknown_parameters import documented_parameters, unknown_parameters

pytestmark = pytest.mark.django_db


def _sample_path(regex: re.Pattern[str]) -> str:
    """A concrete path the regex matches: each path segment pattern replaced by '1'."""
    return regex.pattern[1:-1].replace("[^/]+", "1").replace("\\", "")


def test_documented_parameters__every_api_path_with_its_methods():
    paths = documented_parameters()
    assert len(paths) > 20
    figures = [m for r, m in paths if r.match("/api/statistics/figures/")]
    assert figures and {"from", "to", "by"} <= figures[0]["GET"]


def test_unknown_parameters__names_the_unknown_in_order_and_the_taken_sorted():
    unknown, taken = unknown_parameters(
        "/api/statistics/figures/", "HEAD", ["from", "group", "to", "zz", "group"]
    )
    assert unknown == ["group", "zz"]
    assert "by" in taken and taken == sorted(taken) and "format" not in taken
    assert unknown_parameters("/api/schema/", "GET", ["lang"]) == ([], [])  # not in the schema
    assert unknown_parameters("/api/nowhere/", "GET", ["x"]) == ([], [])


def test_every_documented_operation_refuses_a_made_up_parameter():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    checked = 0
    for regex, methods in documented_parameters():
        if "GET" not in methods:
            continue
        path = _sample_path(regex)
        response = client.get(path, {"zz_made_up": "1"})
        assert response.status_code == 400, path
        assert "Unknown parameter “zz_made_up”" in response.json()["zz_made_up"][0], path
        checked += 1
    assert checked > 15


def test_a_misspelt_grouping_is_refused_not_answered_as_a_total():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        "/api/statistics/figures/", {"from": "2026-11-01", "to": "2026-11-30", "group": "agency"}
    )
    assert response.status_code == 400
    (message,) = response.json()["group"]
    assert "“group”" in message and "by" in message and "from" in message


def test_the_refusal_speaks_swedish_when_asked():
    response = Client(HTTP_ACCEPT_LANGUAGE="sv").get("/api/offices/", {"zz": "1"})
    assert response.status_code == 400
    assert "Okänd parameter" in response.json()["zz"][0]


def test_documented_parameters_and_format_still_pass():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/offices/", {"on": "2026-12-02", "limit": "5", "format": "json"})
    assert response.status_code == 200


def test_the_schema_introduces_each_audience_and_sends_no_reader_into_the_repository():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/schema/", {"format": "json"})
    schema = response.json()
    intro = schema["info"]["description"]
    for words in ("Authorization: Bearer skc_", "webhook-signature", "api_client create", "429"):
        assert words in intro
    assert "docs/" not in response.content.decode()  # a partner cannot open the repository
