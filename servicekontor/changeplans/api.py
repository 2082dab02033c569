"""Read-only API of change plans: the plans, their changes with resolved dates, and the
effect of each step.

Signed-in staff only (session, or a person's API token — the statistics'
`ApiTokenAuthentication`, `Authorization: Bearer …`), scoped as the costs API: network
administrators see everything; an agency analyst sees the plans and their network figures
but, of the cost, only their own agency's share (no total, no other agency); everybody
else gets 403.
"""

from __future__ import annotations

import math
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servicekontor.accounts.models import User
from servicekontor.changeplans import effects, queries
from servicekontor.changeplans.models import ChangePlan
from servicekontor.core.api_auth import InvalidCredentialsMixin
from servicekontor.core.api_pagination import BoundedLimitOffsetPagination, paged
from servicekontor.costs.queries import may_see_costs, visible_agency_ids
from servicekontor.reports.api import API_AUTHENTICATION, StaffPermission

SCOPE = (
    "Network administrators see everything; an agency analyst sees the plans and the network "
    "figures, and of the cost only their own agency's share (total cost and other agencies' "
    "shares are left out). Other staff: 403. Money in whole öre."
)


class MaySeePlans(StaffPermission):
    message = gettext_lazy("Change plans are for network administrators and agency analysts.")
    client_message = gettext_lazy(
        "An agency's API client may not read change plans: they are for network administrators "
        "and agency analysts, with a token of their own."
    )

    def allows(self, user: User) -> bool:
        return may_see_costs(user)


class PlanSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField(help_text="draft or adopted")
    based_on = serializers.IntegerField(allow_null=True, help_text="id of the earlier version")
    created_at = serializers.DateTimeField()
    adopted_at = serializers.DateTimeField(allow_null=True)
    changes = serializers.IntegerField(help_text="number of changes")


class ChangeSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    kind = serializers.CharField(
        help_text="open_office, close_office, add_services, remove_services, change_hours, "
        "move_milestone"
    )
    date = serializers.DateField(help_text="resolved: anchors followed")
    description = serializers.CharField()
    offices = serializers.ListField(child=serializers.CharField())
    agency = serializers.CharField(allow_null=True)
    milestone = serializers.CharField(allow_null=True, help_text="the milestone moved")
    follows_change = serializers.IntegerField(allow_null=True, help_text="position")
    follows_milestone = serializers.CharField(allow_null=True)
    offset_days = serializers.IntegerField()


class AgencyCostSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField()
    cost_ore = serializers.IntegerField(help_text="a month")


class StepSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    baseline = serializers.BooleanField()
    changes = serializers.ListField(child=serializers.IntegerField(), help_text="positions")
    places = serializers.IntegerField()
    population = serializers.IntegerField()
    share_within_10_km = serializers.FloatField()
    share_within_25_km = serializers.FloatField()
    share_within_50_km = serializers.FloatField()
    mean_km = serializers.FloatField(allow_null=True, help_text="null: no office operating")
    visits_moved = serializers.FloatField(help_text="a year")
    staff_fte = serializers.FloatField()
    cost_ore = serializers.IntegerField(
        allow_null=True,
        help_text="a month, modelled: staff is the staff needed × the hourly cost, not the "
        "staff pools entered; null for analysts",
    )
    cost_not_shared_ore = serializers.IntegerField(
        allow_null=True,
        help_text="of cost_ore, what no agency can be charged for (an office without visits): "
        "the agencies' costs + this = cost_ore; null for analysts",
    )
    agency_costs = AgencyCostSerializer(many=True)
    bookings_affected = serializers.IntegerField()
    effect_places = serializers.IntegerField(
        allow_null=True,
        help_text="the step's own effect: on its date, with the step minus without it (the "
        "plan's earlier changes in both); null for the baseline",
    )
    effect_share_within_25_km = serializers.FloatField(allow_null=True)
    effect_staff_fte = serializers.FloatField(allow_null=True)
    effect_cost_ore = serializers.IntegerField(
        allow_null=True, help_text="a month; null for the baseline and for analysts"
    )
    assumptions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="figure group -> assumption codes",
    )


class EvaluationSerializer(serializers.Serializer[Any]):
    plan = PlanSerializer()
    conflicts = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Always empty: an opening without any agency's services (or a removal that "
            "leaves an office offering nothing) is a conflict now; kept for clients."
        ),
    )
    steps = StepSerializer(many=True)
    assumptions = serializers.DictField(child=serializers.CharField())


def _plan_data(p: ChangePlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "version": p.version,
        "status": p.status,
        "based_on": p.based_on_id,
        "created_at": p.created_at,
        "adopted_at": p.adopted_at,
        "changes": p.changes.count(),
    }


