"""The read-only JSON API: one router for every app's viewsets."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from servicekontor.appointments.agency_api import (
    AvailabilityView,
    MeetingCancelView,
    MeetingListView,
)
from servicekontor.catalog.api import AgencyViewSet, ServiceViewSet
from servicekontor.changeplans.api import ChangePlanViewSet
from servicekontor.costs.api import (
    CostLineViewSet,
    CostPerServiceViewSet,
    CostSummaryViewSet,
    CostWhatIfView,
)
from servicekontor.handovers.api import (
    AcknowledgeView,
    HandoverDetailView,
    HandoverListView,
    OutcomeView,
    PartnerOfferingsView,
)
from servicekontor.network.api import OfferingViewSet, OfficeViewSet
from servicekontor.reports.api import AgencyReportView, AgencyYearView, FiguresView

router = DefaultRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("services", ServiceViewSet, basename="service")
router.register("offices", OfficeViewSet, basename="office")
router.register("offerings", OfferingViewSet, basename="offering")
router.register("costs/summary", CostSummaryViewSet, basename="cost-summary")
router.register("costs/lines", CostLineViewSet, basename="cost-line")
router.register("costs/services", CostPerServiceViewSet, basename="cost-service")
router.register("change-plans", ChangePlanViewSet, basename="change-plan")

urlpatterns = [
    path("costs/what-if/", CostWhatIfView.as_view(), name="cost-what-if"),
    path("statistics/figures/", FiguresView.as_view(), name="statistics-figures"),
    re_path(
        r"^statistics/agency-report/(?P<agency_code>[-\w]+)/(?P<month>[0-9]{4}-[0-9]{2})/$",
        AgencyReportView.as_view(),
        name="statistics-agency-report",
    ),
    re_path(
        r"^statistics/agency-report/(?P<agency_code>[-\w]+)/(?P<year>[0-9]{4})/$",
        AgencyYearView.as_view(),
        name="statistics-agency-year",
    ),
    path("partner/handovers/", HandoverListView.as_view(), name="partner-handovers"),
    re_path(
        r"^partner/handovers/(?P<reference>[-\w]{1,20})/$",
        HandoverDetailView.as_view(),
        name="partner-handover",
    ),
    re_path(
        r"^partner/handovers/(?P<reference>[-\w]{1,20})/acknowledge/$",
        AcknowledgeView.as_view(),
        name="partner-handover-acknowledge",
    ),
    re_path(
        r"^partner/handovers/(?P<reference>[-\w]{1,20})/outcome/$",
        OutcomeView.as_view(),
        name="partner-handover-outcome",
    ),
    path("partner/offerings/", PartnerOfferingsView.as_view(), name="partner-offerings"),
    re_path(
        r"^partner/caseworkers/(?P<external_id>[^/]{1,120})/availability/$",
        AvailabilityView.as_view(),
        name="partner-caseworker-availability",
    ),
    path("partner/video-meetings/", MeetingListView.as_view(), name="partner-video-meetings"),
    path(
        "partner/video-meetings/<id:meeting_id>/cancel/",
        MeetingCancelView.as_view(),
        name="partner-video-meeting-cancel",
    ),
    *router.urls,
]
