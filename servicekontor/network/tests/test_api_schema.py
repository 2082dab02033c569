import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


def test_api_schema__generates_and_validates_without_warnings(tmp_path) -> None:
    # --fail-on-warn turns every drf-spectacular warning (untyped field, enum clash…) into an error.
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/agencies/",
        "/api/services/",
        "/api/offices/",
        "/api/offices/{code}/opening-hours/",
        "/api/offerings/",
    ):
        assert f"{path}:" in schema


@pytest.mark.django_db
def test_api_docs__schema_and_browsable_docs_served_without_cdn() -> None:
    api = APIClient()
    assert api.get("/api/schema/").status_code == 200
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_api_schema__office_kind__field_and_filter_documented(tmp_path) -> None:
    import yaml

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    office = schema["components"]["schemas"]["Office"]
    assert "kind" in office["properties"] and "kind" in office["required"]
    kind = office["properties"]["kind"]
    ref = kind.get("$ref") or kind["allOf"][0]["$ref"]
    enum = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"]
    assert enum == ["office", "outreach"]
    parameters = schema["paths"]["/api/offices/"]["get"]["parameters"]
    (param,) = [p for p in parameters if p["name"] == "kind"]
    assert param["schema"]["enum"] == ["office", "outreach"]
