"""The API's JSON parser: DRF's, with its refusal in the request's language (decision 0064).
DRF's own says "JSON parse error - <Python's message>", in English whatever the request asked
for (found on the partner API, decision 0077)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        """The parsed body; ParseError (400) saying where it is not JSON (line and column) or
        that it is not text in the request's encoding."""
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            cause = exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                message = _("The body is not valid JSON (line %(line)d, column %(column)d).") % {
                    "line": cause.lineno,
                    "column": cause.colno,
                }
            elif isinstance(cause, UnicodeDecodeError):
                message = _("The body is not text in its encoding (UTF-8 unless it says).")
            else:
                message = _("The body is not valid JSON.")
            raise ParseError(message) from None
