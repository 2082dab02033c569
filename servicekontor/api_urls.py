"""The read-only JSON API: one router for every app's viewsets."""

from rest_framework.routers import DefaultRouter

from servicekontor.catalog.api import AgencyViewSet, ServiceViewSet
from servicekontor.network.api import OfferingViewSet, OfficeViewSet

router = DefaultRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("services", ServiceViewSet, basename="service")
router.register("offices", OfficeViewSet, basename="office")
router.register("offerings", OfferingViewSet, basename="offering")

urlpatterns = router.urls
