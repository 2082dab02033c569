"""Admin for network administrators: each partner agency's endpoint, retention and signing
secrets (rotation: a new secret signs alongside the old until the old is retired), and the
outbox (failing deliveries, retry now). Handovers are listed without their personal data."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from servicekontor.core import clock
from servicekontor.core.admin_access import (
    CappedTextAdmin,
    NetworkAdminAccess,
    may_administer_registry,
)
from servicekontor.core.admin_confirm import run_confirmed
from servicekontor.handovers import services
from servicekontor.handovers.models import Delivery, Handover, Partner, SigningSecret


class SigningSecretInline(CappedTextAdmin, admin.TabularInline):
    model = SigningSecret
    fields = ["created_at", "retired_at"]
    readonly_fields = ["created_at", "retired_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_administer_registry(request.user)


@admin.register(Partner)
class PartnerAdmin(NetworkAdminAccess, admin.ModelAdmin):
    list_display = ["agency", "webhook_url", "retention_days", "failing_since", "last_error"]
    list_filter = [("failing_since", admin.EmptyFieldListFilter)]
    fields = [
        "agency",
        "webhook_url",
        "retention_days",
        "identity_services",
        "failing_since",
        "last_error",
    ]
    readonly_fields = ["failing_since", "last_error"]
    filter_horizontal = ["identity_services"]
    inlines = [SigningSecretInline]
    actions = ["new_secret", "retire_older"]

    def save_model(self, request: HttpRequest, obj: Partner, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self._show(request, obj, services.add_signing_secret(partner=obj))

    def _show(self, request: HttpRequest, partner: Partner, secret: str) -> None:
        self.message_user(
            request,
            _("Signing secret for %(agency)s (shown once; give it to the agency): %(secret)s")
            % {"agency": partner.agency, "secret": secret},
            messages.WARNING,
        )

    @admin.action(description=_("New signing secret (the old ones keep signing until retired)"))
    def new_secret(self, request: HttpRequest, queryset: Any) -> None:
        for partner in queryset:
            self._show(request, partner, services.add_signing_secret(partner=partner))

    @admin.action(description=_("Retire all but the newest signing secret"))
    def retire_older(self, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        def perform(chosen: Any) -> None:
            for partner in chosen:
                services.retire_older_secrets(partner=partner)

        def rows(chosen: Any) -> list[tuple[Partner, str]]:
            counted = chosen.annotate(
                active=Count("secrets", filter=Q(secrets__retired_at__isnull=True))
            )
            return [
                (
                    partner,
                    ngettext(
                        "%(count)d older secret stops signing",
                        "%(count)d older secrets stop signing",
                        older,
                    )
                    % {"count": older},
                )
                for partner in counted
                for older in (max(partner.active - 1, 0),)
            ]

        return run_confirmed(
            self,
            request,
            queryset,
            title=gettext("Retire older signing secrets"),
            consequence=gettext(
                "For each partner below every signing secret but the newest stops signing now: "
                "the agency must already check the newest. This cannot be undone."
            ),
            perform=perform,
            rows=rows,
        )


@admin.register(Delivery)
class DeliveryAdmin(NetworkAdminAccess, admin.ModelAdmin):
    list_display = [
        "message_id",
        "partner",
        "created_at",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_status",
        "last_error",
    ]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter), "partner"]
    list_select_related = ["partner__agency"]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request: HttpRequest, queryset: Any) -> None:
        queryset.filter(delivered_at__isnull=True).update(next_attempt_at=clock.now())


@admin.register(Handover)
class HandoverAdmin(NetworkAdminAccess, admin.ModelAdmin):
    """Facts only: the personal data goes to the agency's system, not to this list."""

    list_display = [
        "reference",
        "agency",
        "service",
        "office",
        "visit_day",
        "status",
        "acknowledged_at",
        "purged_at",
    ]
    list_filter = ["status", "agency"]
    list_select_related = ["agency", "service", "office"]
    fields = [
        "reference",
        "agency",
        "service",
        "office",
        "visit_day",
        "status",
        "acknowledged_at",
        "purged_at",
    ]
    search_fields = ["reference"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
