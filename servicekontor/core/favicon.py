"""/favicon.ico: browsers ask for it at the site's root whatever the pages link to.

The icon is drawn by scripts/make_favicon.py into core/static/core/; pages also link the SVG.
"""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

ICON = "core/favicon.ico"


@cache
def _icon() -> bytes:
    path = finders.find(ICON)
    if not isinstance(path, str):
        raise FileNotFoundError(ICON)
    with open(path, "rb") as icon:
        return icon.read()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_icon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
