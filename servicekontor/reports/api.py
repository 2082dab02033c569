"""The read-only statistics API: the same figures and the same scoping as the pages.

An agency's system reads it as one of its agency's API clients (`accounts.api_clients`,
`Authorization: Bearer skc_…`), scoped to that agency like an agency analyst. A person's
token (`manage.py create_api_token <user> <name>`) acts as its user; a signed-in browser
session works too.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import (
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicekontor.accounts.api_clients import ApiClientAuthentication, ApiClientPrincipal
from servicekontor.accounts.api_tokens import ApiTokenAuthentication
from servicekontor.accounts.models import User
from servicekontor.catalog.models import Agency
from servicekontor.core import clock
from servicekontor.core.api_auth import InvalidCredentialsMixin
from servicekontor.core.api_pagination import BoundedLimitOffsetPagination, paged
from servicekontor.core.api_params import date_param, unknown_value_error
from servicekontor.network.models import Office
from servicekontor.reports import coverage
from servicekontor.reports.agency_report import (
    COLUMNS,
    PLACES,
    UNKNOWN_WHEN,
    NotBegun,
    ReportRow,
    agency_month_report,
    agency_year_report,
    parse_month,
    row_values,
)
from servicekontor.reports.queries import DIMENSIONS, BadPeriod, Figures, check_period, figures
from servicekontor.reports.scope import NoStatistics, Scope, scope_for, scope_for_agency

# One rule for the staff APIs (statistics, costs, change plans): every kind of valid
# credential authenticates (an agency's API client, a person's token, a browser session), and
# the view's permission then answers 403 with what that credential may not read. A valid token
# is never 401 (decision 0018; tests/api: test_token_kinds).
API_AUTHENTICATION = [ApiClientAuthentication, ApiTokenAuthentication, SessionAuthentication]


class StaffPermission(BasePermission):
    """A permission of the staff APIs: `allows(user)` decides for a person; an agency's API
    client is refused with `client_message` (what it may not read), a person without the right
    with `message`. Both 403: the credential was valid."""

    client_message: Any = ""
    # Read by the schema (`accounts.api_clients.ApiClientScheme`): an operation that refuses
    # every API client does not list the client's token among its security (walk F6).
    refuses_api_clients = True

    def allows(self, user: User) -> bool:
        raise NotImplementedError

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if isinstance(user, ApiClientPrincipal):
            self.message = self.client_message
            return False
        return bool(isinstance(user, User) and user.is_authenticated and self.allows(user))


class _StatisticsView(InvalidCredentialsMixin, APIView):
    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]

    def scope(self, request: Request) -> Scope:
        if isinstance(request.user, ApiClientPrincipal):
            return scope_for_agency(request.user.agency_id)
        assert isinstance(request.user, User)
        try:
            return scope_for(request.user)
        except NoStatistics as exc:
            raise PermissionDenied(str(exc.message)) from None


def _values_serializer() -> type[serializers.Serializer[Any]]:
    # Counts are integers, as /api/statistics/figures/ gives them; only the columns with
    # decimals (`agency_report.PLACES`: minutes, percentages) are numbers with a fraction
    # (walk F8, 2 Dec 2026: "visits": 550.0).
    fields: dict[str, Any] = {
        # Lazy texts: the schema is in the language of its request (decision 0064).
        key: (serializers.FloatField if key in PLACES else serializers.IntegerField)(
            allow_null=key in UNKNOWN_WHEN,
            help_text=(
                format_lazy("{}. null (unknown, not 0): {}.", label, UNKNOWN_WHEN[key])
                if key in UNKNOWN_WHEN
                else label
            ),
        )
        for key, label in COLUMNS
    }
    return type("ReportValues", (serializers.Serializer,), fields)


ReportValues = _values_serializer()


@contextmanager
def _report_refusals(period_parameter: str) -> Iterator[None]:
    """Around building an agency report: its refusals as the API answers them. `NoStatistics`
    (the caller's scope does not reach the agency): 403; `BadPeriod`: 400 with the message
    under `period_parameter` (the path's "month" or "year"); `NotBegun` (the period has not
    begun: no figures, not zeros): 404. Anything else passes through."""
    try:
        yield
    except NoStatistics as exc:
        raise PermissionDenied(str(exc.message)) from None
    except BadPeriod as exc:
        raise ValidationError({period_parameter: [str(exc.message)]}) from None
    except NotBegun as exc:
        raise NotFound(str(exc.message)) from None


def _office_rows(
    offices: list[ReportRow], spans: coverage.Spans, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """The report's office rows as `ReportRowSerializer` takes them, each with why its
    figures cover only part of [start, end] in words ("" for all of it)."""
    return [
        {
            "code": r.code,
            "name": r.name,
            "county": r.county,
            "part_of_period": coverage.words(coverage.office_reasons(spans, r.code, start, end)),
            "values": r.values,
        }
        for r in offices
    ]


_PARTIAL_HELP = (
    "Why the figures cover only part of the period, in words (the page's and the files' "
    'mark after the name), e.g. "opened 2026-11-15", "figures recorded from '
    '2026-10-07"; empty when they cover all of it. Judged on the days up to `up_to`: a '
    "running period's days after today are not counted as missing."
)


class ReportRowSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    county = serializers.CharField()
    part_of_period = serializers.CharField(help_text=_PARTIAL_HELP, allow_blank=True)
    values = ReportValues()


class AgencyReportSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(help_text="Agency code.")
    month = serializers.DateField(help_text="First day of the month.")
    last_day = serializers.DateField(help_text="Last day of the month.")
    up_to = serializers.DateField(
        help_text="The last day the figures include: the month's last day, or today while "
        "the month is running (its figures so far, not the whole month)."
    )
    part_of_period = serializers.CharField(help_text=_PARTIAL_HELP, allow_blank=True)
    offices = ReportRowSerializer(many=True)
    services = ReportRowSerializer(many=True)
    total = ReportValues()


# The path parameter of both agency reports (month and year).
_AGENCY_CODE = OpenApiParameter(
    "agency_code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=r"^[-\w]+$",
    description="Agency code.",
    examples=[OpenApiExample("skatteverket", value="skatteverket")],
)


class AgencyReportView(_StatisticsView):
    @extend_schema(
        summary="Monthly agency report",
        description="The agency's month per office and per service, with the same month last "
        "year; the same figures as the report page and its CSV/Excel. A month that is "
        "running has its figures so far (`up_to`: today); 404 for a month that has not "
        "begun (no figures yet, not zeros). 403 for an agency outside the caller's scope.",
        parameters=[
            _AGENCY_CODE,
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern="^[0-9]{4}-[0-9]{2}$",
                description="YYYY-MM.",
                examples=[OpenApiExample("2025-03", value="2025-03")],
            ),
        ],
        responses=AgencyReportSerializer,
    )
    def get(self, request: Request, agency_code: str, month: str) -> Response:
        scope = self.scope(request)
        agency = get_object_or_404(Agency, code=agency_code)
        with _report_refusals("month"):
            report = agency_month_report(scope=scope, agency=agency, month=parse_month(month))
        # the rows' and the whole month's part of the period, as the page marks them
        spans = coverage.spans(agency=agency, office_codes=[r.code for r in report.offices])
        start, end = report.covered  # the page's rule (walk F19)
        services = [
            {"code": r.code, "name": r.name, "county": "", "part_of_period": "", "values": r.values}
            for r in report.services
        ]
        data = {
            "agency": agency.code,
            "month": report.month,
            "last_day": report.last_day,
            "up_to": report.up_to,
            "part_of_period": coverage.words(coverage.period_reasons(spans, start, end)),
            "offices": _office_rows(report.offices, spans, start, end),
            "services": services,
            "total": report.total,
        }
        return Response(AgencyReportSerializer(data).data)


class AgencyYearSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(help_text="Agency code.")
    year = serializers.IntegerField()
    up_to = serializers.DateField(
        help_text="The last day the figures include: 31 December, or today while the year "
        "is running (its figures so far, not the whole year)."
    )
    months = ReportRowSerializer(
        many=True,
        help_text="Per month (code YYYY-MM), with the same month a year earlier; county empty.",
    )
    offices = ReportRowSerializer(many=True, help_text="Per office, with the year before.")
    part_of_period = serializers.CharField(help_text=_PARTIAL_HELP, allow_blank=True)
    total = ReportValues()


class AgencyYearView(_StatisticsView):
    @extend_schema(
        operation_id="statistics_agency_year_report_retrieve",
        summary="Yearly agency report",
        description="The agency's year per month and per office, with the year before; the "
        "same figures as the yearly report page and its CSV/Excel. A year that is running has "
        "its figures so far (`up_to`: today); 404 for a year that has not begun. 403 for an "
        "agency outside the caller's scope.",
        parameters=[
            _AGENCY_CODE,
            OpenApiParameter(
                "year",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="YYYY, 2000–2100.",
                examples=[OpenApiExample("2025", value=2025)],
            ),
        ],
        responses=AgencyYearSerializer,
    )
    def get(self, request: Request, agency_code: str, year: str) -> Response:
        scope = self.scope(request)
        agency = get_object_or_404(Agency, code=agency_code)
        with _report_refusals("year"):
            report = agency_year_report(scope=scope, agency=agency, year=int(year))
        # the rows' and the whole year's part of the period, as the yearly page marks them
        spans = coverage.spans(agency=agency, office_codes=[r.code for r in report.offices])
        first, last = report.covered  # the page's rule (walk F19)

        def month_words(code: str) -> str:
            return coverage.words(coverage.period_reasons(spans, *report.month_covered(code)))

        data = {
            "agency": agency.code,
            "year": report.year,
            "up_to": report.up_to,
            "part_of_period": coverage.words(coverage.period_reasons(spans, first, last)),
            "months": [
                {
                    "code": r.code,
                    "name": r.name,
                    "county": "",
                    "part_of_period": month_words(r.code),
                    "values": r.values,
                }
                for r in report.months
            ],
            "offices": _office_rows(report.offices, spans, first, last),
            "total": report.total,
        }
        return Response(AgencyYearSerializer(data).data)


def _figure_row_serializer() -> type[serializers.Serializer[Any]]:
    """A row of /api/statistics/figures/: the monthly report's values, by the same names in
    the same units (minutes with one decimal, percentages; walk F16, 2 Dec 2026: this API gave
    `mean_wait_seconds` and `service_level` 0…1 where the report gave `mean_wait_minutes` and
    `service_level_percent`, and had no `visits_reached_otherwise`; decision 0100), without
    the year-earlier column, and three counters of its own."""
    values = {
        name: field
        for name, field in _values_serializer()._declared_fields.items()
        if name != "served_visits_last_year"
    }
    fields: dict[str, Any] = {
        "group": serializers.DictField(
            child=serializers.CharField(),
            help_text="The grouping's values, e.g. agency code, month.",
        ),
        **values,
        "finished_visits": serializers.IntegerField(
            help_text="Served visits: visits served (finished), each once whatever its "
            "agencies — an office's or a total's served visits, as its page and the live view "
            "count them. Per agency: the visits that finished with one of its services, so "
            "the rows add up to the total (`served_visits` counts a visit once per agency)."
        ),
        "called": serializers.IntegerField(help_text="Visits called (the waits' count)."),
        "within_target": serializers.IntegerField(
            help_text="Visits called within their agency's target."
        ),
    }
    return type("FigureRow", (serializers.Serializer,), fields)


FigureRowSerializer = _figure_row_serializer()


def _codes(request: Request, name: str, model: Any) -> list[int] | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    codes = [c for c in raw.split(",") if c]
    found = dict(model.objects.filter(code__in=codes).values_list("code", "pk"))
    for code in codes:
        if code not in found:
            raise unknown_value_error(name, code)
    return list(found.values())


class FiguresView(_StatisticsView):
    # One row per group: paged as every list (the rows sorted by their group's key)
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(
        summary="Statistics by any grouping",
        description="The measures (each field says what it counts) for visits of local days from…to, "
        "grouped by any of: " + ", ".join(DIMENSIONS) + ". Only what the caller's scope "
        "allows is counted, in groups and totals alike. A period that ends after today has "
        "its figures up to and including today; 404 for one that begins after today (no "
        "figures yet, not zeros).",
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                required=True,
                examples=[OpenApiExample("2025-03-01", value="2025-03-01")],
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                required=True,
                examples=[OpenApiExample("2025-03-31", value="2025-03-31")],
            ),
            OpenApiParameter("by", OpenApiTypes.STR, description="Comma-separated dimensions."),
            OpenApiParameter(
                "agency", OpenApiTypes.STR, description="Agency codes, comma-separated."
            ),
            OpenApiParameter(
                "office", OpenApiTypes.STR, description="Office codes, comma-separated."
            ),
        ],
        responses=FigureRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        scope = self.scope(request)
        start = date_param(request.query_params, "from")
        end = date_param(request.query_params, "to")
        if start is None or end is None:
            raise ValidationError({"from": [_("Give both from and to (YYYY-MM-DD).")]})
        by = [b for b in request.query_params.get("by", "").split(",") if b]
        for b in by:
            if b not in DIMENSIONS:
                raise unknown_value_error("by", b, list(DIMENSIONS))
        try:
            check_period(start, end)
        except BadPeriod as exc:
            raise ValidationError({"to": [str(exc.message)]}) from None
        if start > clock.local_today():
            # no figures yet, not zeros (as the monthly report answers a month not begun)
            raise NotFound(str(NotBegun.default_message))
        try:
            found = figures(
                scope=scope,
                start=start,
                end=end,
                by=by,
                agency_ids=_codes(request, "agency", Agency),
                office_ids=_codes(request, "office", Office),
            )
        except BadPeriod as exc:
            raise ValidationError({"to": [str(exc.message)]}) from None
        names = _names(by, found)
        rows = [
            _row(by, key, f, names) for key, f in sorted(found.items(), key=lambda kv: str(kv[0]))
        ]
        return paged(self, request, rows, FigureRowSerializer)


def _names(by: list[str], found: dict[tuple[Any, ...], Figures]) -> dict[str, dict[Any, str]]:
    from servicekontor.catalog.models import Service

    out: dict[str, dict[Any, str]] = {}
    for i, dim in enumerate(by):
        ids = {k[i] for k in found}
        if dim == "agency":
            out[dim] = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "code"))
        elif dim == "office":
            out[dim] = dict(Office.objects.filter(pk__in=ids).values_list("pk", "code"))
        elif dim == "service":
            out[dim] = {
                pk: f"{agency}/{code}"
                for pk, agency, code in Service.objects.filter(pk__in=ids).values_list(
                    "pk", "agency__code", "code"
                )
            }
    return out


def _row(
    by: list[str], key: tuple[Any, ...], f: Figures, names: dict[str, dict[Any, str]]
) -> dict[str, Any]:
    group = {}
    for dim, value in zip(by, key, strict=True):
        if dim in names:
            group[dim] = names[dim].get(value, str(value))
        elif isinstance(value, dt.datetime | dt.date):
            group[dim] = value.isoformat()[:10]
        else:
            group[dim] = str(value)
    values = row_values(f, None)
    del values["served_visits_last_year"]
    return {
        "group": group,
        **values,
        "finished_visits": f.served,
        "called": f.called,
        "within_target": f.within_target,
    }
