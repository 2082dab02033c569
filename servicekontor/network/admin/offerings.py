"""The admin of dated offerings, and the offerings inline of an office (rows of one service
must not overlap one another: `OfferingInlineFormSet`)."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.admin_access import RegistryAdmin, RegistryTabularInline
from servicekontor.network.admin.filters import (
    OfferingStateFilter,
    ServiceListFilter,
    ValidOnFilter,
    offering_state,
)
from servicekontor.network.admin.impact import CapacityGuard
from servicekontor.network.dates import DateSpan, new_gaps
from servicekontor.network.models import (
    Offering,
)

# --- offerings ----------------------------------------------------------------------------


class OfferingInlineFormSet(forms.BaseInlineFormSet):
    """Rejects rows of the same service that overlap each other within one save.

    Each row's `Offering.clean` compares it with the rows already saved; this compares the
    rows being saved with one another (e.g. two new rows, or a new office's first rows).
    """

    def clean(self) -> None:
        super().clean()
        by_service: dict[int, list[tuple[forms.ModelForm[Offering], dt.date, dt.date | None]]]
        by_service = defaultdict(list)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            service, valid_from = data.get("service"), data.get("valid_from")
            if service is None or valid_from is None:
                continue
            by_service[service.pk].append((form, valid_from, data.get("valid_to")))
        for rows in by_service.values():
            rows.sort(key=lambda row: row[1])
            # Sorted by first day: a row is marked if it overlaps any row before it.
            spans = [DateSpan(valid_from, valid_to) for _form, valid_from, valid_to in rows]
            for i, (form, _first, _last) in enumerate(rows):
                if any(earlier.overlaps(spans[i]) for earlier in spans[:i]):
                    form.add_error(
                        None,
                        _("This office already offers this service in part of that period."),
                    )
        if any(form.errors for form in self.forms):
            raise ValidationError(_("Some offerings overlap; see the rows marked below."))
        self._refuse_days_without_offerings(by_service)

    def _refuse_days_without_offerings(self, by_service: dict[int, list[Any]]) -> None:
        """An open office offers some agency's services (decision 0101): refuse a save after
        which the office operates on days no offering covers — days that were not already
        without one (old records from before the offices offered anything are kept)."""
        office = self.instance
        if office is None or office.opened_on is None:
            return
        rows = [DateSpan(first, last) for rows in by_service.values() for _f, first, last in rows]
        before: list[DateSpan] = []
        if office.pk is not None:
            saved = (
                type(office).objects.filter(pk=office.pk).values("opened_on", "closed_on").first()
            )
            if saved is not None:
                spans = Offering.objects.filter(office_id=office.pk).values_list(
                    "valid_from", "valid_to"
                )
                before = [DateSpan.operating(saved["opened_on"], saved["closed_on"])] + [
                    DateSpan(a, b) for a, b in spans
                ]
        gaps = new_gaps(
            DateSpan.operating(office.opened_on, office.closed_on),
            rows,
            before=before,
        )
        if gaps:
            raise ValidationError(
                _(
                    "An open office offers at least one agency's services: %(office)s would "
                    "offer nothing %(days)s. Add an offering below for those days, or change "
                    "the office's dates."
                )
                % {"office": office.name or office.code, "days": ", ".join(map(str, gaps))}
            )


class RowAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that labels a row's saved choice from the row itself.

    Django's widget looks the selected value up in the database to label it: one query per
    inline row and field. The inline rows come with their related rows joined
    (`OfferingInline.get_queryset`), so `OfferingInlineForm` hands the widget the label.
    """

    known: tuple[str, str] | None = None  # (value, label) of the row's saved choice

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if self.known is None or selected != [self.known[0]]:
            return super().optgroups(name, value, attr)  # e.g. a changed value sent back
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        options.append(self.create_option(name, *self.known, True, len(options)))
        return [(None, options, 0)]


class OfferingInlineForm(forms.ModelForm[Offering]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in OfferingInline.autocomplete_fields:
            if getattr(self.instance, f"{name}_id") is None:
                continue
            widget = getattr(self.fields[name].widget, "widget", None)  # inside the wrapper
            if isinstance(widget, RowAutocompleteSelect):
                related = getattr(self.instance, name)  # joined by the inline's queryset
                widget.known = (str(related.pk), str(related))


class OfferingInline(RegistryTabularInline):
    """The office's whole offering history, oldest first, ended offerings included."""

    model = Offering
    form = OfferingInlineForm
    formset = OfferingInlineFormSet
    fields = ["service", "valid_from", "valid_to", "starts_with", "ends_with", "state", "source"]
    readonly_fields = ["state"]
    autocomplete_fields = ["service", "starts_with", "ends_with"]
    extra = 0
    verbose_name_plural = _("offerings (history)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offering]:
        return (
            super()
            .get_queryset(request)
            .select_related("office", "service__agency", "starts_with", "ends_with")
            .order_by("valid_from", "service__agency__name_sv", "service__name_sv")
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = RowAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        if db_field.name == "service":
            kwargs["queryset"] = Service.objects.select_related("agency")  # labels name it
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("state today"))
    def state(self, obj: Offering) -> str:
        if obj.pk is None:
            return "—"
        return offering_state(obj, clock.local_today())


@admin.register(Offering)
class OfferingAdmin(CapacityGuard, RegistryAdmin):
    list_display = [
        "office",
        "agency",
        "service",
        "valid_from",
        "valid_to",
        "starts_with",
        "ends_with",
        "state",
    ]
    list_filter = [
        ValidOnFilter,
        OfferingStateFilter,
        ("service__agency", admin.RelatedFieldListFilter),
        ("service", ServiceListFilter),
        "office",
        "office__county",
    ]
    list_select_related = ["office", "service__agency", "starts_with", "ends_with"]
    search_fields = [
        "office__name",
        "office__code",
        "service__name_sv",
        "service__code",
        "service__agency__code",
    ]
    autocomplete_fields = ["office", "service", "starts_with", "ends_with"]
    date_hierarchy = "valid_from"
    ordering = ["office__name", "valid_from"]

    @admin.display(description=_("agency"), ordering="service__agency__name_sv")
    def agency(self, obj: Offering) -> str:
        return obj.service.agency.name

    @admin.display(description=_("state today"))
    def state(self, obj: Offering) -> str:
        return offering_state(obj, clock.local_today())
