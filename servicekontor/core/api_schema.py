"""drf-spectacular post-processing: the error answers every operation can give, documented.

Without them a client generated from the schema has no type for a 400, 401, 403, 404 or 429 and
returns nothing on errors. The bodies are DRF's: `{"detail": "…"}` or, for a bad query
parameter, `{"<parameter>": ["…", …]}`.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "What was wrong: `detail`, or one list of messages per bad parameter.",
    "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    },
}
_ERRORS = {
    "400": "Bad request: a parameter is malformed or unknown (the body says which).",
    "404": "No such object (or no such address).",
    "429": "Too many requests from this client; try again after Retry-After seconds.",
}
# Only for operations that need a signed-in caller (their `security` has no anonymous `{}`).
_SIGN_IN_ERRORS = {
    "401": "No credentials, or an unknown or inactive API token.",
    "403": "Signed in, but this caller may not see these data.",
}
# The partner API's operations: an agency API client's token only (decision 0082).
PARTNER_SECURITY: list[dict[str, list[str]]] = [{"agencyApiClient": []}]
_PARTNER_ERRORS = {
    "401": "No credentials; an unknown, revoked or expired API client token (the body says "
    "which of the last two); or something else in the Authorization header: the partner API "
    "takes only `Authorization: Bearer skc_…`.",
    "403": "A person's valid credential (a session, or a personal API token): the partner API "
    "is for agencies' systems.",
}


def _as_openapi_3_1(node: Any) -> Any:
    """Repair what drf-spectacular and DRF leave in 3.0 style inside a 3.1 schema.

    - `nullable: true` (DRF's pagination `next`/`previous`): 3.1 has no `nullable`, a strict
      validator ignores it and rejects the null; the type list gains "null" instead.
    - A blank-or-URL string (`oneOf: [{maxLength: 0}, {format: uri}]`): "" matches both
      branches, which `oneOf` forbids; `anyOf` says what is meant.
    """
    if isinstance(node, list):
        return [_as_openapi_3_1(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _as_openapi_3_1(value) for key, value in node.items()}
    if out.pop("nullable", False):
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = [*kind, "null"]
        elif kind is None:
            out = {"oneOf": [out, {"type": "null"}]}
    branches = out.get("oneOf")
    if isinstance(branches, list) and {"type": "string", "maxLength": 0} in branches:
        out["anyOf"] = out.pop("oneOf")
    return out


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: add 400/404/429 with the Error schema to every operation
    (and 401/403 to those that need a signed-in caller), and repair 3.0-style nullables (see _as_openapi_3_1)."""
    result = _as_openapi_3_1(result)
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(_ERRORS)
            if operation.get("security") == PARTNER_SECURITY:
                errors.update(_PARTNER_ERRORS)
            elif {} not in operation.get("security", [{}]):
                errors.update(_SIGN_IN_ERRORS)
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
