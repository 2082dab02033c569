"""`<id:…>`: a primary key in a URL path, the one converter for every id in the site's URLs.

Django's `<int:…>` takes any run of digits: `/push-fragments/desk/18446744073709551616/` reached
a query past PostgreSQL's bigint (and SQLite's INTEGER: "Python int too large"), a 500. An id
here is ASCII digits within a bigint, 1…2⁶³−1 (`core.params.MAX_ID`); anything else matches
no route, so it is the site's 404, before any view or query runs. Registered by
`CoreConfig.ready()`, before any URLconf is loaded; a test keeps `<int:…>` out of the URLs.
"""

from __future__ import annotations

from django.urls import register_converter

from servicekontor.core.params import MAX_ID


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # no match: 404
        return number

    def to_url(self, value: object) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
