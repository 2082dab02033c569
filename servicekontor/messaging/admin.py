"""The outbox in the admin, for network administrators: what was sent, what waits for a
retry, what failed and why. Read-only, with one action: try again now. The texts are not
shown (they hold working manage links); the recipient only masked."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicekontor.core.admin_access import CappedTextAdmin, may_administer_registry
from servicekontor.core.rounding import shown
from servicekontor.messaging import services
from servicekontor.messaging.models import Message


@admin.register(Message)
class MessageAdmin(CappedTextAdmin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "topic",
        "channel",
        "recipient_hint",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel", "topic", "language")
    date_hierarchy = "created_at"
    search_fields = ("topic", "last_error")
    fields = (
        "topic",
        "object_id",
        "channel",
        "recipient_hint",
        "language",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "expires_at",
        "sent_at",
        "last_error",
    )
    readonly_fields = fields
    actions = ["retry"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_administer_registry(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_administer_registry(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return may_administer_registry(request.user)

    @admin.action(description=_("Try again now"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.retry_now(message_ids=queryset.values_list("pk", flat=True))
        delivered = services.deliver_due().sent
        self.message_user(
            request,
            ngettext(
                "%(count)s message put back in line; %(sent)s sent now.",
                "%(count)s messages put back in line; %(sent)s sent now.",
                count,
            )
            % {"count": shown(count), "sent": shown(delivered)},
            messages.SUCCESS if count else messages.WARNING,
        )
