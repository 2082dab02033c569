"""Read-only API of the catalogue: agencies and their services."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from servicekontor.catalog.models import Agency, Service, ServiceMode
from servicekontor.core.api_params import unknown_value_error


class AgencySerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["code", "name_sv", "name_en", "ticket_letter", "partner_since", "website"]


class ServiceSerializer(serializers.ModelSerializer[Service]):
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    required_capability: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    walk_in_allowed = serializers.BooleanField(read_only=True)
    bookable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "agency",
            "code",
            "name_sv",
            "name_en",
            "description_sv",
            "description_en",
            "mode",
            "walk_in_allowed",
            "bookable",
            "handling_minutes",
            "requires_identification",
            "required_capability",
        ]


@extend_schema_view(
    list=extend_schema(summary="Partner agencies"),
    retrieve=extend_schema(summary="One agency, by code"),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet[Agency]):
    queryset = Agency.objects.all()
    serializer_class = AgencySerializer
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(
        summary="Services of the agencies",
        parameters=[
            OpenApiParameter(
                "agency",
                OpenApiTypes.STR,
                description="Only the services of the agency with this code, e.g. skatteverket.",
            ),
            OpenApiParameter(
                "mode",
                OpenApiTypes.STR,
                enum=ServiceMode.values,
                description="Only services with this mode.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One service, by id"),
)
class ServiceViewSet(viewsets.ReadOnlyModelViewSet[Service]):
    lookup_value_regex = "[0-9]{1,18}"  # a bigint id; anything else is a 404, not a 500
    serializer_class = ServiceSerializer

    def get_queryset(self) -> QuerySet[Service]:
        services = Service.objects.select_related("agency", "required_capability")
        if self.action != "list":
            return services
        params = self.request.query_params
        if agency_code := params.get("agency"):
            if not Agency.objects.filter(code=agency_code).exists():
                raise unknown_value_error("agency", agency_code)
            services = services.filter(agency__code=agency_code)
        if mode := params.get("mode"):
            if mode not in ServiceMode.values:
                raise unknown_value_error("mode", mode, ServiceMode.values)
            services = services.filter(mode=mode)
        return services
