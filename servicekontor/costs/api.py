"""Read-only API of the settled costs: per agency × office, and every line.

Signed-in staff only (session, or an agency system's API token — the statistics'
`ApiTokenAuthentication`, `Authorization: Bearer …`): network administrators
see every agency; an agency analyst only their own agency (the same
`queries.visible_agency_ids` as the pages and exports); everybody else gets 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from servicekontor.accounts.models import User
from servicekontor.core.params import parse_int
from servicekontor.costs import queries
from servicekontor.reports.api import ApiTokenAuthentication

SCOPE = (
    "Network administrators see every agency; an agency analyst sees only their own agency "
    "(other agencies' rows are never returned, not even in totals). Other staff: 403. "
    "Money in whole öre."
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


class MaySeeCosts(permissions.BasePermission):
    message = gettext_lazy("Costs are for network administrators and agency analysts.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and queries.may_see_costs(user))


class SummaryRowSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(help_text="Agency code.")
    office = serializers.CharField(help_text="Office code.")
    allocated_ore = serializers.IntegerField()
    adjustments_ore = serializers.IntegerField()
    total_ore = serializers.IntegerField()
    visits = serializers.IntegerField()
    handled_seconds = serializers.IntegerField()
    ore_per_visit = serializers.FloatField(allow_null=True)
    ore_per_handled_minute = serializers.FloatField(allow_null=True)


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
    return queries.agency_report(start=start, end=end, agency_ids=agency_ids)


class CostSummaryViewSet(viewsets.ViewSet):
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
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
        return Response(SummaryRowSerializer(data, many=True).data)


class CostLineViewSet(viewsets.ViewSet):
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
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
        return Response(LineSerializer(data, many=True).data)


class ServiceCostSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField()
    service = serializers.CharField(
        allow_null=True, help_text="Service code; null: cost without handled time."
    )
    cost_ore = serializers.IntegerField()
    errands = serializers.IntegerField()
    handled_seconds = serializers.IntegerField()


class CostPerServiceViewSet(viewsets.ViewSet):
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
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
        return Response(ServiceCostSerializer(data, many=True).data)
