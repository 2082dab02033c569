"""Real API responses match the OpenAPI schema, checked by a strict validator.

Walks every GET path the schema contains (apps added later are covered as they join):
lists with and without their query parameters, each detail path with ids taken from its
list (or the documented example of a path parameter), a bad value for every date/integer
query parameter (400) and an unknown id (404). Required query parameters get their
documented example. An operation that needs a signed-in caller must answer an anonymous
request with a documented 401, and is then called as a network administrator.
Every answer's status must be documented and its body must validate.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from tests.api_schema import (
    api_schema,
    example_values,
    fill_path,
    needs_sign_in,
    partner_only,
    response_schema,
    seed_partner_caller,
    seed_registry,
    seed_statistics_caller,
    strict_validator,
)

pytestmark = pytest.mark.django_db

BAD_VALUES = {"date": "2026-02-30", "integer": "²"}


def _check(spec: dict[str, Any], path: str, url: str, client: APIClient) -> int:
    response = client.get(url)
    schema = response_schema(spec, path, response.status_code)
    assert schema is not None, f"{url}: status {response.status_code} is not documented"
    errors = list(strict_validator(spec, schema).iter_errors(response.json()))
    assert not errors, f"{url}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )
    return response.status_code


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and "results" in body:
        return list(body["results"])
    return list(body) if isinstance(body, list) else []


def test_api_schema__is_openapi_3_1_with_errors_documented() -> None:
    spec = api_schema()
    assert spec["openapi"].startswith("3.1")
    for path, item in spec["paths"].items():
        for method, operation in item.items():  # the partner API also POSTs
            for status in ("400", "404", "429"):
                assert status in operation["responses"], (path, method, status)


def test_api_schema__real_responses_validate() -> None:
    seed_registry()
    admin = seed_statistics_caller()
    spec = api_schema()
    anonymous = APIClient()
    signed_in = APIClient()
    signed_in.force_login(admin)
    partner = APIClient()  # the partner API: an agency's API client, not a person
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {seed_partner_caller()}")
    exercised: set[str] = set()
    samples: dict[str, list[dict[str, Any]]] = {}
    gets = {path: item["get"] for path, item in spec["paths"].items() if "get" in item}

    def client_for(path: str, url: str) -> APIClient:
        """Operations that need a caller: anonymous gets a documented 401, then sign in."""
        if not needs_sign_in(spec, path):
            return anonymous
        assert _check(spec, path, url, anonymous) == 401
        return partner if partner_only(spec, path) else signed_in

    for path in sorted(p for p in gets if "{" not in p):
        query = example_values(spec, path, "query")
        url = f"{path}?{urlencode(query)}" if query else path
        client = client_for(path, url)
        assert _check(spec, path, url, client) == 200
        samples[path] = _items(client.get(url).json())
        exercised.add(path)
        for parameter in gets[path].get("parameters", []):
            if parameter["in"] != "query":
                continue
            kind = parameter["schema"].get("format") or parameter["schema"].get("type")
            if kind in BAD_VALUES:
                bad = urlencode({**query, parameter["name"]: BAD_VALUES[kind]})
                status = _check(spec, path, f"{path}?{bad}", client)
                assert status in (200, 400)
    for path in sorted(p for p in gets if "{" in p):
        names = re.findall(r"\{(\w+)\}", path)
        documented = example_values(spec, path, "path")
        sampled = [n for n in names if n not in documented]
        if sampled:
            name = sampled[0]
            parent = next(
                (p for p in sorted(samples, key=len, reverse=True) if path.startswith(p)), None
            )
            values = [str(item[name]) for item in samples.get(parent or "", []) if name in item]
            if not values:
                pytest.fail(f"{path}: no sample for {{{name}}} from a list endpoint")
        else:
            name, values = names[0], [documented[names[0]]]
        client = client_for(path, fill_path(path, name, values[0], documented))
        for value in values[:3]:
            assert _check(spec, path, fill_path(path, name, value, documented), client) == 200
        assert _check(spec, path, fill_path(path, name, "999999", documented), client) == 404
        exercised.add(path)
    assert exercised == set(gets)
    # A closed office: `closed` is an object, not null (and `services` empty).
    office = "/api/offices/{code}/"
    if office in gets:
        assert _check(spec, office, "/api/offices/gamla/?on=2020-01-01", client) == 200
        assert client.get("/api/offices/gamla/").json()["closed"]["date"] == "2024-01-01"
