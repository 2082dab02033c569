"""POST-only pages that a browser may still reach by GET.

A form's action URL is in the history: back/forward, a reload after a redirect that failed,
or a copied address brings the officer there by GET. `require_POST` answers that with a
bare 405 and an empty body (the browser's own error page). `post_or_redirect` sends a GET
(or HEAD) on to the page the form belongs to instead; other methods still get 405.
API endpoints keep `require_POST`: a client of theirs wants the 405.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)

R = TypeVar("R", bound=HttpResponseBase)


def post_or_redirect(
    to: Callable[..., str],
) -> Callable[[Callable[..., R]], Callable[..., R | HttpResponse]]:
    """Decorator for a POST-only HTML view: GET/HEAD → 303 to `to(request, *args, **kwargs)`
    (the view's URL arguments, e.g. `office_code`); POST → the view; anything else → 405
    with `Allow: POST`. Put it under `login_required`, so a signed-out GET goes to sign-in."""

    def decorator(view: Callable[..., R]) -> Callable[..., R | HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R | HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(to(request, *args, **kwargs), status=303)
            return HttpResponseNotAllowed(["POST"])

        # The page the form is on, for a sign-in's `next` when the session has ended before
        # the POST (accounts.middleware.SessionEndedMiddleware): a POST-only URL is no place to
        # come back to. `functools.wraps` carries it up through the decorators above.
        wrapper.page_for_get = to  # type: ignore[attr-defined]
        return wrapper

    return decorator
