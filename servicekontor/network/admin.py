"""Admin for the office network: offices, counters, dated offerings, opening hours, milestones.

Offering history is kept as rows, so the admin shows ended offerings too and filters them by
the day they were valid. Overlapping offerings give a form error here (the model's `clean` and
the inline formset's check) before the database constraint would refuse them.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.core.admin_access import RegistryAdmin, RegistryTabularInline
from servicekontor.network import opening_hours, queries
from servicekontor.network.models import (
    CoordinateSource,
    Milestone,
    Offering,
    Office,
    OpeningException,
    OpeningHoursPeriod,
    ServicePoint,
    Weekday,
    WeeklyHours,
)
from servicekontor.network.services import move_milestone

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
            # Sorted by first day, a row overlaps an earlier one iff it starts on or before the
            # latest last day seen so far (None = open-ended).
            latest_end: dt.date | None = rows[0][2]
            for form, valid_from, valid_to in rows[1:]:
                if latest_end is None or valid_from <= latest_end:
                    form.add_error(
                        None,
                        _("This office already offers this service in part of that period."),
                    )
                latest_end = (
                    None if latest_end is None or valid_to is None else max(latest_end, valid_to)
                )
        if any(form.errors for form in self.forms):
            raise ValidationError(_("Some offerings overlap; see the rows marked below."))


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
class OfferingAdmin(RegistryAdmin):
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


@admin.register(Office)
class OfficeAdmin(RegistryAdmin):
    list_display = [
        "name",
        "code",
        "municipality",
        "county",
        "opened_on",
        "closed_on",
        "operating_today",
    ]
    list_filter = [
        OperatingFilter,
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
    inlines = [OfferingInline, ServicePointInline, OpeningHoursPeriodInline, OpeningExceptionInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "municipality", "county"]}),
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
class ServicePointAdmin(RegistryAdmin):
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


# --- opening hours ------------------------------------------------------------------------


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
    model = WeeklyHours
    formset = WeeklyHoursInlineFormSet
    fields = ["weekday", "opens", "closes"]
    extra = 0


@admin.register(OpeningHoursPeriod)
class OpeningHoursPeriodAdmin(RegistryAdmin):
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
class OpeningExceptionAdmin(RegistryAdmin):
    list_display = ["office", "date", "kind", "opens", "closes", "reason_sv"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter), "office__county", "office"]
    list_select_related = ["office"]
    search_fields = ["office__name", "office__code", "reason_sv", "reason_en"]
    autocomplete_fields = ["office"]
    date_hierarchy = "date"


# --- milestones ---------------------------------------------------------------------------


class MilestoneForm(forms.ModelForm[Milestone]):
    """A date change is tried in a savepoint that is rolled back, so a move that would break
    a dated rule (e.g. make two offerings overlap) becomes a form error, not a server error."""

    class Meta:
        model = Milestone
        fields = ["code", "name", "date", "precision", "source"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new_date = cleaned.get("date")
        if self.instance.pk is None or "date" not in self.changed_data or new_date is None:
            return cleaned
        try:
            with transaction.atomic():
                move_milestone(
                    milestone=Milestone.objects.get(pk=self.instance.pk), new_date=new_date
                )
                transaction.set_rollback(True)
        except ValidationError as exc:
            self.add_error("date", exc)
        return cleaned


@admin.register(Milestone)
class MilestoneAdmin(RegistryAdmin):
    form = MilestoneForm
    list_display = ["name", "code", "date", "precision", "follower_count"]
    list_filter = ["precision", ("date", admin.DateFieldListFilter)]
    search_fields = ["code", "name", "source"]
    date_hierarchy = "date"

    @admin.display(description=_("rows following it"), ordering="followers")
    def follower_count(self, obj: Milestone) -> int:
        return obj.followers  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Milestone, form: Any, change: bool) -> None:
        if not change or "date" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        # The other fields are saved as typed; the date only through the use case, which moves
        # every office and offering that follows the milestone with it.
        new_date = obj.date
        other_fields = [name for name in form.changed_data if name != "date"]
        if other_fields:
            obj.save(update_fields=other_fields)
        moved = move_milestone(milestone=obj, new_date=new_date)
        self.message_user(
            request,
            _("Moved the milestone to %(date)s and %(count)d dated rows with it.")
            % {"date": new_date.isoformat(), "count": moved},
            messages.INFO,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Milestone]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                followers=_count_of(Office, "opened_with")
                + _count_of(Office, "closed_with")
                + _count_of(Offering, "starts_with")
                + _count_of(Offering, "ends_with")
            )
        )


def _count_of(model: Any, field: str) -> Coalesce:
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)
