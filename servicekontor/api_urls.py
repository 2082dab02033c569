"""The read-only JSON API: one router for every app's viewsets."""

from rest_framework.routers import DefaultRouter

from servicekontor.catalog.api import AgencyViewSet, ServiceViewSet
from servicekontor.costs.api import CostLineViewSet, CostSummaryViewSet
from servicekontor.network.api import OfferingViewSet, OfficeViewSet

router = DefaultRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("services", ServiceViewSet, basename="service")
router.register("offices", OfficeViewSet, basename="office")
router.register("offerings", OfferingViewSet, basename="offering")
router.register("costs/summary", CostSummaryViewSet, basename="cost-summary")
router.register("costs/lines", CostLineViewSet, basename="cost-line")

urlpatterns = router.urls
