"""Real API responses match the OpenAPI schema, checked by a strict validator.

Walks every GET path the schema contains (apps added later are covered as they join):
lists with and without their query parameters, each detail path with ids taken from its
list, a bad value for every date/integer query parameter (400) and an unknown id (404).
Every answer's status must be documented and its body must validate.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.api_schema import api_schema, response_schema, seed_registry, strict_validator

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
        for status in ("400", "404", "429"):
            assert status in item["get"]["responses"], (path, status)


def test_api_schema__real_responses_validate() -> None:
    seed_registry()
    spec = api_schema()
    client = APIClient()
    exercised: set[str] = set()
    samples: dict[str, list[dict[str, Any]]] = {}
    gets = {path: item["get"] for path, item in spec["paths"].items() if "get" in item}
    for path in sorted(p for p in gets if "{" not in p):
        assert _check(spec, path, path, client) == 200
        samples[path] = _items(client.get(path).json())
        exercised.add(path)
        for parameter in gets[path].get("parameters", []):
            if parameter["in"] != "query":
                continue
            kind = parameter["schema"].get("format") or parameter["schema"].get("type")
            if kind in BAD_VALUES:
                status = _check(
                    spec, path, f"{path}?{parameter['name']}={BAD_VALUES[kind]}", client
                )
                assert status in (200, 400)
    for path in sorted(p for p in gets if "{" in p):
        name = re.search(r"\{(\w+)\}", path).group(1)  # type: ignore[union-attr]
        parent = next(
            (p for p in sorted(samples, key=len, reverse=True) if path.startswith(p)), None
        )
        values = [str(item[name]) for item in samples.get(parent or "", []) if name in item]
        if not values:
            pytest.fail(f"{path}: no sample for {{{name}}} from a list endpoint")
        for value in values[:3]:
            assert _check(spec, path, path.replace(f"{{{name}}}", value), client) == 200
        assert _check(spec, path, path.replace(f"{{{name}}}", "999999"), client) == 404
        exercised.add(path)
    assert exercised == set(gets)
    # A closed office: `closed` is an object, not null (and `services` empty).
    office = "/api/offices/{code}/"
    if office in gets:
        assert _check(spec, office, "/api/offices/gamla/?on=2020-01-01", client) == 200
        assert client.get("/api/offices/gamla/").json()["closed"]["date"] == "2024-01-01"
