"""Per-client limits on public views, checked BEFORE the view runs: a limited request does nothing.

django-ratelimit counts in the default cache. With the in-process default (LocMemCache, used
when REDIS_URL is unset) every worker process counts on its own, so N gunicorn workers let
N times the rate through; production sets REDIS_URL and all workers share one count
(config/settings.py).

Every limited view carries a `rate_limits` attribute (a tuple of `RateLimit`, one per
decorator), so tests can walk the URLconf and check that each limited view leaves no trace
when limited.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from servicekontor.core.lost_connection import is_rerun

View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class RateLimit:
    """rate() gives "count/period" (django-ratelimit syntax, e.g. "10/m"); methods limited."""

    rate: Callable[[], str]
    method: str | tuple[str | None, ...]  # django_ratelimit.ALL is (None,)
    group: str


def rate_limited(
    rate: Callable[[], str], *, method: str | tuple[str | None, ...] = ALL, group: str = ""
) -> Callable[[View], View]:
    """Decorate a view: count the request per client IP, answer 429 without running the view.

    The count is taken first, so unknown tokens, invalid forms and 404s count too (a guesser
    is limited as much as a user). `group` shares one count between views (default: the
    view's own dotted name). Put this outermost, above decorators that may answer first.
    """

    def decorate(view: View) -> View:
        name = group or f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if is_ratelimited(
                request,
                group=name,
                key="ip",
                rate=lambda _group, _request: rate(),
                method=method,
                # a second run after a lost database connection was counted by its first
                increment=not is_rerun(request),
            ):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        limits = (
            *getattr(view, "rate_limits", ()),
            RateLimit(rate=rate, method=method, group=name),
        )
        wrapper.rate_limits = limits  # type: ignore[attr-defined]
        return wrapper

    return decorate


def too_many_requests(request: HttpRequest) -> HttpResponseBase:
    """The 429 page: what happened and what to do."""
    response = render(
        request,
        "core/too_many_requests.html",
        {"message": _("Too many requests from your connection. Wait a minute and try again.")},
        status=429,
    )
    response["Retry-After"] = "60"
    return response
