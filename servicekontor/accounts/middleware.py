"""A request that needs a signed-in user after the session has ended (signed out in another
tab, or expired): where the sign-in leads back to, and what it says.

`login_required` sends a signed-out request to the sign-in page with `next` set to the URL
asked for. For a POST that is the form's action (a desk's /act/, a check-in, a cancel): a
POST-only URL, so after signing in the officer landed on the desk chooser with the action
lost and nothing said (the walk). For an htmx request it is a fragment's URL, and htmx put the
whole sign-in page in place of the fragment. Here, in one place, for every such answer:

- after a POST, `next` is the page the form is on: the view's `post_or_redirect` page, else the
  page that sent the form (same-origin Referer), else the URL itself (a GET/POST view);
- the sign-in page says the session ended (`ended=1`), and after a POST that what was just
  done was not carried out (`ended=action`), so the officer does it again;
- an htmx request is answered with `HX-Redirect` to that sign-in page, `next` the page shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

_PAGE = "_page_for_get"


def _same_origin_path(request: HttpRequest, url: str) -> str:
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class SessionEndedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        page = getattr(view_func, "page_for_get", None)
        if page is not None:
            setattr(request, _PAGE, lambda: page(request, *view_args, **view_kwargs))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 302 or request.user.is_authenticated:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        posted = request.method not in ("GET", "HEAD", "OPTIONS")
        htmx = request.headers.get("HX-Request") == "true"
        shown = _same_origin_path(request, request.headers.get("HX-Current-URL", ""))
        page = getattr(request, _PAGE, None)
        query = {}
        if posted:
            query["next"] = (
                (shown if htmx else "")
                or (page() if page is not None else "")
                or _same_origin_path(request, request.headers.get("Referer", ""))
                or request.get_full_path()
            )
            query["ended"] = "action"
        elif htmx and shown:
            query = {"next": shown, "ended": "1"}  # a fragment's poll: the page it is on
        elif page is not None:
            # A POST-only URL opened from the history or a bookmark: nothing was being done.
            query = {"next": page()}
        else:
            return response  # a page asked for by GET: `next` is that page already
        target = f"{login}?{urlencode(query)}"
        if htmx:
            answer = HttpResponse(status=200)  # htmx follows HX-Redirect before any swap
            answer["HX-Redirect"] = target
            return answer
        return HttpResponseRedirect(target)
