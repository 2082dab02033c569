"""Requests no view can handle, answered before any view runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import BadRequest, DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from servicekontor.core.client_errors import log_client_error

NUL = "\x00"
V = TypeVar("V", bound=Callable[..., Any])


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_BODY_METHODS = ("POST", "PUT", "PATCH")


def _raw_body(request: HttpRequest) -> bool:
    """A body that is not a form (JSON, text): its reader sees the bytes as they came."""
    return request.method in _BODY_METHODS and not (request.content_type or "").startswith(
        _FORM_TYPES
    )


def _has_nul(request: HttpRequest, *, post_values: bool = True) -> bool:
    """A NUL in the path, a query parameter, a form field's name or (``post_values``) a
    form field's value, or anywhere in a raw (not form) body."""
    if b"\x00" in unquote_to_bytes(request.META.get("PATH_INFO", "")) or NUL in request.path:
        return True
    if _raw_body(request) and b"\x00" in request.body:
        # JSON with a raw NUL was "JSON parse error - Invalid control character" (English
        # only), and the demo receiver's hook answered a bare 400 (walk, 2026-11-30).
        return True
    for params, values_too in (
        (request.GET, True),
        (request.POST if request.method == "POST" else None, post_values),
    ):
        if params is None:
            continue
        for key, values in params.lists():
            if NUL in key or (values_too and any(NUL in value for value in values)):
                return True
    return False


def form_refuses_nul_bytes(view: V) -> V:
    """Marks a view whose every POSTed value goes through a Django form (each CharField has
    `ProhibitNullCharactersValidator`): a NUL in a value is then that field's error on the
    form, the citizen's other input kept, instead of the middleware's bare 400 page. Put it
    above the view's other decorators or below any that use functools.wraps."""
    view.form_refuses_nul_bytes = True  # type: ignore[attr-defined]
    return view


class RejectNulBytesMiddleware:
    """A NUL byte in the path, a query parameter or a form field: 400, before any view
    (a form field's value: before the view unless the view is marked
    `form_refuses_nul_bytes`, whose form then shows the error beside the field), or in a raw
    body (JSON, text; the answer is JSON when the body was).

    No text here may contain one: PostgreSQL refuses NUL in text ("A string literal cannot
    contain NUL"), so a NUL that reached a query or a write was a 500. Uploaded files are
    not checked here (their readers say which line is wrong), nor is any multipart body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _has_nul(request, post_values=False):
            return _refused(request)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if getattr(view_func, "form_refuses_nul_bytes", False):
            return None
        return _refused(request) if _has_nul(request) else None


def _refused(request: HttpRequest) -> HttpResponse:
    message = _("The request contains a NUL character, which no field may contain.")
    if request.path.startswith("/api/") or request.content_type == "application/json":
        return JsonResponse({"detail": message}, status=400)
    return bad_request_page(request, message)


def _back(request: HttpRequest) -> str:
    """The page the user came from (Referer) when it is on this site and not this very page;
    "" otherwise (another site, no Referer, a host Django refuses)."""
    referer = request.headers.get("Referer", "")
    if not referer:
        return ""
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return ""
    if referer in (request.build_absolute_uri(), request.get_full_path()):
        return ""
    return referer


def bad_request_page(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    return render(request, "400.html", {"message": message, "back": _back(request)}, status=status)


def body_limit(request: HttpRequest) -> int:
    """The largest body, in bytes, this site reads for `request`: an upload form's
    (multipart) `UPLOAD_MAX_REQUEST_BYTES`, any other body's Django's
    `DATA_UPLOAD_MAX_MEMORY_SIZE` (which Django itself applies when the body is read)."""
    if (request.content_type or "") == "multipart/form-data":
        return int(settings.UPLOAD_MAX_REQUEST_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or 2**63


def _declared_length(request: HttpRequest) -> int | None:
    """The declared Content-Length; 0 without one; None for one that is not a number
    (Django's `request.body` then raised ValueError, a 500, under a server that lets it
    through; gunicorn answers it 400 itself)."""
    raw = str(request.META.get("CONTENT_LENGTH") or "0").strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


class RequestBodyLimitMiddleware:
    """A body larger than `body_limit` is refused with 413 (Content Too Large) and the
    limit, before anything reads it: Django limits a form's fields but not its files, so a
    60 MB "roster" was received whole and stored in a temporary file before the view said
    "at most 1 MB" (probe, issue 13). Django reads only the declared Content-Length (a
    chunked body without one is read as empty), so the declared length is the one to check.
    Put it before every middleware that reads `request.POST` (CSRF, the NUL check)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit, declared = body_limit(request), _declared_length(request)
        if declared is None:
            message = _("The request's Content-Length is not a number of bytes.")
            if request.path.startswith("/api/") or request.content_type == "application/json":
                return JsonResponse({"detail": message}, status=400)
            return bad_request_page(request, message)
        if declared > limit:
            return _too_large(request, limit)
        return self.get_response(request)


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    megabytes = limit / 1_000_000
    message = _(
        "The request is larger than %(mb)s MB, the most this site accepts. Nothing was saved."
    ) % {"mb": number_format(int(megabytes) if megabytes.is_integer() else round(megabytes, 2))}
    if request.path.startswith("/api/") or request.content_type == "application/json":
        response: HttpResponse = JsonResponse({"detail": message}, status=413)
    else:
        response = bad_request_page(request, message, status=413)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: the page for a BadRequest (or a SuspiciousOperation), with its message when
    the exception is ours (core.params) and a general one otherwise."""
    message = str(exception) if type(exception) is BadRequest else ""
    response = bad_request_page(request, message)
    log_client_error(request, response, exception)  # one line, no traceback
    return response


class BadRequestPageMiddleware:
    """A `BadRequest` from a view (core.params: a malformed date, id, month…) answers the
    site's 400 page with its message whatever DEBUG is: Django's handler400 runs only with
    DEBUG off, so `make run` showed the yellow debug page with server paths. Under /api/ (or
    for a JSON request) the answer is JSON, as the NUL check answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadRequest):
            return None
        message = str(exception)
        if request.path.startswith("/api/") or request.content_type == "application/json":
            return JsonResponse({"detail": message or _("Bad request.")}, status=400)
        return bad_request_page(request, message)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: JSON under /api/ (what the schema documents), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


