from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = _("Service office registry")
admin.site.site_title = _("Service office registry")

handler400 = "servicekontor.core.middleware.bad_request"
handler404 = "servicekontor.core.middleware.not_found"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("servicekontor.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
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
    path("", include("servicekontor.public.urls")),
    prefix_default_language=False,
)
