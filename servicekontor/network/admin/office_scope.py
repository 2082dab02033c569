"""Office managers in the admin: the opening hours and closures of the offices they manage,
and nothing else.

A network administrator runs the whole registry (`core.admin_access`). An office manager runs
one or a few offices: they may see, add, change and delete the opening-hours periods (with
their weekday hours) and the opening exceptions (closures, changed hours) of the offices they
are assigned to. Rows of other offices are not listed, cannot be opened (404 by the admin's
queryset) and cannot be chosen as the office of a new row.

`network` may not import `accounts`, so the role and the assignments are read by value from
the user row, as `core.admin_access` does; a test in accounts/tests checks that
`managed_office_ids` agrees with `accounts.permissions.managed_offices`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from servicekontor.core.admin_access import may_administer_registry
from servicekontor.network.models import Office

OFFICE_MANAGER_ROLE = "office_manager"  # accounts.models.Role.OFFICE_MANAGER


def managed_office_ids(user: Any) -> set[int] | None:
    """The offices `user` may administer: None for all (network administrators), a set of
    ids for an active staff office manager (their assignments), otherwise empty."""
    if may_administer_registry(user):
        return None
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return set()
    if getattr(user, "role", None) != OFFICE_MANAGER_ROLE:
        return set()
    return set(user.assignments.values_list("office_id", flat=True))


def _ids(request: HttpRequest) -> set[int] | None:
    cached = getattr(request, "_managed_office_ids", "unset")
    if cached == "unset":
        cached = managed_office_ids(request.user)
        request._managed_office_ids = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]


def _office_id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    return obj.pk if isinstance(obj, Office) else getattr(obj, "office_id", None)


class OfficeScopedAccess:
    """Mixin for the ModelAdmins and inlines of rows that belong to an office (`office`)."""

    def _manager_may(self, request: HttpRequest, obj: Any) -> bool:
        ids = _ids(request)
        if ids is None or not ids:
            return False
        office_id = _office_id_of(obj)
        return office_id is None or office_id in ids

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(_ids(request)) or super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manager_may(request, obj) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        obj = args[0] if args else None  # inlines are asked with the parent row
        return self._manager_may(request, obj) or super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manager_may(request, obj) or super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manager_may(request, obj) or super().has_delete_permission(request, obj)  # type: ignore[misc]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        ids = _ids(request)
        if ids is None:
            return queryset
        return queryset.filter(office_id__in=ids)

    def get_autocomplete_fields(self, request: HttpRequest) -> Any:
        fields = super().get_autocomplete_fields(request)  # type: ignore[misc]
        if _ids(request) is None:
            return fields
        # The office autocomplete searches every office; a manager picks from a short list.
        return [f for f in fields if f != "office"]

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)  # type: ignore[misc]
        if _ids(request) is None:
            return filters
        # The office and county filters would name every office of the network.
        return [f for f in filters if not (isinstance(f, str) and f.startswith("office"))]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = _ids(request)
        if db_field.name == "office" and ids is not None:
            kwargs["queryset"] = Office.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
