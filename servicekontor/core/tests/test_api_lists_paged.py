"""Every list in the API is paged (issue 13's leftovers: `/api/costs/lines/` answered a whole
period in one response): no GET answers a bare array in the schema, and the lists built in
Python (costs, change plans, statistics figures) page as the model lists do."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import make_user

# Whole answers that are one object's parts, not lists of the API's things (decision 0097).
NOT_LISTS = {"/api/offices/{code}/opening-hours/", "/api/change-plans/{id}/"}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


@pytest.mark.django_db
def test_schema__no_get_answers_a_bare_array(client) -> None:
    client.force_login(make_user(role="network_admin", is_superuser=True))
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    bare = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or path in NOT_LISTS:
            continue
        content = get["responses"].get("200", {}).get("content", {})
        for media in content.values():
            body = _resolve(schema, media.get("schema", {}))
            if body.get("type") == "array":
                bare.append(path)
            elif "results" in body.get("properties", {}):
                names = {p["name"] for p in get.get("parameters", [])}
                assert {"limit", "offset"} <= names, path
    assert not bare, bare


@pytest.mark.django_db
def test_change_plans__paged_in_a_stable_order(client) -> None:
    from servicekontor.changeplans.models import ChangePlan

    admin = make_user(role="network_admin", is_superuser=True)
    for i in range(3):
        ChangePlan.objects.create(name=f"plan {i}", created_by=admin)
    client.force_login(admin)
    whole = client.get("/api/change-plans/").json()
    assert whole["count"] == 3 and whole["next"] is None
    pages = [client.get("/api/change-plans/", {"limit": 1, "offset": i}).json() for i in range(3)]
    assert [p["results"][0]["name"] for p in pages] == [r["name"] for r in whole["results"]]
    assert pages[0]["next"] and pages[0]["count"] == 3
    assert client.get("/api/change-plans/", {"limit": "x"}).status_code == 400
