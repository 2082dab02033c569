"""Admin for agencies, their services and desk capabilities."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
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


class PercentOfShareField(forms.DecimalField):
    """A share (0.80 in the database) entered and shown in percent (80), as the statistics
    and staffing pages show service levels (walk finding, 2026-11-30: 0.80 here, 80 % there)."""

    def __init__(self, **kwargs: Any) -> None:
        for key in ("max_digits", "decimal_places", "min_value", "max_value"):
            kwargs.pop(key, None)
        kwargs["validators"] = []  # the model's 0.01–0.99 run on the share, after clean
        super().__init__(min_value=1, max_value=99, decimal_places=0, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | float):
            return (Decimal(str(value)) * 100).quantize(Decimal(1))
        return value

    def clean(self, value: Any) -> Decimal | None:
        percent = super().clean(value)
        return None if percent is None else Decimal(percent) / 100


@admin.register(Agency)
class AgencyAdmin(RegistryAdmin):
    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "service_level_share":
            return PercentOfShareField(
                label=_("service level target (%)"),
                help_text=_(
                    "Percent of visits to be called within the target minutes (staffing plans)."
                ),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
