"""The admin of opening-hours periods (weekly hours that must not overlap within a weekday)
and opening exceptions."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicekontor.core.admin_access import RegistryAdmin, RegistryTabularInline
from servicekontor.network import opening_hours
from servicekontor.network.admin.impact import CapacityGuard
from servicekontor.network.admin.office_scope import OfficeScopedAccess, managed_office_ids
from servicekontor.network.models import (
    OpeningException,
    OpeningHoursPeriod,
    Weekday,
    WeeklyHours,
)

# --- opening hours ------------------------------------------------------------------------


def _parent_managed(request: HttpRequest, period: Any) -> bool:
    ids = managed_office_ids(request.user)
    if not ids:
        return False  # None (a network admin: RegistryTabularInline says yes) or no offices
    return period is None or getattr(period, "office_id", None) in ids


class WeeklyHoursInlineFormSet(forms.BaseInlineFormSet):
    """Rejects hours that overlap other hours of the same weekday in the period.

    The inline holds every row of the period, so the rows as submitted are the whole truth:
    shortening Monday 10–16 to 10–12 and adding 12–16 in one save is fine.
    """

    def clean(self) -> None:
        super().clean()
        rows: dict[opening_hours.WeeklyRule, forms.ModelForm[WeeklyHours]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            weekday, opens, closes = data.get("weekday"), data.get("opens"), data.get("closes")
            if weekday is None or opens is None or closes is None:
                continue
            rule = opening_hours.WeeklyRule(int(weekday), opens, closes)
            if rule in rows:
                form.add_error(None, _("The same hours are given twice for this weekday."))
                continue
            rows[rule] = form
        for first, second in opening_hours.overlapping_rules(rows):
            rows[second].add_error(
                None,
                _("These hours overlap %(weekday)s %(opens)s–%(closes)s in this period.")
                % {
                    "weekday": Weekday(first.weekday).label,
                    "opens": f"{first.opens:%H:%M}",
                    "closes": f"{first.closes:%H:%M}",
                },
            )
        if any(form.errors for form in self.forms):
            raise ValidationError(_("Some hours overlap; see the rows marked below."))


class WeeklyHoursInline(RegistryTabularInline):
    """Weekday hours of a period: a manager of the period's office may edit them."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _parent_managed(request, obj) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _parent_managed(request, obj) or super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _parent_managed(request, obj) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _parent_managed(request, obj) or super().has_delete_permission(request, obj)

    model = WeeklyHours
    formset = WeeklyHoursInlineFormSet
    fields = ["weekday", "opens", "closes"]
    extra = 0


@admin.register(OpeningHoursPeriod)
class OpeningHoursPeriodAdmin(OfficeScopedAccess, CapacityGuard, RegistryAdmin):
    delete_confirmation_template = "admin/network/delete_confirmation_capacity.html"
    list_display = ["office", "name", "valid_from", "valid_to", "summary"]
    list_filter = [("valid_to", admin.EmptyFieldListFilter), "office__county", "office"]
    list_select_related = ["office"]
    search_fields = ["office__name", "office__code", "name"]
    autocomplete_fields = ["office"]
    date_hierarchy = "valid_from"
    inlines = [WeeklyHoursInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OpeningHoursPeriod]:
        return super().get_queryset(request).prefetch_related("hours")

    @admin.display(description=_("hours"))
    def summary(self, obj: OpeningHoursPeriod) -> str:
        return "; ".join(str(hours) for hours in obj.hours.all())


@admin.register(OpeningException)
class OpeningExceptionAdmin(OfficeScopedAccess, CapacityGuard, RegistryAdmin):
    delete_confirmation_template = "admin/network/delete_confirmation_capacity.html"
    list_display = ["office", "date", "kind", "opens", "closes", "reason_sv"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter), "office__county", "office"]
    list_select_related = ["office"]
    search_fields = ["office__name", "office__code", "reason_sv", "reason_en"]
    autocomplete_fields = ["office"]
    date_hierarchy = "date"
