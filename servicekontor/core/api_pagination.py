"""Limit/offset pagination with bounds: a page of at most MAX_LIMIT rows, offsets a database
can hold. DRF's own parses `?limit=9223372036854775808` into a number the database refuses."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1  # far past any list here; an offset beyond the rows gives an empty page


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), MAX_OFFSET)
