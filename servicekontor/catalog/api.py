from rest_framework import serializers, viewsets

from servicekontor.catalog.models import Agency, Service


class AgencySerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["code", "name_sv", "name_en", "ticket_letter", "partner_since", "website"]


class ServiceSerializer(serializers.ModelSerializer[Service]):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    required_capability = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "agency",
            "code",
            "name_sv",
            "name_en",
            "mode",
            "handling_minutes",
            "requires_identification",
            "required_capability",
        ]


class AgencyViewSet(viewsets.ReadOnlyModelViewSet[Agency]):
    queryset = Agency.objects.all()
    serializer_class = AgencySerializer
    lookup_field = "code"


class ServiceViewSet(viewsets.ReadOnlyModelViewSet[Service]):
    queryset = Service.objects.select_related("agency", "required_capability")
    serializer_class = ServiceSerializer
