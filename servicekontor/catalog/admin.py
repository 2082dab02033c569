"""Admin for agencies, their services and desk capabilities."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency, Capability, Service
from servicekontor.core.admin_access import RegistryAdmin, RegistryTabularInline


class ServiceInline(RegistryTabularInline):
    model = Service
    fields = [
        "code",
        "name_sv",
        "name_en",
        "mode",
        "handling_minutes",
        "requires_identification",
        "required_capability",
    ]
    extra = 0
    show_change_link = True


@admin.register(Agency)
class AgencyAdmin(RegistryAdmin):
    list_display = ["name_sv", "name_en", "code", "ticket_letter", "partner_since"]
    search_fields = ["code", "name_sv", "name_en"]
    list_filter = [("partner_since", admin.DateFieldListFilter)]
    ordering = ["name_sv"]
    inlines = [ServiceInline]


@admin.register(Capability)
class CapabilityAdmin(RegistryAdmin):
    list_display = ["code", "name_sv", "name_en"]
    search_fields = ["code", "name_sv", "name_en"]


@admin.register(Service)
class ServiceAdmin(RegistryAdmin):
    list_display = [
        "name_sv",
        "agency",
        "code",
        "mode",
        "handling_minutes",
        "requires_identification",
        "required_capability",
    ]
    list_filter = ["agency", "mode", "requires_identification", "required_capability"]
    list_select_related = ["agency", "required_capability"]
    search_fields = ["code", "name_sv", "name_en", "agency__name_sv", "agency__code"]
    fieldsets = [
        (None, {"fields": ["agency", "code", "name_sv", "name_en"]}),
        (
            _("How it is served"),
            {
                "fields": [
                    "mode",
                    "handling_minutes",
                    "requires_identification",
                    "required_capability",
                ]
            },
        ),
        (_("Description"), {"fields": ["description_sv", "description_en"]}),
    ]
