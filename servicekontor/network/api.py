"""Read-only API of the office network: offices on a day, dated offerings, opening hours.

Every list is computed for a Stockholm calendar day (`?on=YYYY-MM-DD`, default today), so a
client asking "what did Kiruna offer on 2019-06-01" gets the same answer as the finder.
"""

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.core.api_params import date_param, unknown_value_error
from servicekontor.core.params import parse_id
from servicekontor.network import opening_hours, queries
from servicekontor.network.dates import DateSpan
from servicekontor.network.models import (
    OFFICE_EXCHANGE_FIELDS,
    DatePrecision,
    Offering,
    Office,
    OfficeKind,
)

MAX_OPENING_HOURS_DAYS = 62
DEFAULT_OPENING_HOURS_DAYS = 7

ON_PARAMETER = OpenApiParameter(
    "on",
    OpenApiTypes.DATE,
    description="The day (YYYY-MM-DD, Stockholm calendar) to answer for. Default: today.",
)


def _day_of(request: Request) -> dt.date:
    day = date_param(request.query_params, "on", clock.local_today())
    assert day is not None  # a default was given
    return day


# --- offices ------------------------------------------------------------------------------


class OfferedServiceSerializer(serializers.Serializer[Offering]):
    """A service offered at an office on the requested day (built from the offering row)."""

    agency = serializers.CharField(source="service.agency.code")
    service = serializers.IntegerField(source="service.id")
    code = serializers.CharField(source="service.code")
    name_sv = serializers.CharField(source="service.name_sv")
    name_en = serializers.CharField(source="service.name_en")
    mode = serializers.CharField(source="service.mode")
    walk_in_allowed = serializers.BooleanField(source="service.walk_in_allowed")
    bookable = serializers.BooleanField(source="service.bookable")
    requires_identification = serializers.BooleanField(source="service.requires_identification")
    offered_from = serializers.DateField(source="valid_from")
    offered_to = serializers.DateField(source="valid_to", allow_null=True)


class KnownDateSerializer(serializers.Serializer[Any]):
    """A date from the public sources and how much of it they tell."""

    date = serializers.DateField(help_text="The first possible day if only month or year is known.")
    precision = serializers.ChoiceField(choices=DatePrecision.choices)


class OfficeSerializer(serializers.ModelSerializer[Office]):
    kind = serializers.ChoiceField(
        choices=OfficeKind.choices,
        read_only=True,
        help_text="office: a service office with weekly hours; outreach: a stop served on a "
        "schedule by travelling staff (its days: /opening-hours/ or the stop's visits.ics).",
    )
    opened = serializers.SerializerMethodField(help_text="First day open.")
    closed = serializers.SerializerMethodField(help_text="First day closed for good, or null.")
    on = serializers.SerializerMethodField()
    operating = serializers.SerializerMethodField()
    services = serializers.SerializerMethodField()

    class Meta:
        model = Office
        fields = [
            *OFFICE_EXCHANGE_FIELDS,
            "kind",
            "position_approximate",
            "opened",
            "closed",
            "on",
            "operating",
            "services",
        ]

    @extend_schema_field(KnownDateSerializer)
    def get_opened(self, office: Office) -> Any:
        return {"date": office.opened_on, "precision": office.opened_precision}

    @extend_schema_field(KnownDateSerializer(allow_null=True))
    def get_closed(self, office: Office) -> Any:
        if office.closed_on is None:
            return None
        return {"date": office.closed_on, "precision": office.closed_precision}

    @extend_schema_field(OpenApiTypes.DATE)
    def get_on(self, office: Office) -> dt.date:
        return self.context["day"]

    def get_operating(self, office: Office) -> bool:
        return office.is_operating_on(self.context["day"])

    @extend_schema_field(OfferedServiceSerializer(many=True))
    def get_services(self, office: Office) -> Any:
        if not office.is_operating_on(self.context["day"]):
            return []
        return OfferedServiceSerializer(office.offerings_on_day, many=True).data  # type: ignore[attr-defined]


def _with_offerings_on(offices: QuerySet[Office], day: dt.date) -> QuerySet[Office]:
    """Prefetch each office's offerings valid on `day` as `offerings_on_day` (one query)."""
    offerings = (
        Offering.objects.valid_on(day)
        .select_related("service__agency")
        .order_by("service__agency__name_sv", "service__name_sv")
    )
    return offices.prefetch_related(
        Prefetch("offerings", queryset=offerings, to_attr="offerings_on_day")
    )


