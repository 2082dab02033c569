"""The language button's view: Django's `set_language`, with the page to go back to read in
its own language.

Django translates `next` (the page the button was pressed on) by resolving it under the
active language. `/i18n/setlang/` is outside `i18n_patterns`, so the active language there is
always Swedish (`prefix_default_language=False`); "/en/book/" does not resolve under
Swedish, and "Svenska" on an English page led back to the English page with a Swedish cookie
(walk F4). Here `next` is resolved under the language its own prefix names.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import get_language_from_path
from django.views.i18n import set_language as django_set_language


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's view (a POST sets the cookie; a GET only goes back), `next` read in its
    own language."""
    next_url = request.POST.get("next", "")
    page_language = get_language_from_path(urlsplit(next_url).path) or settings.LANGUAGE_CODE
    with translation.override(page_language):
        return django_set_language(request)