GROUPS = {
    "access": effects.ACCESS_ASSUMPTIONS,
    "visits": effects.VISIT_ASSUMPTIONS,
    "staff": effects.STAFF_ASSUMPTIONS,
    "cost": effects.COST_ASSUMPTIONS,
    "bookings": effects.BOOKING_ASSUMPTIONS,
}


PLAN_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The plan's id (one version)."
)


class ChangePlanViewSet(InvalidCredentialsMixin, viewsets.ViewSet):
    lookup_value_regex = "[0-9]{1,18}"  # a bigint id; anything else is a 404, not a 500
    authentication_classes = API_AUTHENTICATION
    permission_classes = [MaySeePlans]

    @property
    def pagination_class(self) -> type[BoundedLimitOffsetPagination] | None:
        """The list is paged (`paged`) and so documented; one plan's changes are the parts of
        one object, answered whole (decision 0097), so drf-spectacular must not document
        them as paged (it pages every `many=True` answer of a view with a paginator)."""
        return BoundedLimitOffsetPagination if getattr(self, "action", None) == "list" else None

    @extend_schema(
        summary="Change plans (every version)",
        description=SCOPE,
        responses=PlanSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        return paged(self, request, [_plan_data(p) for p in queries.plans()], PlanSerializer)

    @extend_schema(
        summary="One plan's changes, dates resolved",
        operation_id="change_plans_changes",
        parameters=[PLAN_ID],
        description=SCOPE,
        responses=ChangeSerializer(many=True),
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        plan = get_object_or_404(ChangePlan, pk=int(pk))
        rows = queries.plan_changes(plan)
        dates = queries.resolved_dates(rows)
        names = queries.plan_office_names(rows, queries.registry_state())
        position = {c.pk: c.position for c in rows}
        data = [
            {
                "position": c.position,
                "kind": c.kind,
                "date": dates[c.pk],
                "description": queries.change_label(c, names),
                "offices": list(c.office_codes or []),
                "agency": c.agency.code if c.agency else None,
                "milestone": c.milestone.code if c.milestone else None,
                "follows_change": position.get(c.after_change_id) if c.after_change_id else None,
                "follows_milestone": c.after_milestone.code if c.after_milestone else None,
                "offset_days": c.offset_days,
            }
            for c in rows
        ]
        return Response(ChangeSerializer(data, many=True).data)

    @extend_schema(
        summary="The effect of each step of a plan",
        parameters=[PLAN_ID],
        description=SCOPE,
        responses=EvaluationSerializer,
    )
    @action(detail=True, methods=["get"])
    def evaluation(self, request: Request, pk: str) -> Response:
        user = request.user
        assert isinstance(user, User)
        agency_ids = visible_agency_ids(user)
        plan = get_object_or_404(ChangePlan, pk=int(pk))
        ev = queries.evaluate_plan(plan)
        steps = []
        for s in ev.steps:
            e, b = s.effect, s.before
            steps.append(
                {
                    "date": s.day,
                    "baseline": s.baseline,
                    "changes": [c.change.position for c in s.changes],
                    "places": e.access.offices,
                    "population": e.access.population,
                    "share_within_10_km": e.access.share_within[0],
                    "share_within_25_km": e.access.share_within[1],
                    "share_within_50_km": e.access.share_within[2],
                    "mean_km": e.access.mean_km if math.isfinite(e.access.mean_km) else None,
                    "visits_moved": e.visits_moved,
                    "staff_fte": e.fte_total,
                    "cost_ore": e.costs.total_ore if agency_ids is None else None,
                    "cost_not_shared_ore": e.costs.unallocated_ore if agency_ids is None else None,
                    "agency_costs": [
                        {"agency": ev.agencies[a].code, "cost_ore": ore}
                        for a, ore in sorted(e.costs.by_agency.items())
                        if a in ev.agencies and (agency_ids is None or a in agency_ids)
                    ],
                    "bookings_affected": s.bookings_total,
                    "effect_places": None if b is None else e.access.offices - b.access.offices,
                    "effect_share_within_25_km": None
                    if b is None
                    else e.access.share_within[1] - b.access.share_within[1],
                    "effect_staff_fte": None if b is None else e.fte_total - b.fte_total,
                    "effect_cost_ore": None
                    if b is None or agency_ids is not None
                    else e.costs.total_ore - b.costs.total_ore,
                    "assumptions": {k: list(v) for k, v in GROUPS.items()},
                }
            )
        data = {
            "plan": _plan_data(plan),
            "conflicts": ev.conflicts,
            "warnings": [],
            "steps": steps,
            "assumptions": dict(ev.assumptions),
        }
        return Response(EvaluationSerializer(data).data)
