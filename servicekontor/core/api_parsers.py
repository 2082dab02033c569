"""The API's JSON parser: a NUL or a lone surrogate anywhere in the document is a 400.

JSON can carry both as escapes (`"\\u0000"`, `"\\ud800"`), which `json.loads` turns into
characters no text column stores: PostgreSQL refuses NUL in text, and a lone surrogate
cannot be encoded as UTF-8 for any database (the probe of issue 13: a partner's
acknowledgement with `"case_number": "\\ud800"` was a 500). DRF's CharField refuses both, but
not every JSON value reaches a CharField (`handovers.api._body_field` read the body itself).
A raw NUL byte never gets here: `core.middleware.RejectNulBytesMiddleware` answers first,
with the same message.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text(value: Any) -> str | None:
    """The first string (key or value, at any depth) of a parsed JSON document that holds a
    NUL or a lone surrogate, or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


class StrictJSONParser(JSONParser):
    """DRF's JSONParser, refusing text no database stores (see the module docstring)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        found = unstorable_text(data)
        if found is not None:
            if "\x00" in found:
                raise ParseError(
                    _("The request contains a NUL character, which no field may contain.")
                )
            raise ParseError(
                _(
                    "The request contains a lone UTF-16 surrogate (U+D800–U+DFFF), which is "
                    "not a character."
                )
            )
        return data
