"""A client generated from the schema reads the real responses.

datamodel-code-generator (offline) turns the schema's components into pydantic models with
strict nullables (a field is optional only if the schema says null) and forbidden extra
fields; each GET path's real answers, and its 400/401/404 answers, must parse with the model
its schema names (an unpaginated list: a list of the item's model). Operations that need a
caller are called as a network administrator after their anonymous 401. This is what a partner generating a client would meet.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from datamodel_code_generator import DataModelType, InputFileType, generate
from pydantic import TypeAdapter
from rest_framework.test import APIClient

from tests.api_schema import (
    api_schema,
    example_values,
    fill_path,
    needs_sign_in,
    partner_only,
    seed_partner_caller,
    seed_registry,
    seed_statistics_caller,
)

pytestmark = pytest.mark.django_db


def _generated_models(spec: dict[str, Any], tmp_path: Path) -> Any:
    output = tmp_path / "api_models.py"
    generate(
        json.dumps(spec),
        input_file_type=InputFileType.OpenAPI,
        output=output,
        output_model_type=DataModelType.PydanticV2BaseModel,
        strict_nullable=True,
        extra_fields="forbid",
    )
    module_spec = importlib.util.spec_from_file_location("api_models", output)
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["api_models"] = module
    module_spec.loader.exec_module(module)
    return module


def _model_for(spec: dict[str, Any], models: Any, path: str, status: int) -> Any:
    """The generated model of the answer; for an unpaginated list (an array of a component)
    a pydantic TypeAdapter of a list of that component's model."""
    entry = spec["paths"][path]["get"]["responses"][str(status)]
    schema = entry["content"]["application/json"]["schema"]
    if schema.get("type") == "array":
        item = getattr(models, schema["items"]["$ref"].rsplit("/", 1)[1])
        return TypeAdapter(list[item])  # type: ignore[valid-type]
    return getattr(models, schema["$ref"].rsplit("/", 1)[1])


def _validate(model: Any, body: Any) -> None:
    if isinstance(model, TypeAdapter):
        model.validate_python(body)
    else:
        model.model_validate(body)


def test_generated_client__parses_every_real_response(tmp_path: Path) -> None:
    seed_registry()
    admin = seed_statistics_caller()
    spec = api_schema()
    models = _generated_models(spec, tmp_path)
    anonymous = APIClient()
    signed_in = APIClient()
    signed_in.force_login(admin)
    partner = APIClient()  # the partner API: an agency's API client, not a person
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {seed_partner_caller()}")
    gets = [p for p, item in spec["paths"].items() if "get" in item]
    samples: dict[str, list[dict[str, Any]]] = {}

    def client_for(path: str, url: str) -> APIClient:
        """Operations that need a caller: the anonymous 401 parses too, then sign in."""
        if not needs_sign_in(spec, path):
            return anonymous
        refused = anonymous.get(url)
        assert refused.status_code == 401
        _validate(_model_for(spec, models, path, 401), refused.json())
        return partner if partner_only(spec, path) else signed_in

    for path in sorted(p for p in gets if "{" not in p):
        query = example_values(spec, path, "query")
        client = client_for(path, path)
        body = client.get(path, query).json()
        _validate(_model_for(spec, models, path, 200), body)
        samples[path] = body.get("results", []) if isinstance(body, dict) else body
        parameters = spec["paths"][path]["get"].get("parameters", [])
        if any(p["name"] == "offset" for p in parameters):  # a 400 on paginated lists
            bad = client.get(path, {**query, "offset": "abc"})
            assert bad.status_code == 400
            _validate(_model_for(spec, models, path, 400), bad.json())
    for path in sorted(p for p in gets if "{" in p):
        names = re.findall(r"\{(\w+)\}", path)
        documented = example_values(spec, path, "path")
        sampled = [n for n in names if n not in documented]
        if sampled:
            name = sampled[0]
            parent = next(p for p in sorted(samples, key=len, reverse=True) if path.startswith(p))
            values = [str(item[name]) for item in samples[parent][:3]]
        else:
            name, values = names[0], [documented[names[0]]]
        client = client_for(path, fill_path(path, name, values[0], documented))
        for value in values:
            response = client.get(fill_path(path, name, value, documented))
            assert response.status_code == 200
            _validate(_model_for(spec, models, path, 200), response.json())
        missing = client.get(fill_path(path, name, "999999", documented))
        assert missing.status_code == 404
        _validate(_model_for(spec, models, path, 404), missing.json())
