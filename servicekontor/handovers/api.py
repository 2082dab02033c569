"""The partner API: an agency's system reads its handovers (polling, or after a webhook),
acknowledges them with its case number and reports the outcome; it also reads its
offerings. Only API clients (`accounts.partner_api.PartnerApiView`) of the agency, each
request logged; another agency's handover is a 404, as if it did not exist. Every refusal's
text is in the request's language (Accept-Language, decision 0064).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from servicekontor.accounts.partner_api import PartnerApiView, partner_agency_id
from servicekontor.core.api_params import date_param, unknown_value_error
from servicekontor.core.errors import DomainError
from servicekontor.handovers import services
from servicekontor.handovers.errors import HandoverNotFound
from servicekontor.handovers.models import AGENCY_OUTCOMES, Handover, HandoverStatus
from servicekontor.handovers.payload import handover_data
from servicekontor.handovers.queries import handovers_of_agency
from servicekontor.network.api import OfferingSerializer
from servicekontor.network.models import Offering


class HandoverSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    agency = serializers.CharField()
    service = serializers.DictField(child=serializers.CharField())
    office = serializers.DictField(child=serializers.CharField())
    visit_day = serializers.DateField()
    errand_outcome = serializers.CharField()
    created_at = serializers.DateTimeField()
    needs = serializers.CharField(help_text="Blank after the retention purge.")
    documents = serializers.ListField(child=serializers.DictField())
    contact = serializers.DictField(child=serializers.CharField())
    identity_number = serializers.CharField(
        allow_null=True, help_text="Only for services that need it; YYYYMMDDNNNN."
    )
    consent = serializers.BooleanField()
    status = serializers.ChoiceField(choices=HandoverStatus.choices)
    case_number = serializers.CharField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    outcome_at = serializers.DateTimeField(allow_null=True)
    purged = serializers.BooleanField()


class HandoverListView(PartnerApiView, ListAPIView[Handover]):
    serializer_class = HandoverSerializer

    @extend_schema(
        summary="The agency's handovers (poll)",
        description="Oldest first. An agency without a webhook endpoint polls this, e.g. "
        "`?status=sent` for those not yet acknowledged.",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=HandoverStatus.values),
            OpenApiParameter("since", OpenApiTypes.DATE, description="Visit day from."),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Handover]:
        handovers = handovers_of_agency(partner_agency_id(self.request))
        params = self.request.query_params
        if status := params.get("status"):
            if status not in HandoverStatus.values:
                raise unknown_value_error("status", status, list(HandoverStatus.values))
            handovers = handovers.filter(status=status)
        if (since := date_param(params, "since")) is not None:
            handovers = handovers.filter(visit_day__gte=since)
        return handovers

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [handover_data(h) for h in page or []]
        return self.get_paginated_response(HandoverSerializer(rows, many=True).data)


def _one(request: Request, reference: str) -> Handover:
    wanted = services.canonical_reference(reference)  # typed by people on the agency's side too
    found = handovers_of_agency(partner_agency_id(request)).filter(reference=wanted).first()
    if found is None:
        raise NotFound()
    return found


def _call(fn: Any, **kwargs: Any) -> Handover:
    try:
        return fn(**kwargs)
    except HandoverNotFound:
        raise NotFound() from None
    except DomainError as exc:
        if exc.http_status == 409:
            raise _Conflict(str(exc.message)) from None
        raise ValidationError({"detail": [str(exc.message)]}) from None


def _body_field(request: Request, name: str) -> str:
    """A text field of a JSON object body (a whole number is taken as its digits); 400 for
    another shape, `true`/`false` too (a bool is an int in Python: `true` became "True")."""
    data = request.data
    if not isinstance(data, dict):
        raise ValidationError({"detail": [_("Send a JSON object.")]})
    value = data.get(name, "")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError({name: [_("Give a text.")]})
    return str(value)


class _Conflict(APIException):
    status_code = 409
    default_code = "conflict"


CONFLICT = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Contradicts what the agency said before (another case number, another "
    'outcome, an outcome before the acknowledgement): `{"detail": …}`.',
)
REFERENCE = OpenApiParameter(
    "reference",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The handover's reference, as the citizen has it.",
    examples=[OpenApiExample("H-2345-6789", value="H-2345-6789")],
)


class HandoverDetailView(PartnerApiView):
    @extend_schema(
        summary="One handover, by its reference",
        parameters=[REFERENCE],
        responses=HandoverSerializer,
    )
    def get(self, request: Request, reference: str) -> Response:
        return Response(HandoverSerializer(handover_data(_one(request, reference))).data)


class AcknowledgeView(PartnerApiView):
    @extend_schema(
        summary="Acknowledge a handover with the agency's case number",
        description="Repeating the same acknowledgement is harmless; another case number is 409.",
        parameters=[REFERENCE],
        request=inline_serializer("Acknowledge", {"case_number": serializers.CharField()}),
        responses={200: HandoverSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, reference: str) -> Response:
        _one(request, reference)
        handover = _call(
            services.acknowledge_handover,
            agency_id=partner_agency_id(request),
            reference=reference,
            case_number=_body_field(request, "case_number"),
        )
        return Response(HandoverSerializer(handover_data(_one(request, handover.reference))).data)


class OutcomeView(PartnerApiView):
    @extend_schema(
        summary="The agency's outcome of a handover",
        description="`handled`, or `needs_citizen` (the citizen must come back or be "
        "contacted: counted as a repeat contact in the statistics). After the "
        "acknowledgement (409 before).",
        parameters=[REFERENCE],
        request=inline_serializer(
            "Outcome", {"outcome": serializers.ChoiceField(choices=list(AGENCY_OUTCOMES))}
        ),
        responses={200: HandoverSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, reference: str) -> Response:
        _one(request, reference)
        handover = _call(
            services.record_agency_outcome,
            agency_id=partner_agency_id(request),
            reference=reference,
            outcome=_body_field(request, "outcome"),
        )
        return Response(HandoverSerializer(handover_data(_one(request, handover.reference))).data)


class PartnerOfferingsView(PartnerApiView, ListAPIView[Offering]):
    serializer_class = OfferingSerializer

    @extend_schema(
        summary="The agency's offerings",
        description="Which office offers which of the agency's services from when to when.",
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Offering]:
        offerings = Offering.objects.filter(
            service__agency_id=partner_agency_id(self.request)
        ).select_related("office", "service__agency", "starts_with", "ends_with")
        if (day := date_param(self.request.query_params, "on")) is not None:
            offerings = offerings.valid_on(day)
        return offerings.order_by("office__name", "valid_from", "service__name_sv", "pk")
