"""Requests no view can handle, answered before any view runs."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(request: HttpRequest) -> bool:
    if b"\x00" in unquote_to_bytes(request.META.get("PATH_INFO", "")) or NUL in request.path:
        return True
    for params in (request.GET, request.POST if request.method == "POST" else None):
        if params is None:
            continue
        for key, values in params.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return False


class RejectNulBytesMiddleware:
    """A NUL byte in the path, a query parameter or a form field: 400, before any view.

    No text here may contain one: PostgreSQL refuses NUL in text ("A string literal cannot
    contain NUL"), so a NUL that reached a query or a write was a 500. Uploaded files are
    not checked here (their readers say which line is wrong).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _has_nul(request):
            message = _("The request contains a NUL character, which no field may contain.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return bad_request_page(request, message)
        return self.get_response(request)


def bad_request_page(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: the page for a BadRequest (or a SuspiciousOperation), with its message when
    the exception is ours (core.params) and a general one otherwise."""
    from django.core.exceptions import BadRequest

    message = str(exception) if type(exception) is BadRequest else ""
    return bad_request_page(request, message)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: JSON under /api/ (what the schema documents), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
