"""Admin for appointment capacity and rules, and the bookings (read only).

A change of the counters given to appointments is guarded like the registry's own screens
(`network.admin.impact.CapacityGuard`): what it leaves without a place is shown before saving
and cancelled, with a message to the citizen, when saved.
"""

from django.contrib import admin
from django.http import HttpRequest

from servicekontor.appointments.models import (
    AppointmentAllocation,
    Booking,
    BookingRule,
    Caseworker,
    CaseworkerAvailability,
    VideoMeeting,
)
from servicekontor.core.admin_access import RegistryAdmin
from servicekontor.network.admin.impact import CapacityGuard


@admin.register(AppointmentAllocation)
class AppointmentAllocationAdmin(CapacityGuard, RegistryAdmin):
    list_display = ["office", "weekday", "hour", "counters"]
    list_filter = ["weekday", "office__county"]
    search_fields = ["office__name", "office__code"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]


@admin.register(BookingRule)
class BookingRuleAdmin(RegistryAdmin):
    list_display = [
        "office",
        "service",
        "horizon_days",
        "closes_minutes_before",
        "per_person_per_day",
    ]
    list_filter = ["service__agency"]
    search_fields = ["office__name", "service__name_sv"]
    list_select_related = ["office", "service", "service__agency"]
    autocomplete_fields = ["office", "service"]


@admin.register(Booking)
class BookingAdmin(RegistryAdmin):
    """Bookings are read here, changed only through the citizen's link or the desk."""

    list_display = ["code", "office", "service", "starts_at", "status"]
    list_filter = ["status", "service__agency", "day"]
    search_fields = ["code", "office__name"]
    list_select_related = ["office", "service", "service__agency"]
    date_hierarchy = "day"
    exclude = ["token_hash", "identity_hash"]

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CaseworkerAvailabilityInline(admin.TabularInline[CaseworkerAvailability, Caseworker]):
    model = CaseworkerAvailability
    fields = ["starts_at", "ends_at", "source"]
    extra = 0


@admin.register(Caseworker)
class CaseworkerAdmin(RegistryAdmin):
    """Caseworkers who meet citizens by video; usually created by the agency's API client."""

    list_display = ["display_name", "agency", "external_id", "is_active", "calendar_url"]
    list_filter = ["agency", "is_active"]
    search_fields = ["display_name", "external_id"]
    inlines = [CaseworkerAvailabilityInline]


@admin.register(VideoMeeting)
class VideoMeetingAdmin(RegistryAdmin):
    """Read only: meetings change with their booking (citizen, desk, agency)."""

    list_display = ["booking", "caseworker", "room", "starts_at", "active", "cancelled_by"]
    list_filter = ["active", "cancelled_by", "caseworker__agency"]
    list_select_related = [
        "booking",
        "booking__office",
        "caseworker",
        "caseworker__agency",
        "room",
        "room__office",
    ]
    exclude = ["room_name"]

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
