from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from servicekontor.core.favicon import favicon
from servicekontor.core.set_language import set_language
from servicekontor.desk.outreach_day import outreach_day
from servicekontor.desk.views import pushed_waiting_lists
from servicekontor.lobby.views import pushed_board

admin.site.site_header = _("Service office registry")
admin.site.site_title = _("Service office registry")

handler400 = "servicekontor.core.middleware.bad_request"
handler404 = "servicekontor.core.middleware.not_found"
# Every staff view's refusal: one page (decision 0072).
handler403 = "servicekontor.accounts.refusal.permission_denied"

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # Django's set_language, with the page to go back to read in its own language (walk F4).
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("servicekontor.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # GET only: an OPTIONS answer rendered its metadata through the page's template renderer,
    # which has no template for it (a 500)
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    # The push server's requests for the fragments it sends (decision 0062; its key only).
    path("push-fragments/board/<id:office_id>/", pushed_board, name="push-board"),
    path("push-fragments/desk/<id:office_id>/", pushed_waiting_lists, name="push-desk"),
]
urlpatterns += i18n_patterns(
    # the outreach stops' day for staff (walk F8); under staff/, not desk/<office code>/
    path("staff/outreach/", outreach_day, name="outreach-day"),
    path("staff/", include("servicekontor.accounts.urls")),
    path("queue/", include("servicekontor.queueing.urls")),
    path("desk/", include("servicekontor.desk.urls")),
    path("display/", include("servicekontor.lobby.urls")),
    path("book/", include("servicekontor.appointments.urls")),
    path("planning/", include("servicekontor.planning.urls")),
    path("statistics/", include("servicekontor.reports.urls")),
    path("handovers/", include("servicekontor.handovers.urls")),
    path("costs/", include("servicekontor.costs.urls")),
    path("staffing/", include("servicekontor.staffing.urls")),
    path("change-plans/", include("servicekontor.changeplans.urls")),
    path("", include("servicekontor.public.urls")),
    prefix_default_language=False,
)
