"""A page whose address carries a secret sends `Referrer-Policy: origin`.

A booking's manage link (`/book/manage/<token>/…`), a kiosk ticket's key
(`/queue/<office>/ticket/<key>/`) and a device's pairing token (`?token=`) are working
credentials (core.log_filters, decision 0083). With the site's policy (`same-origin`) every
request such a page makes to this site — its stylesheet, its fragments, the next page —
carried the whole address as its Referer, and a link from the page to another site would
under a weaker policy. Such a page tells the browser to send only the site's origin.

Not `no-referrer`: it makes browsers send `Origin: null` with the page's POST forms (cancel,
reschedule), which Django's CSRF check refuses (decision 0083); `origin` keeps the real
Origin (and a Referer of the site's root) for them.

A URL carries a secret when the log filter would redact it: one rule for both.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from servicekontor.core.log_filters import redact

SECRET_PAGE_POLICY = "origin"


def carries_secret(full_path: str) -> bool:
    """Whether the path (with its query) holds a manage token, ticket key or pairing token."""
    return redact(full_path) != full_path


class SecretUrlReferrerPolicyMiddleware:
    """`Referrer-Policy: origin` on every answer to a URL that carries a secret (any status:
    a 404 page of a guessed token has the same address). After SecurityMiddleware in
    MIDDLEWARE: this header is set first and SecurityMiddleware keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if carries_secret(request.get_full_path()):
            response.headers["Referrer-Policy"] = SECRET_PAGE_POLICY
        return response