class WeeklyHoursSerializer(serializers.Serializer[Any]):
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday")
    opens = serializers.TimeField()
    closes = serializers.TimeField()


class OpeningPeriodSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True, help_text="Last day (inclusive).")
    hours = WeeklyHoursSerializer(many=True, source="hours.all")


class OpeningExceptionSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    kind = serializers.CharField()
    opens = serializers.TimeField(allow_null=True)
    closes = serializers.TimeField(allow_null=True)
    reason_sv = serializers.CharField()
    reason_en = serializers.CharField()


class IntervalSerializer(serializers.Serializer[Any]):
    opens = serializers.DateTimeField()
    closes = serializers.DateTimeField()


class OpeningDaySerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    open = serializers.BooleanField()
    intervals = IntervalSerializer(many=True, help_text="[opens, closes) as aware instants.")
    note = serializers.CharField(
        help_text="Why the day differs or is closed (holiday, exception reason), or empty."
    )


class OpeningHoursSerializer(serializers.Serializer[Any]):
    office = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    periods = OpeningPeriodSerializer(many=True)
    exceptions = OpeningExceptionSerializer(many=True)
    days = OpeningDaySerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        summary="Offices operating on a day, with the services offered that day",
        parameters=[
            ON_PARAMETER,
            OpenApiParameter(
                "county", OpenApiTypes.STR, description="Only offices in this county (län)."
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=OfficeKind.values,
                description="Only service offices (office) or only outreach stops (outreach); "
                "both by default.",
            ),
            OpenApiParameter(
                "agency",
                OpenApiTypes.STR,
                description="Only offices offering a service of this agency (code) that day.",
            ),
            OpenApiParameter(
                "service",
                OpenApiTypes.INT,
                description="Only offices offering this service (id) that day.",
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="One office, with the services offered on a day",
        parameters=[ON_PARAMETER],
    ),
)
class OfficeViewSet(viewsets.ReadOnlyModelViewSet[Office]):
    serializer_class = OfficeSerializer
    lookup_field = "code"

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.action in ("list", "retrieve"):
            context["day"] = _day_of(self.request)
        return context

    def get_queryset(self) -> QuerySet[Office]:
        if self.action == "opening_hours":
            return queries.with_schedules(Office.objects.all())
        day = _day_of(self.request)
        if self.action != "list":
            return _with_offerings_on(Office.objects.all(), day)
        offices = queries.offices_operating_on(day=day)
        params = self.request.query_params
        if county := params.get("county"):
            offices = offices.filter(county=county)
        if kind := params.get("kind"):
            if kind not in OfficeKind.values:
                raise unknown_value_error("kind", kind, OfficeKind.values)
            offices = offices.filter(kind=kind)
        if agency_code := params.get("agency"):
            if not Agency.objects.filter(code=agency_code).exists():
                raise unknown_value_error("agency", agency_code)
            offering = Offering.objects.valid_on(day).filter(service__agency__code=agency_code)
            offices = offices.filter(pk__in=offering.values("office_id"))
        if service_id := params.get("service"):
            service_pk = parse_id(service_id)
            service = Service.objects.filter(pk=service_pk).first() if service_pk else None
            if service is None:
                raise unknown_value_error("service", service_id)
            offering_offices = queries.offices_offering(service=service, day=day)
            offices = offices.filter(pk__in=offering_offices.values("pk"))
        return _with_offerings_on(offices.order_by("name"), day)

    @extend_schema(
        summary="Opening hours of an office: weekly periods, exceptions and computed days",
        description=(
            "Periods and exceptions that touch the range, and for each day of the range the "
            "open intervals with public holidays, eves (midsommarafton, julafton, nyårsafton) "
            "and exceptions applied. Times are Stockholm wall-clock; instants carry their UTC "
            f"offset, so DST days are right. At most {MAX_OPENING_HOURS_DAYS} days."
        ),
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD). Default: today."
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description=f"Last day, inclusive. Default: {DEFAULT_OPENING_HOURS_DAYS} days "
                "from the first day.",
            ),
        ],
        responses=OpeningHoursSerializer,
    )
    @action(detail=True, url_path="opening-hours", pagination_class=None)
    def opening_hours(self, request: Request, code: str | None = None) -> Response:
        office = self.get_object()
        first_day = date_param(request.query_params, "from", clock.local_today())
        assert first_day is not None
        last_day = date_param(
            request.query_params,
            "to",
            first_day + dt.timedelta(days=DEFAULT_OPENING_HOURS_DAYS - 1),
        )
        assert last_day is not None
        if last_day < first_day:
            raise ValidationError({"to": [_("The last day cannot be before the first day.")]})
        if (last_day - first_day).days + 1 > MAX_OPENING_HOURS_DAYS:
            raise ValidationError(
                {
                    "to": [
                        _("Ask for at most %(days)d days at a time.")
                        % {"days": MAX_OPENING_HOURS_DAYS}
                    ]
                }
            )
        schedule = queries.schedule_of(office)
        days = []
        for day in opening_hours.days(first_day, (last_day - first_day).days + 1):
            intervals = queries.opening_intervals(office=office, day=day)
            days.append(
                {
                    "date": day,
                    "open": bool(intervals),
                    "intervals": [
                        {"opens": opens, "closes": closes} for opens, closes in intervals
                    ],
                    "note": opening_hours.day_hours(schedule, day).closed_reason,
                }
            )
        data = {
            "office": office.code,
            "first_day": first_day,
            "last_day": last_day,
            "periods": [
                period
                for period in office.opening_periods.all()
                if DateSpan(period.valid_from, period.valid_to).overlaps(
                    DateSpan(first_day, last_day)
                )
            ],
            "exceptions": [e for e in office.exceptions.all() if first_day <= e.date <= last_day],
            "days": days,
        }
        return Response(OpeningHoursSerializer(data).data)


