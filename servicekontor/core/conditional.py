"""Conditional GET for polled fragments: answer 304 from a cheap tag before rendering anything.

The desk's waiting list, the manager's live view and the lobby board are polled every few
seconds; nearly always nothing has changed. The caller computes a tag that moves with every
committed change the fragment shows (e.g. `queueing.queries.queue_version`); if the client
already holds that tag (`If-None-Match`, sent by the browser's HTTP cache for htmx's requests
and by the display's script) the answer is an empty 304 and the template is never rendered
(decision 0017).
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.http import parse_etags, quote_etag
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def make_etag(*parts: object) -> str:
    """A strong ETag from the parts and the active language (the body is translated).

    Shape: '"part1-part2-…-sv"'. Parts must not contain a double quote.
    """
    return quote_etag("-".join([*(str(p) for p in parts), get_language() or ""]))


def client_has(request: HttpRequest, etag: str) -> bool:
    """Whether the request's If-None-Match names `etag` (weak comparison, as RFC 9110 asks
    for If-None-Match; a gzip layer may have weakened the tag the client holds)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == wanted for tag in parse_etags(header))


def conditional(
    request: HttpRequest, *, etag: str, render: Callable[[], HttpResponse], private: bool
) -> HttpResponse:
    """304 if the client holds `etag`, else `render()`; both carry the tag and no-cache.

    `private`: the fragment depends on who asks (a desk's list), so shared caches keep none.
    """
    if client_has(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = render()
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache" if private else "no-cache"
    return response


# The shared fragment cache (decision 0027): a fragment that many screens show is rendered once
# per version and kept in the default cache (Redis in production, shared by every worker).
SHARED_SECONDS = 300  # a version's fragment lives this long; a new version is a new key


def _placeholder(name: str) -> str:
    return f"sharedfragment{name}placeholder"


def shared_template(
    request: HttpRequest,
    *,
    key: str,
    template: str,
    context: Callable[[], dict[str, Any]],
    names: Iterable[str] = (),
) -> str:
    """The shared entry of `shared_html` as stored: per-request values (the CSRF token and
    `names`) still placeholders. The push server's fragments (decision 0062) are sent like
    this; the screen fills them in from its page."""
    html = cache.get(key)
    if html is None:
        placeholders = {name: _placeholder(name) for name in ("csrf_token", *names)}
        html = render_to_string(template, context() | placeholders, request)
        cache.set(key, html, SHARED_SECONDS)
    return str(html)


def shared_html(
    request: HttpRequest,
    *,
    key: str,
    template: str,
    context: Callable[[], dict[str, Any]],
    fill: Mapping[str, str] | None = None,
) -> SafeString:
    """`template` rendered with `context()`, taken from the shared cache under `key` when an
    earlier request rendered it (decision 0027).

    `key` must name everything the fragment shows: the version of the data (e.g. the ETag of
    `conditional`), the language, and each per-asker difference (e.g. the set of services a
    desk serves). Nothing invalidates an entry: a change makes a new key, and old keys expire
    after SHARED_SECONDS. Per-request values are rendered as placeholders and filled in for
    each request: the CSRF token always, and the context variables named in `fill` (their
    values are HTML-escaped here).
    """
    values = {"csrf_token": ""} | dict(fill or {})
    html = shared_template(request, key=key, template=template, context=context, names=values)
    for name, value in values.items():
        if _placeholder(name) in html:
            if name == "csrf_token":
                value = get_token(request)
            html = html.replace(_placeholder(name), escape(value))
    return mark_safe(html)  # our template's output; the filled values are escaped above