API_PREFIX = "/api/"
API_DEFAULT_LANGUAGE = "en"


def api_language(accept_language: str) -> str:
    """The API's language for an Accept-Language header (decision 0064): the first of the
    site's languages (sv, en) the header names, by its weights ("sv-SE,sv;q=0.9" is sv);
    English when it names none of them or is missing: agency systems and scripts seldom
    send one, and their developers read English."""
    supported = {code for code, _name in settings.LANGUAGES}
    for tag, weight in parse_accept_lang_header(accept_language or ""):
        if weight <= 0:
            continue  # q=0: "not this one" (RFC 9110), never chosen
        if tag == "*":
            break
        base = tag.split("-")[0].lower()
        if base in supported:
            return base
    return API_DEFAULT_LANGUAGE


class ApiLanguageMiddleware:
    """The API (/api/…, its schema and docs) speaks the language of the request's
    Accept-Language, English by default (decision 0064). Django's LocaleMiddleware gives every
    path without a language prefix the site's default language (Swedish: the citizen's `/`
    is Swedish by design), so errors such as "Autentiseringsuppgifter ej tillhandahållna."
    reached agency systems that asked for English (walk finding 2026-12-01). After
    LocaleMiddleware; the answer says its language (Content-Language) and that it depends on
    the header (Vary: Accept-Language), so a cache keeps the two apart. The language cookie
    is not read: an API answer depends on the request alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        language = api_language(request.headers.get("Accept-Language", ""))
        request.LANGUAGE_CODE = language
        # override, not activate: the thread's language is the site's again afterwards
        with translation.override(language):
            response = self.get_response(request)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        return response


def accepted_language(accept_language: str) -> str | None:
    """The first of the site's languages an Accept-Language header names, by its weights
    ("en-GB,en;q=0.9" is en); None when it names none of them (or only with q=0)."""
    supported = {code for code, _name in settings.LANGUAGES}
    for tag, weight in parse_accept_lang_header(accept_language or ""):
        if weight <= 0:
            continue
        if tag == "*":
            return None
        base = tag.split("-")[0].lower()
        if base in supported:
            return base
    return None


#: Citizens' pages on a shared device of the office (the ticket kiosk, the check-in kiosk,
#: the lobby display) and the desk's booking pages: an unprefixed one is Swedish whatever the
#: device's browser says (a kiosk's Chromium often says en-US); each has its language button.
_NOT_BY_BROWSER = ("/queue/", "/display/", "/book/check-in/", "/book/desk/")


class FirstVisitLanguageMiddleware:
    """A citizen's first visit (no language cookie: no choice made on this browser) to an
    unprefixed page, from a browser whose Accept-Language prefers English to Swedish: 302 to
    the same page under "/en/" (walk F4; decision 0104). A choice made with the language
    button (the cookie, either language) is never overridden: a later visit to an unprefixed
    page (a bookmark, a typed "/") with the cookie saying English goes to its "/en/" twin too
    (walk F1, session 18), the cookie saying Swedish stays. "/en/" pages are left alone
    whatever the cookie says (their address names their language). A shared office device's
    pages, staff screens (`StaffLanguageRedirectMiddleware`), calendar files, htmx and
    anything but GET and HEAD are left alone. Every unprefixed page it could redirect says
    that its answer depends on Accept-Language and on the cookie (Vary), so a cache never
    gives the Swedish page to an English browser, nor the redirect to a Swedish one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self._eligible(request):
            return self.get_response(request)
        target = self._target(request)
        if target is not None:
            response: HttpResponseBase = HttpResponse(status=302)
            response["Location"] = target
        else:
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    @staticmethod
    def _eligible(request: HttpRequest) -> bool:
        """A GET of an unprefixed citizen's page of `i18n_patterns` (not the API, the admin)."""
        if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
            return False
        path = request.path_info
        first = path.lstrip("/").split("/", 1)[0]
        others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        if (
            first in {code for code, _name in settings.LANGUAGES}  # already prefixed
            or first in STAFF_PATHS
            or path.startswith(_NOT_BY_BROWSER)
            or path.endswith(".ics")
        ):
            return False
        return any(_has_page(language, path) for language in others)

    @staticmethod
    def _target(request: HttpRequest) -> str | None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen is not None:  # the button's choice, not the browser's, once made
            known = {code for code, _name in settings.LANGUAGES}
            language: str | None = chosen if chosen in known else None
        else:
            language = accepted_language(request.headers.get("Accept-Language", ""))
        if language is None or language == settings.LANGUAGE_CODE:
            return None
        if not _has_page(language, request.path_info):
            return None
        query = request.META.get("QUERY_STRING", "")
        return f"/{language}{request.path_info}" + (f"?{query}" if query else "")


