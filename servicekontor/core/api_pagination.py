"""Limit/offset pagination with bounds: a page of at most MAX_LIMIT rows, offsets a database
can hold. DRF's own parses `?limit=9223372036854775808` into a number the database refuses,
and silently ignores `?offset=abc`; here a value that is not an integer is a 400."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1  # far past any list here; an offset beyond the rows gives an empty page
_INTEGER = re.compile(r"-?[0-9]+")


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def _check_integers(self, request: Request) -> None:
        for name in (self.limit_query_param, self.offset_query_param):
            values = request.query_params.getlist(name)
            if any(not _INTEGER.fullmatch(value.strip()) for value in values):
                raise ValidationError({name: [_("Give a whole number, e.g. 100.")]})

    def get_limit(self, request: Request) -> int | None:
        self._check_integers(request)
        return super().get_limit(request)

    def get_offset(self, request: Request) -> int:
        self._check_integers(request)
        return min(super().get_offset(request), MAX_OFFSET)


def paged(
    view: Any, request: Request, rows: Sequence[Any], serializer: type[BaseSerializer[Any]]
) -> Response:
    """A list built in Python (a report's rows, not a queryset) answered a page at a time, as
    the model lists are: `?limit` (default PAGE_SIZE, at most MAX_LIMIT) and `?offset`, the
    answer `{count, next, previous, results}`. `rows` must come in a stable order (the
    caller sorts them by a key that identifies each row), so that the pages of one request
    after another neither repeat nor skip a row. The view sets
    `pagination_class = BoundedLimitOffsetPagination`, which makes drf-spectacular document
    the parameters and the paged answer."""
    paginator = BoundedLimitOffsetPagination()
    page = paginator.paginate_queryset(list(rows), request, view=view)
    assert page is not None  # PAGE_SIZE is set: every list is paged
    return paginator.get_paginated_response(serializer(page, many=True).data)
