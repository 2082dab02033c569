"""Admin for staff: role, the analyst's agency, office assignments and agency competences."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from servicekontor.accounts import api_clients
from servicekontor.accounts.models import (
    ApiClient,
    ApiClientUse,
    ApiCredential,
    Competence,
    OfficeAssignment,
    User,
)
from servicekontor.core.admin_access import (
    NetworkAdminAccess,
    RegistryTabularInline,
    may_administer_registry,
)
from servicekontor.core.admin_confirm import run_confirmed

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


class ApiCredentialInline(admin.TabularInline):
    model = ApiCredential
    fields = ["key_id", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["key_id", "created_at", "expires_at", "revoked_at", "last_used_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_administer_registry(request.user)


@admin.register(ApiClient)
class ApiClientAdmin(NetworkAdminAccess, admin.ModelAdmin):
    """A network administrator creates an agency's API clients, rotates and revokes their
    credentials; the token is shown once, in the confirmation message."""

    list_display = ["name", "agency", "created_at", "revoked_at"]
    list_filter = ["agency", ("revoked_at", admin.EmptyFieldListFilter)]
    fields = ["agency", "name", "created_at", "revoked_at"]
    readonly_fields = ["created_at", "revoked_at"]
    inlines = [ApiCredentialInline]
    actions = ["rotate", "revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "agency"] if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, token = api_clients.create_api_client(agency=obj.agency, name=obj.name)
        obj.pk, obj.created_at = client.pk, client.created_at
        self._show_token(request, client, token)

    def _show_token(self, request: HttpRequest, client: ApiClient, token: str) -> None:
        self.message_user(
            request,
            _("Token for %(client)s (shown once, send it as 'Authorization: Bearer …'): %(token)s")
            % {"client": client, "token": token},
            messages.WARNING,
        )

    @admin.action(description=_("Issue a new credential (the old ones work 7 more days)"))
    def rotate(self, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        def perform(chosen: Any) -> None:
            for client in chosen.filter(revoked_at__isnull=True):
                self._show_token(request, client, api_clients.rotate_credentials(client=client))

        return run_confirmed(
            self,
            request,
            queryset,
            title=gettext("Issue new credentials"),
            consequence=gettext(
                "Each client below gets a new credential, shown once. Its current credentials "
                "stop working in 7 days; that cannot be undone (revoked clients get none)."
            ),
            perform=perform,
            rows=_clients_with_credentials,
        )

    @admin.action(description=_("Revoke (every credential stops working now)"))
    def revoke(self, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        def perform(chosen: Any) -> None:
            for client in chosen:
                api_clients.revoke_client(client=client)

        return run_confirmed(
            self,
            request,
            queryset,
            title=gettext("Revoke API clients"),
            consequence=gettext(
                "The clients below and every credential of theirs stop working now. This "
                "cannot be undone: a revoked client gets no new credential."
            ),
            perform=perform,
            rows=_clients_with_credentials,
        )


def _clients_with_credentials(queryset: Any) -> list[tuple[ApiClient, str]]:
    """Each client with the count of its credentials that still work (what the action ends)."""
    counted = queryset.annotate(
        working=Count("credentials", filter=Q(credentials__revoked_at__isnull=True))
    )
    return [
        (
            client,
            gettext("already revoked")
            if client.revoked_at is not None
            else ngettext(
                "%(count)d credential not revoked", "%(count)d credentials not revoked", n
            )
            % {"count": n},
        )
        for client in counted
        for n in (client.working,)
    ]


@admin.register(ApiCredential)
class ApiCredentialAdmin(NetworkAdminAccess, admin.ModelAdmin):
    list_display = ["key_id", "client", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["client__agency", ("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["client", "key_id", "created_at", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["token_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke these credentials now"))
    def revoke(self, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        def perform(chosen: Any) -> None:
            for credential in chosen:
                api_clients.revoke_credential(credential=credential)

        return run_confirmed(
            self,
            request,
            queryset,
            title=gettext("Revoke credentials"),
            consequence=gettext(
                "The credentials below stop working now. This cannot be undone; the client "
                "can be given a new credential."
            ),
            perform=perform,
        )


@admin.register(ApiClientUse)
class ApiClientUseAdmin(NetworkAdminAccess, admin.ModelAdmin):
    """The log of every use: read only."""

    list_display = ["at", "client", "credential", "method", "path", "result"]
    list_filter = ["result", "client__agency", "client"]
    list_select_related = ["client", "client__agency", "credential"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