def _has_page(language: str, path: str) -> bool:
    """Whether "/<language><path>" is a page of the site (the language prefix of
    `i18n_patterns` matches only while that language is active)."""
    with translation.override(language):
        return bool(is_valid_path(f"/{language}{path}"))


#: The staff screens' first path segments: an unprefixed URL of one of them follows the
#: language the person chose (walk F24). Not the citizens' pages, kiosks and displays: a
#: shared device must not keep one citizen's choice for the next.
STAFF_PATHS = frozenset(
    {"staff", "desk", "planning", "statistics", "handovers", "costs", "staffing", "change-plans"}
)


class StaffLanguageRedirectMiddleware:
    """A GET of an unprefixed staff URL ("/desk/kista/live/", as `make run` prints them and
    bookmarks keep them) from someone whose language cookie says English: 302 to the same
    URL under "/en/". Choosing English kept only the links of the page it was chosen on;
    an unprefixed URL is always Swedish under `i18n_patterns(prefix_default_language=False)`.
    htmx requests are left alone (their page already has its language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        target = self._target(request)
        if target is not None:
            response = HttpResponse(status=302)
            response["Location"] = target
            patch_vary_headers(response, ("Cookie",))
            return response
        return self.get_response(request)

    @staticmethod
    def _target(request: HttpRequest) -> str | None:
        if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
            return None
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        known = {code for code, _name in settings.LANGUAGES}
        if chosen not in known or chosen == settings.LANGUAGE_CODE:
            return None
        path = request.path_info
        first = path.lstrip("/").split("/", 1)[0]
        if first not in STAFF_PATHS:  # a language prefix ("en") is not a staff path either
            return None
        query = request.META.get("QUERY_STRING", "")
        return f"/{chosen}{path}" + (f"?{query}" if query else "")
