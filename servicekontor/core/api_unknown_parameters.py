"""Query parameters the API does not document are refused, not ignored.

A partner's system that misspells a parameter (`?group=agency` for `?by=agency`) must not get
the agency's total back as if it were grouped: the request is answered 400 with each unknown
name and the names the operation takes. The documented names are the OpenAPI schema's
(drf-spectacular, generated once per process), so the schema, the docs and this check cannot
disagree. Paths the schema does not hold (the schema and docs pages) are not checked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# DRF's URL_FORMAT_OVERRIDE: every API view takes it, the schema names it on none
ALWAYS_TAKEN = frozenset({"format"})


@functools.cache
def documented_parameters() -> tuple[tuple[re.Pattern[str], dict[str, frozenset[str]]], ...]:
    """(path regex, {METHOD: query parameter names}) for every path of the OpenAPI schema.

    A path template's `{name}` matches one path segment. Generated on first use (about a
    second) and kept for the process: the schema changes only with the code."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for template, item in schema.get("paths", {}).items():
        pieces = re.split(r"\{[^}/]+\}", template)
        regex = re.compile("^" + "[^/]+".join(re.escape(p) for p in pieces) + "$")
        shared = {p["name"] for p in item.get("parameters", []) if p.get("in") == "query"}
        methods = {}
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            methods[method.upper()] = frozenset(names | shared | ALWAYS_TAKEN)
        paths.append((regex, methods))
    return tuple(paths)


def unknown_parameters(path: str, method: str, names: list[str]) -> tuple[list[str], list[str]]:
    """(unknown names in the order given, the names the operation takes, sorted).

    ([], []) where the schema has no such path or method (not checked here). HEAD is
    checked as GET."""
    method = "GET" if method == "HEAD" else method
    for regex, methods in documented_parameters():
        if regex.match(path):
            taken = methods.get(method)
            if taken is None:
                return [], []
            return [n for n in dict.fromkeys(names) if n not in taken], sorted(taken - ALWAYS_TAKEN)
    return [], []


class RefuseUnknownApiParametersMiddleware:
    """400 for a query parameter an API operation does not take, before the view runs:
    `{"<name>": ["Unknown parameter “<name>”. This operation takes: a, b."]}` in the
    request's language (after `ApiLanguageMiddleware`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.GET and request.path.startswith(API_PREFIX):
            unknown, taken = unknown_parameters(
                request.path, request.method or "", list(request.GET)
            )
            if unknown:
                if taken:
                    allowed = _("This operation takes: %(names)s.") % {"names": ", ".join(taken)}
                else:
                    allowed = _("This operation takes no query parameters.")
                body = {
                    name: [_("Unknown parameter “%(name)s”.") % {"name": name} + " " + allowed]
                    for name in unknown
                }
                return JsonResponse(body, status=400)
        return self.get_response(request)
