"""Admin: queue settings and device tokens are edited here; visits and events are read-only."""

from django.contrib import admin
from django.http import HttpRequest

from servicekontor.queueing.models import DeviceToken, QueueSettings, Visit, VisitEvent


@admin.register(QueueSettings)
class QueueSettingsAdmin(admin.ModelAdmin[QueueSettings]):
    list_display = [
        "office",
        "transfer_keeps_arrival",
        "max_calls",
        "min_recall_seconds",
        "require_device_token",
    ]
    autocomplete_fields = ["office"]


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin[DeviceToken]):
    """Tokens are created with `manage.py create_device_token` (shown once); here only (de)activated."""

    list_display = ["office", "kind", "name", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    fields = ["office", "kind", "name", "is_active", "created_at"]
    readonly_fields = ["office", "kind", "name", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnly):
    list_display = ["__str__", "office", "service", "local_day", "state", "outcome", "source"]
    list_filter = ["state", "outcome", "source", "local_day"]
    exclude = ["notify_contact"]  # personal data stays out of the admin


@admin.register(VisitEvent)
class VisitEventAdmin(ReadOnly):
    list_display = ["visit", "at", "action", "from_state", "to_state", "service_point", "officer"]
    list_filter = ["action", "to_state"]