# --- offerings ----------------------------------------------------------------------------


class OfferingSerializer(serializers.ModelSerializer[Offering]):
    office: serializers.SlugRelatedField[Office] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    agency = serializers.CharField(source="service.agency.code", read_only=True)
    service_code = serializers.CharField(source="service.code", read_only=True)
    starts_with: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    ends_with: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Offering
        fields = [
            "id",
            "office",
            "agency",
            "service",
            "service_code",
            "valid_from",
            "valid_to",
            "starts_with",
            "ends_with",
            "source",
        ]


@extend_schema_view(
    list=extend_schema(
        summary="Dated offerings: which office offers which service from when to when",
        description="The whole history unless `on` is given. `valid_to` is the last day "
        "(inclusive); null while open-ended.",
        parameters=[
            OpenApiParameter("office", OpenApiTypes.STR, description="Office code."),
            OpenApiParameter("service", OpenApiTypes.INT, description="Service id."),
            OpenApiParameter("agency", OpenApiTypes.STR, description="Agency code."),
            OpenApiParameter(
                "on",
                OpenApiTypes.DATE,
                description="Only offerings valid on this day (YYYY-MM-DD).",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One offering, by id"),
)
class OfferingViewSet(viewsets.ReadOnlyModelViewSet[Offering]):
    lookup_value_regex = "[0-9]{1,18}"  # a bigint id; anything else is a 404, not a 500
    serializer_class = OfferingSerializer

    def get_queryset(self) -> QuerySet[Offering]:
        offerings = Offering.objects.select_related(
            "office", "service__agency", "starts_with", "ends_with"
        ).order_by("office__name", "valid_from", "service__agency__name_sv", "service__name_sv")
        if self.action != "list":
            return offerings
        params = self.request.query_params
        if office_code := params.get("office"):
            if not Office.objects.filter(code=office_code).exists():
                raise unknown_value_error("office", office_code)
            offerings = offerings.filter(office__code=office_code)
        if service_id := params.get("service"):
            service_pk = parse_id(service_id)
            if not (service_pk and Service.objects.filter(pk=service_pk).exists()):
                raise unknown_value_error("service", service_id)
            offerings = offerings.filter(service_id=service_pk)
        if agency_code := params.get("agency"):
            if not Agency.objects.filter(code=agency_code).exists():
                raise unknown_value_error("agency", agency_code)
            offerings = offerings.filter(service__agency__code=agency_code)
        if (day := date_param(params, "on")) is not None:
            offerings = offerings.valid_on(day)
        return offerings
