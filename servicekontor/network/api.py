from rest_framework import serializers, viewsets

from servicekontor.network.models import Offering, Office


class OfficeSerializer(serializers.ModelSerializer[Office]):
    class Meta:
        model = Office
        fields = ["code", "name"]


class OfficeViewSet(viewsets.ReadOnlyModelViewSet[Office]):
    queryset = Office.objects.all()
    serializer_class = OfficeSerializer
    lookup_field = "code"


class OfferingSerializer(serializers.ModelSerializer[Offering]):
    class Meta:
        model = Offering
        fields = ["id", "valid_from", "valid_to"]


class OfferingViewSet(viewsets.ReadOnlyModelViewSet[Offering]):
    queryset = Offering.objects.all()
    serializer_class = OfferingSerializer
