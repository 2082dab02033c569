"""A client generated from the schema reads the real responses.

datamodel-code-generator (offline) turns the schema's components into pydantic models with
strict nullables (a field is optional only if the schema says null) and forbidden extra
fields; each GET path's real answers, and its 400/404 answers, must parse with the model its
schema names. This is what a partner generating a client would meet.
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
from rest_framework.test import APIClient

from tests.api_schema import api_schema, seed_registry

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
    entry = spec["paths"][path]["get"]["responses"][str(status)]
    ref = entry["content"]["application/json"]["schema"]["$ref"]
    return getattr(models, ref.rsplit("/", 1)[1])


def test_generated_client__parses_every_real_response(tmp_path: Path) -> None:
    seed_registry()
    spec = api_schema()
    models = _generated_models(spec, tmp_path)
    client = APIClient()
    gets = [p for p, item in spec["paths"].items() if "get" in item]
    samples: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(p for p in gets if "{" not in p):
        body = client.get(path).json()
        _model_for(spec, models, path, 200).model_validate(body)
        samples[path] = body.get("results", []) if isinstance(body, dict) else body
        bad = client.get(path, {"offset": "abc"})  # a 400 on paginated lists
        if bad.status_code == 400:
            _model_for(spec, models, path, 400).model_validate(bad.json())
    for path in sorted(p for p in gets if "{" in p):
        name = re.search(r"\{(\w+)\}", path).group(1)  # type: ignore[union-attr]
        parent = next(p for p in sorted(samples, key=len, reverse=True) if path.startswith(p))
        for item in samples[parent][:3]:
            response = client.get(path.replace(f"{{{name}}}", str(item[name])))
            assert response.status_code == 200
            _model_for(spec, models, path, 200).model_validate(response.json())
        missing = client.get(path.replace(f"{{{name}}}", "999999"))
        assert missing.status_code == 404
        _model_for(spec, models, path, 404).model_validate(missing.json())
