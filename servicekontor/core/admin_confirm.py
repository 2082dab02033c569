"""A confirmation step for the admin's irreversible actions (revoking credentials, retiring
signing secrets): the first POST of the action shows what will happen to each selected row and
that it cannot be undone; only the confirmation (`post=yes`, as Django's own "Delete selected"
asks) carries it out. Nothing is written before it. A staff action that cannot be undone asks
the same way on the site's pages (decision 0069); this is the admin's form of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

CONFIRMED = "yes"


def confirmed(request: HttpRequest) -> bool:
    """Whether this POST of an admin action is its confirmation."""
    return request.POST.get("post") == CONFIRMED


def confirm_page(
    modeladmin: Any,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    title: str,
    consequence: str,
    rows: Iterable[tuple[Any, str]] | None = None,
) -> TemplateResponse:
    """The page that asks to confirm the action being run (`request.POST["action"]`) on
    `queryset`: `consequence` (what happens, that it cannot be undone) and each row with what
    happens to it (`rows`: (object, detail); default: each object without detail)."""
    listed = list(rows) if rows is not None else [(obj, "") for obj in queryset]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "consequence": consequence,
        "rows": listed,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action_name": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/confirm_action.html", context)


def run_confirmed(
    modeladmin: Any,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    title: str,
    consequence: str,
    perform: Callable[[QuerySet[Any]], None],
    rows: Callable[[QuerySet[Any]], Iterable[tuple[Any, str]]] | None = None,
) -> TemplateResponse | None:
    """An admin action's body: the confirmation page, or (on its confirmation) `perform`."""
    if confirmed(request):
        perform(queryset)
        return None
    return confirm_page(
        modeladmin,
        request,
        queryset,
        title=title,
        consequence=consequence,
        rows=rows(queryset) if rows is not None else None,
    )
