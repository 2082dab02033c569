"""The OpenAPI schema as the tests use it: generated in-process, checked strictly.

`strict_validator(spec, status_schema)` validates a response body with
openapi-schema-validator's OAS 3.1 validator, formats checked (date, date-time, …) and no
undocumented properties (additionalProperties: false on every object that lists properties).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS31Validator

from servicekontor.network.models import ExceptionKind, OpeningException
from tests.factories import make_capability, make_offering, make_office, make_service


def api_schema() -> dict[str, Any]:
    """The schema /api/schema/ serves, as a dict (JSON types)."""
    import json

    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        out = {key: _strict(value) for key, value in node.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


def strict_validator(spec: dict[str, Any], schema: dict[str, Any]) -> OAS31Validator:
    document = {**_strict(copy.deepcopy(schema)), "components": _strict(spec["components"])}
    return OAS31Validator(document, format_checker=OAS31Validator.FORMAT_CHECKER)


def response_schema(spec: dict[str, Any], path: str, status: int) -> dict[str, Any] | None:
    responses = spec["paths"][path]["get"]["responses"]
    entry = responses.get(str(status))
    if entry is None:
        return None
    return entry["content"]["application/json"]["schema"]


def seed_registry() -> dict[str, Any]:
    """A small registry with every nullable field both null and set."""
    capability = make_capability(code="foto")
    plain = make_service(mode="both")
    photo = make_service(mode="walk_in", required_capability=capability)
    open_office = make_office(code="kiruna")
    closed = make_office(code="gamla", opened_on=dt.date(2019, 6, 1), closed_on=dt.date(2024, 1, 1))
    make_offering(office=open_office, service=plain)
    make_offering(office=open_office, service=photo, valid_to=dt.date(2099, 1, 1))
    make_offering(office=closed, service=plain, valid_to=dt.date(2023, 12, 31))
    OpeningException.objects.create(
        office=open_office, date=dt.date(2026, 12, 1), kind=ExceptionKind.CLOSED
    )
    from servicekontor.changeplans import services as change_plans

    plan = change_plans.create_plan(user=None, name="Stängning")
    change_plans.add_change(
        plan=plan, kind="close_office", on_date=dt.date(2027, 1, 1), office_codes=["kiruna"]
    )
    return {"offices": [open_office, closed], "services": [plain, photo]}


def needs_sign_in(spec: dict[str, Any], path: str) -> bool:
    """True when the GET operation's security has no anonymous alternative (`{}`)."""
    return {} not in spec["paths"][path]["get"].get("security", [{}])


def example_values(spec: dict[str, Any], path: str, where: str) -> dict[str, str]:
    """The documented example of every required `where` ("query"/"path") parameter; fails
    when one has none (a caller could not know what to send)."""
    out = {}
    for parameter in spec["paths"][path]["get"].get("parameters", []):
        if parameter["in"] != where or not parameter.get("required"):
            continue
        examples = parameter.get("examples") or {}
        if "example" in parameter:
            out[parameter["name"]] = str(parameter["example"])
        elif examples:
            out[parameter["name"]] = str(next(iter(examples.values()))["value"])
    return out


def seed_statistics_caller() -> Any:
    """A network administrator (sees every agency's statistics and costs) and the agency the
    statistics operations' examples name."""
    from tests.factories import make_agency, make_user

    make_agency(code="skatteverket")
    return make_user(role="network_admin", username="api-admin")


def fill_path(path: str, name: str, value: str, documented: dict[str, str]) -> str:
    """`path` with `{name}` set to `value` and every other placeholder to its example."""
    url = path.replace(f"{{{name}}}", value)
    for other, example in documented.items():
        url = url.replace(f"{{{other}}}", example)
    return url


def partner_only(spec: dict[str, Any], path: str, method: str = "get") -> bool:
    """True for the partner API: only an agency's API client may call it."""
    security = spec["paths"][path][method].get("security", [{}])
    return bool(security) and all(set(s) == {"agencyApiClient"} for s in security)


def seed_partner_caller() -> str:
    """An API client of the agency the statistics examples name (seed_statistics_caller
    first), with two handovers of it (one waiting, one handled with an identity number);
    returns the client's token."""
    from servicekontor.accounts.api_clients import create_api_client
    from servicekontor.catalog.models import Agency
    from servicekontor.handovers import encryption
    from servicekontor.handovers.models import Handover

    agency = Agency.objects.get(code="skatteverket")
    service = make_service(agency=agency, mode="both")
    office = make_office()
    make_offering(office=office, service=service)
    at = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    common = {
        "agency": agency,
        "service": service,
        "office": office,
        "outcome": "referred",
        "visit_day": at.date(),
        "created_at": at,
        "needs": "A decision on the application.",
        "documents": [{"kind": "Payslip", "count": 2}],
        "contact_channel": "phone",
        "contact_encrypted": encryption.encrypt("070-123 45 67"),
        "consent": True,
    }
    Handover.objects.create(reference="H-2345-6789", **common)
    Handover.objects.create(
        reference="H-ABCD-EFGH",
        identity_number_encrypted=encryption.encrypt("199001010017"),
        status="handled",
        case_number="131-2026",
        acknowledged_at=at,
        outcome_at=at,
        **common,
    )
    _client, token = create_api_client(agency=agency, name="api-tests")
    return token
