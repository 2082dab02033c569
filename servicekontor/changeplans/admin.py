"""Change plans in the admin: read-only lists (plans are edited on their own page), so the
rows an adopted plan wrote into the registry can be looked up."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from servicekontor.changeplans.models import AdoptedRow, ChangePlan
from servicekontor.core.admin_access import CappedTextAdmin, may_administer_registry


class ReadOnly(CappedTextAdmin, admin.ModelAdmin):
    """Network administrators may look (by their role, as in the registry's admin)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_administer_registry(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_administer_registry(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChangePlan)
class ChangePlanAdmin(ReadOnly):
    list_display = ("name", "version", "status", "created_at", "adopted_at", "adopted_by")
    list_filter = ("status",)
    search_fields = ("name",)


@admin.register(AdoptedRow)
class AdoptedRowAdmin(ReadOnly):
    list_display = ("plan", "table", "action", "object_id", "summary")
    list_filter = ("table", "action")
    search_fields = ("plan__name", "summary")
