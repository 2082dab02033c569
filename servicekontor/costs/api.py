"""Read-only API of the settled costs: per agency × office, and every line.

Signed-in staff only (session, or a person's API token — the statistics'
`ApiTokenAuthentication`, `Authorization: Bearer …`; an agency's API client is refused with
403): network administrators
see every agency; an agency analyst only their own agency (the same
`queries.visible_agency_ids` as the pages and exports); everybody else gets 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import is_network_admin
from servicekontor.catalog.models import Agency
from servicekontor.core import clock
from servicekontor.core.api_auth import InvalidCredentialsMixin
from servicekontor.core.api_pagination import BoundedLimitOffsetPagination, paged
from servicekontor.core.errors import DomainError
from servicekontor.core.params import parse_int
from servicekontor.costs import queries
from servicekontor.costs.allocation import AllocationError
from servicekontor.costs.forms import WhatIfForm, what_if_change
from servicekontor.network.models import Office
from servicekontor.reports.agency_report import month_not_begun, year_not_begun
from servicekontor.reports.api import API_AUTHENTICATION, StaffPermission

SCOPE = (
    "Network administrators see every agency; an agency analyst sees only their own agency "
    "(other agencies' rows are never returned, not even in totals). Other staff, and an "
    "agency's API client: 403 (use a person's own API token). "
    "Money in whole öre. Only settled months are counted (a month is settled after it has "
    "ended); 404 for a month or year that has not begun (no costs yet, not zeros)."
)
PARAMETERS = [
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        required=True,
        description="Calendar year, 2000–2100.",
        examples=[OpenApiExample("2025", value=2025)],
    ),
    OpenApiParameter("month", OpenApiTypes.INT, description="1–12; empty: the whole year."),
    OpenApiParameter(
        "agency", OpenApiTypes.STR, description="Agency code, to narrow to one visible agency."
    ),
]


class MaySeeCosts(StaffPermission):
    message = gettext_lazy("Costs are for network administrators and agency analysts.")
    client_message = gettext_lazy(
        "An agency's API client may not read costs: they are for network administrators and "
        "agency analysts, with a token of their own."
    )

    def allows(self, user: User) -> bool:
        return queries.may_see_costs(user)


class SummaryRowSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(help_text="Agency code.")
    office = serializers.CharField(help_text="Office code.")
    allocated_ore = serializers.IntegerField()
    adjustments_ore = serializers.IntegerField()
    total_ore = serializers.IntegerField()
    visits = serializers.IntegerField(
        help_text="Served visits of the agency at the office (statistics' served_visits: "
        "visits with at least one served errand of the agency, counted once per agency)."
    )
    handled_seconds = serializers.IntegerField()
    ore_per_visit = serializers.FloatField(
        allow_null=True,
        help_text="Total öre per served visit; null (unknown, not 0) without a served visit.",
    )
    ore_per_handled_minute = serializers.FloatField(
        allow_null=True,
        help_text="Total öre per handled minute; null (unknown, not 0) without handled time.",
    )


class LineSerializer(serializers.Serializer[Any]):
    month = serializers.DateField()
    kind = serializers.CharField(help_text="allocation or adjustment")
    agency = serializers.CharField()
    office = serializers.CharField()
    pool = serializers.IntegerField()
    pool_office = serializers.CharField(allow_null=True, help_text="null: a network pool")
    category = serializers.CharField()
    pool_name = serializers.CharField()
    driver = serializers.CharField()
    quantity = serializers.IntegerField(help_text="seconds, visits or fixed weight")
    basis_quantity = serializers.IntegerField()
    basis_ore = serializers.IntegerField()
    office_ore = serializers.IntegerField()
    office_quantity = serializers.IntegerField()
    network_quantity = serializers.IntegerField()
    amount_ore = serializers.IntegerField()
    correction_of = serializers.DateField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


def _int_param(request: Request, name: str, low: int, high: int, required: bool) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        if required:
            raise ValidationError({name: [_("Required, e.g. %(name)s=2025.") % {"name": name}]})
        return None
    value = parse_int(raw, minimum=low, maximum=high)
    if value is None:
        raise ValidationError(
            {
                name: [
                    _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
                ]
            }
        )
    return value


def _report(request: Request) -> queries.AgencyReport:
    user = request.user
    assert isinstance(user, User)
    agency_ids = queries.visible_agency_ids(user)
    year = _int_param(request, "year", 2000, 2100, True)
    month = _int_param(request, "month", 1, 12, False)
    assert year is not None
    code = request.query_params.get("agency", "").strip()
    if code:
        chosen = {a.pk for a in queries.visible_agencies(agency_ids) if a.code == code}
        if not chosen:
            raise NotFound(_("No agency “%(code)s” that you may see.") % {"code": code})
        agency_ids = chosen
    start = dt.date(year, month or 1, 1)
    end = dt.date(year, month or 12, 1)
    if start > clock.local_today():
        # no costs yet, not costs of zero (as the statistics API answers a period not begun)
        raise NotFound(month_not_begun(start) if month else year_not_begun(year))
    return queries.agency_report(start=start, end=end, agency_ids=agency_ids)


class CostSummaryViewSet(InvalidCredentialsMixin, viewsets.ViewSet):
    authentication_classes = API_AUTHENTICATION
    pagination_class = BoundedLimitOffsetPagination  # paged (`paged`), and so documented
    permission_classes = [MaySeeCosts]

    @extend_schema(
        summary="Settled costs per agency and office",
        description=SCOPE,
        parameters=PARAMETERS,
        responses=SummaryRowSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        rep = _report(request)
        data = [
            {
                "agency": rep.agencies[r.agency_id].code,
                "office": rep.offices[r.office_id].code,
                "allocated_ore": r.allocated_ore,
                "adjustments_ore": r.adjustments_ore,
                "total_ore": r.total_ore,
                "visits": r.visits,
                "handled_seconds": r.handled_seconds,
                "ore_per_visit": float(r.ore_per_visit) if r.ore_per_visit is not None else None,
                "ore_per_handled_minute": float(r.ore_per_minute)
                if r.ore_per_minute is not None
                else None,
            }
            for r in rep.rows
        ]
        return paged(self, request, data, SummaryRowSerializer)


class CostLineViewSet(InvalidCredentialsMixin, viewsets.ViewSet):
    authentication_classes = API_AUTHENTICATION
    # A year of the network's lines is ~100,000 rows: paged as every list (in the lines'
    # order: month, agency, office, pool, driver, id)
    pagination_class = BoundedLimitOffsetPagination
    permission_classes = [MaySeeCosts]

    @extend_schema(
        summary="Every settled line, with the quantities to recompute it",
        description=SCOPE,
        parameters=PARAMETERS,
        responses=LineSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        rep = _report(request)
        data = [
            {
                "month": ln.month,
                "kind": ln.kind,
                "agency": rep.agencies[ln.agency_id].code,
                "office": rep.offices[ln.office_id].code,
                "pool": ln.pool_id,
                "pool_office": rep.offices[ln.pool.office_id].code if ln.pool.office_id else None,
                "category": ln.category,
                "pool_name": ln.pool_name,
                "driver": ln.driver,
                "quantity": ln.quantity,
                "basis_quantity": ln.basis_quantity,
                "basis_ore": ln.basis_ore,
                "office_ore": ln.office_ore,
                "office_quantity": ln.office_quantity,
                "network_quantity": ln.network_quantity,
                "amount_ore": ln.amount_ore,
                "correction_of": ln.correction.month if ln.correction else None,
                "reason": ln.correction.reason if ln.correction else "",
            }
            for ln in rep.lines
        ]
        return paged(self, request, data, LineSerializer)


class ServiceCostSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField()
    service = serializers.CharField(
        allow_null=True, help_text="Service code; null: cost without handled time."
    )
    cost_ore = serializers.IntegerField()
    errands = serializers.IntegerField()
    handled_seconds = serializers.IntegerField()


class CostPerServiceViewSet(InvalidCredentialsMixin, viewsets.ViewSet):
    authentication_classes = API_AUTHENTICATION
    pagination_class = BoundedLimitOffsetPagination
    permission_classes = [MaySeeCosts]

    @extend_schema(
        summary="Settled costs per agency and service",
        description=SCOPE
        + " Each month's cost of an agency at an office is split over its services there by "
        "handled seconds (largest remainder).",
        parameters=PARAMETERS,
        responses=ServiceCostSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        rep = _report(request)
        data = [
            {
                "agency": rep.agencies[r.agency_id].code,
                "service": rep.service_objects[r.service_id].code
                if r.service_id is not None
                else None,
                "cost_ore": r.cost_ore,
                "errands": r.errands,
                "handled_seconds": r.handled_seconds,
            }
            for r in rep.services
        ]
        return paged(self, request, data, ServiceCostSerializer)


class IsNetworkAdmin(StaffPermission):
    message = gettext_lazy("Only network administrators may do this.")
    client_message = gettext_lazy(
        "An agency's API client may not compute what-if costs: only network administrators may."
    )

    def allows(self, user: User) -> bool:
        return is_network_admin(user)


class WhatIfAgencySerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(help_text="Agency code.")
    today_ore = serializers.IntegerField()
    today_visits = serializers.IntegerField()
    with_change_ore = serializers.IntegerField()
    with_change_visits = serializers.IntegerField()
    difference_ore = serializers.IntegerField()


class WhatIfOfficeStaffSerializer(serializers.Serializer[Any]):
    office = serializers.CharField(help_text="Office code.")
    hours_today = serializers.FloatField()
    fte_today = serializers.FloatField()
    cost_today_ore = serializers.IntegerField()
    hours_with_change = serializers.FloatField()
    fte_with_change = serializers.FloatField()
    cost_with_change_ore = serializers.IntegerField()
    extra_cost_ore = serializers.IntegerField()


class WhatIfStaffSerializer(serializers.Serializer[Any]):
    role = serializers.CharField(help_text="The role priced (service_officer).")
    ore_per_hour = serializers.IntegerField()
    in_force = serializers.FloatField(help_text="Part of the month the change is in force.")
    added_to_costs = serializers.BooleanField()
    offices = WhatIfOfficeStaffSerializer(many=True)
    extra_cost_ore = serializers.IntegerField()


class WhatIfSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    usage_month = serializers.CharField(
        help_text="YYYY-MM: the month whose use the shares are computed with; for a month not "
        "begun (no use yet) the latest complete month."
    )
    pools_month = serializers.CharField(
        help_text="YYYY-MM: the month whose cost pools are shared; the month itself, or for a "
        "month not begun without pools of its own, usage_month."
    )
    note = serializers.CharField(
        allow_blank=True, help_text="Empty, or the words saying which month's use was read."
    )
    agencies = WhatIfAgencySerializer(many=True)
    staff = WhatIfStaffSerializer(allow_null=True, help_text="null: see staff_missing.")
    staff_missing = serializers.CharField(
        allow_blank=True, help_text="Why there are no staff figures (no hourly cost, no history)."
    )
    offices_without_history = serializers.ListField(child=serializers.CharField())


def _ex(value: str) -> list[OpenApiExample]:
    return [OpenApiExample("example", value=value)]


WHAT_IF_PARAMETERS = [
    OpenApiParameter(
        "month", OpenApiTypes.STR, required=True, description="YYYY-MM", examples=_ex("2026-11")
    ),
    OpenApiParameter(
        "agency",
        OpenApiTypes.STR,
        required=True,
        description="Agency code.",
        examples=_ex("skatteverket"),
    ),
    OpenApiParameter(
        "action", OpenApiTypes.STR, required=True, enum=["join", "leave"], examples=_ex("leave")
    ),
    OpenApiParameter(
        "offices",
        OpenApiTypes.STR,
        required=True,
        description="Office codes, comma-separated.",
        examples=_ex("kiruna"),
    ),
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        required=True,
        description="YYYY-MM-DD",
        examples=_ex("2026-11-16"),
    ),
    OpenApiParameter("visits", OpenApiTypes.INT, description="Joining: visits a month per office."),
    OpenApiParameter(
        "minutes_per_visit", OpenApiTypes.NUMBER, description="Joining: handled minutes per visit."
    ),
    OpenApiParameter(
        "staff",
        OpenApiTypes.STR,
        enum=["add", "apart"],
        description="add (default): the staff cost difference is added to the offices' costs.",
    ),
]


class CostWhatIfView(InvalidCredentialsMixin, APIView):
    """One object, not a list: an APIView, so the schema says so."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsNetworkAdmin]

    @extend_schema(
        summary="What if an agency joins or leaves offices: shares, staff needed and its cost",
        description="Network administrators only. The same computation as the page "
        "/costs/what-if/, whose page states its assumptions. Money in whole öre.",
        parameters=WHAT_IF_PARAMETERS,
        responses={200: WhatIfSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        agency = Agency.objects.filter(code=params.get("agency", "").strip()).first()
        codes = [c.strip() for c in params.get("offices", "").split(",") if c.strip()]
        offices = {o.code: o.pk for o in Office.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in offices]
        if unknown:
            raise ValidationError({"offices": [_("Unknown office codes: %s") % ", ".join(unknown)]})
        data = QueryDict(mutable=True)
        for key in ("month", "action", "start", "visits", "minutes_per_visit", "staff"):
            if key in params:
                data[key] = params[key]
        data["agency"] = str(agency.pk) if agency else ""
        data.setlist("offices", [str(offices[c]) for c in codes])
        form = WhatIfForm(data)
        change = what_if_change(form) if form.is_valid() else None
        if change is None:
            raise ValidationError(form.errors.get_json_data())
        month = form.cleaned_data["month"]
        try:
            result = queries.what_if(
                month=month, change=change, staff_in_costs=form.cleaned_data["staff"] == "add"
            )
        except AllocationError as exc:
            raise Conflict(_("A pool cannot be shared with this change: %s") % exc) from exc
        except DomainError as exc:
            raise ValidationError({"detail": [str(exc.message)]}) from exc
        staff = result.staff
        codes_by_pk = {o.pk: o.code for o in result.offices.values()}
        body = {
            "month": f"{month:%Y-%m}",
            "usage_month": f"{result.usage_month or month:%Y-%m}",
            "pools_month": f"{result.pools_month or month:%Y-%m}",
            "note": result.usage_note,
            "agencies": [
                {
                    "agency": o.agency.code,
                    "today_ore": o.a_ore,
                    "today_visits": o.a_visits,
                    "with_change_ore": o.b_ore,
                    "with_change_visits": o.b_visits,
                    "difference_ore": o.difference_ore,
                }
                for o in result.outcomes
            ],
            "staff": None
            if staff is None
            else {
                "role": result.role,
                "ore_per_hour": staff.ore_per_hour,
                "in_force": float(staff.in_force),
                "added_to_costs": result.staff_in_costs,
                "offices": [
                    {
                        "office": codes_by_pk[o.office],
                        "hours_today": float(o.hours_a),
                        "fte_today": float(o.fte_a),
                        "cost_today_ore": o.cost_a_ore,
                        "hours_with_change": float(o.hours_b),
                        "fte_with_change": float(o.fte_b),
                        "cost_with_change_ore": o.cost_b_ore,
                        "extra_cost_ore": o.difference_ore,
                    }
                    for o in staff.offices
                ],
                "extra_cost_ore": staff.difference_ore,
            },
            "staff_missing": result.missing,
            "offices_without_history": [o.code for o in result.skipped],
        }
        return Response(WhatIfSerializer(body).data)


class Conflict(APIException):
    status_code = 409
    default_detail = gettext_lazy("Conflict.")
    default_code = "conflict"
