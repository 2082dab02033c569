"""The admin of offices and their service points (desks)."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicekontor.core import clock
from servicekontor.core.admin_access import RegistryAdmin, RegistryTabularInline
from servicekontor.network.admin.filters import OffersAgencyFilter, OperatingFilter
from servicekontor.network.admin.impact import CapacityGuard
from servicekontor.network.admin.offerings import OfferingInline
from servicekontor.network.choices import CountyField
from servicekontor.network.models import (
    CoordinateSource,
    Office,
    OpeningException,
    OpeningHoursPeriod,
    OutreachRule,
    ServicePoint,
)

# --- offices ------------------------------------------------------------------------------


class ServicePointInlineForm(forms.ModelForm[ServicePoint]):
    # The capability choices, read once per page by ServicePointInline.get_formset; without
    # them every row's select reads the capability table again.
    capability_choices: list[Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.capability_choices is not None:
            field: Any = self.fields["capabilities"]
            field.choices = self.capability_choices


class ServicePointInline(RegistryTabularInline):
    model = ServicePoint
    form = ServicePointInlineForm
    fields = ["number", "name", "is_active", "capabilities"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServicePoint]:
        return (
            super().get_queryset(request).select_related("office").prefetch_related("capabilities")
        )

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # The form class is made afresh for each request, so the choices live as long as it.
        form: Any = formset.form
        form.capability_choices = list(iter(form.base_fields["capabilities"].choices))
        return formset


class OpeningHoursPeriodInline(RegistryTabularInline):
    """Periods only; their weekday hours are edited on the period's own page."""

    model = OpeningHoursPeriod
    fields = ["name", "valid_from", "valid_to"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[OpeningHoursPeriod]:
        return super().get_queryset(request).select_related("office")  # each row's title


class OpeningExceptionInline(RegistryTabularInline):
    model = OpeningException
    fields = ["date", "kind", "opens", "closes", "reason_sv", "reason_en"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[OpeningException]:
        # Past exceptions are history; the inline shows the recent and coming ones.
        since = clock.local_today() - dt.timedelta(days=31)
        return (
            super()
            .get_queryset(request)
            .filter(date__gte=since)
            .select_related("office")  # each row's title
            .order_by("date")
        )


class OutreachRuleInline(RegistryTabularInline):
    """An outreach stop's recurring visits (only stops have them; see OutreachRule.clean)."""

    model = OutreachRule
    fk_name = "office"
    fields = [
        "frequency",
        "interval",
        "weekday",
        "week_of_month",
        "opens",
        "closes",
        "valid_from",
        "valid_to",
        "holiday_policy",
        "staffed_from",
        "officers",
        "team",
    ]
    autocomplete_fields = ["staffed_from"]
    extra = 0


@admin.register(Office)
class OfficeAdmin(CapacityGuard, RegistryAdmin):
    list_display = [
        "name",
        "code",
        "kind",
        "municipality",
        "county",
        "opened_on",
        "closed_on",
        "operating_today",
    ]
    list_filter = [
        OperatingFilter,
        "kind",
        "county",
        OffersAgencyFilter,
        ("closed_on", admin.DateFieldListFilter),
        "opened_precision",
        "coordinate_source",
        "position_approximate",
        "closed_on_public_holidays",
        "closed_on_eves",
    ]
    search_fields = ["name", "code", "municipality", "county", "postal_town", "street_address"]
    date_hierarchy = "opened_on"
    autocomplete_fields = ["opened_with", "closed_with"]
    inlines = [
        OfferingInline,
        ServicePointInline,
        OpeningHoursPeriodInline,
        OutreachRuleInline,
        OpeningExceptionInline,
    ]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "municipality", "county"]}),
        (
            _("Address and location"),
            {
                "fields": [
                    "street_address",
                    "postal_code",
                    "postal_town",
                    ("latitude", "longitude"),
                    "position_approximate",
                    "coordinate_source",
                    "geonames_place",
                ]
            },
        ),
        (
            _("Dates"),
            {
                "fields": [
                    ("opened_on", "opened_precision", "opened_with"),
                    ("closed_on", "closed_precision", "closed_with"),
                ]
            },
        ),
        (
            _("Rules"),
            {
                "fields": [
                    "closed_on_public_holidays",
                    "closed_on_eves",
                    "keeps_queue_overnight",
                ]
            },
        ),
        (_("Sources and notes"), {"fields": ["source", "notes"]}),
    ]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # The county from Sweden's 21 (network.choices, the one list), not typed (walk: the
        # admin took any text); a stored name outside the list is refused on the next save
        # and listed by `manage.py check_network`.
        if db_field.name == "county":
            return CountyField(label=db_field.verbose_name, required=True)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Office, form: Any, change: bool) -> None:
        # A position typed here is the office's own, unless "approximate" is ticked with it.
        if {"latitude", "longitude"} & set(form.changed_data):
            obj.coordinate_source = CoordinateSource.ADMIN
            if "position_approximate" not in form.changed_data:
                obj.position_approximate = False
        super().save_model(request, obj, form, change)

    @admin.display(description=_("operating today"), boolean=True)
    def operating_today(self, obj: Office) -> bool:
        return obj.is_operating_on(clock.local_today())


@admin.register(ServicePoint)
class ServicePointAdmin(CapacityGuard, RegistryAdmin):
    list_display = ["office", "number", "name", "is_active", "capability_list"]
    list_filter = ["is_active", "capabilities", "office__county", "office"]
    list_select_related = ["office"]
    search_fields = ["office__name", "office__code", "name"]
    autocomplete_fields = ["office"]
    filter_horizontal = ["capabilities"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServicePoint]:
        return super().get_queryset(request).prefetch_related("capabilities")

    @admin.display(description=_("capabilities"))
    def capability_list(self, obj: ServicePoint) -> str:
        return ", ".join(c.code for c in obj.capabilities.all())
