"""Admin for staff: role, the analyst's agency, office assignments and agency competences."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicekontor.accounts.models import Competence, OfficeAssignment, User
from servicekontor.core.admin_access import NetworkAdminAccess, RegistryTabularInline

# Only a superuser may hand out superuser status or raw Django permissions.
_SUPERUSER_ONLY_FIELDS = ["is_superuser", "groups", "user_permissions"]


class OfficeAssignmentInline(RegistryTabularInline):
    model = OfficeAssignment
    fields = ["office"]
    autocomplete_fields = ["office"]
    extra = 0
    verbose_name = _("office")
    verbose_name_plural = _("offices (officers work there, managers manage them)")


class CompetenceInline(RegistryTabularInline):
    model = Competence
    fields = ["agency", "since"]
    autocomplete_fields = ["agency"]
    extra = 0


@admin.register(User)
class UserAdmin(NetworkAdminAccess, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "analyst_agency", "is_active"]
    list_filter = [
        "role",
        "analyst_agency",
        "is_active",
        "is_staff",
        ("assignments__office", admin.RelatedOnlyFieldListFilter),
        ("competence_rows__agency", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["analyst_agency"]
    search_fields = ["username", "first_name", "last_name", "email", "assignments__office__name"]
    autocomplete_fields = ["analyst_agency"]
    inlines = [OfficeAssignmentInline, CompetenceInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Role"), {"fields": ["role", "analyst_agency"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", *_SUPERUSER_ONLY_FIELDS]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "usable_password", "password1", "password2"],
            },
        ),
        (_("Role"), {"fields": ["role", "analyst_agency"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += _SUPERUSER_ONLY_FIELDS
        return readonly
