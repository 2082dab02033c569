"""List filters of the registry admin, and an offering's state relative to today."""

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.network import queries
from servicekontor.network.models import (
    Offering,
)

# --- list filters -------------------------------------------------------------------------


class OperatingFilter(admin.SimpleListFilter):
    """Open or closed for good, as of today (Stockholm)."""

    title = _("status today")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("operating", _("Operating")),
            ("closed", _("Closed for good")),
            ("planned", _("Not yet opened")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = clock.local_today()
        match self.value():
            case "operating":
                return queryset.filter(pk__in=queries.offices_operating_on(day=today))
            case "closed":
                return queryset.filter(closed_on__lte=today)
            case "planned":
                return queryset.filter(opened_on__gt=today)
        return queryset


class OffersAgencyFilter(admin.SimpleListFilter):
    """Offices with at least one offering of the agency valid today."""

    title = _("offers today for agency")
    parameter_name = "agency"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(agency.code, agency.name) for agency in Agency.objects.all()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() is None:
            return queryset
        offering_offices = Offering.objects.valid_on(clock.local_today()).filter(
            service__agency__code=self.value()
        )
        return queryset.filter(pk__in=offering_offices.values("office_id"))


class ValidOnFilter(admin.SimpleListFilter):
    """Offerings valid on a day: "today" or any YYYY-MM-DD typed into the filter's date field."""

    title = _("valid on date")
    parameter_name = "valid_on"
    template = "admin/network/valid_on_filter.html"

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        # The date form must carry the other active filters along (no JavaScript needed).
        self.other_params = [
            (name, value)
            for name, values in request.GET.lists()
            for value in values
            if name not in (self.parameter_name, "p", "e")
        ]

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("today", _("Today"))]

    def day(self) -> dt.date | None:
        value = self.value()
        if value is None:
            return None
        if value == "today":
            return clock.local_today()
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise IncorrectLookupParameters(exc) from exc

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        day = self.day()
        if day is None:
            return queryset
        return queryset.filter(pk__in=Offering.objects.valid_on(day).values("pk"))


class ServiceListFilter(admin.RelatedFieldListFilter):
    """Services named with their agency, read in one query (not one per service)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        return [(s.pk, str(s)) for s in Service.objects.select_related("agency")]


class OfferingStateFilter(admin.SimpleListFilter):
    title = _("state today")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("current", _("Current")),
            ("ended", _("Ended")),
            ("planned", _("Planned")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = clock.local_today()
        match self.value():
            case "current":
                return queryset.filter(pk__in=Offering.objects.valid_on(today).values("pk"))
            case "ended":
                return queryset.filter(valid_to__lt=today)
            case "planned":
                return queryset.filter(valid_from__gt=today)
        return queryset


def offering_state(offering: Offering, today: dt.date) -> str:
    if offering.valid_from > today:
        return str(_("planned"))
    if offering.valid_to is not None and offering.valid_to < today:
        return str(_("ended"))
    return str(_("current"))
