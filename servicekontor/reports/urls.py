from django.urls import path, re_path

from servicekontor.reports import views

app_name = "reports"
MONTH = r"(?P<month>[0-9]{4}-[0-9]{2})"
urlpatterns = [
    path("", views.home, name="home"),
    path("network/", views.network, name="network"),
    path("office/<slug:office_code>/", views.office, name="office"),
    path("office/<slug:office_code>.csv", views.office_csv, name="office_csv"),
    path("office/<slug:office_code>.xlsx", views.office_xlsx, name="office_xlsx"),
    path("agency/<slug:agency_code>/", views.agency, name="agency"),
    re_path(r"^agency/(?P<agency_code>[-\w]+)\.csv$", views.agency_csv, name="agency_csv"),
    re_path(r"^agency/(?P<agency_code>[-\w]+)\.xlsx$", views.agency_xlsx, name="agency_xlsx"),
    re_path(rf"^agency/(?P<agency_code>[-\w]+)/{MONTH}/$", views.agency_report, name="report"),
    re_path(
        r"^agency/(?P<agency_code>[-\w]+)/(?P<year>[0-9]{4})/$", views.agency_year, name="year"
    ),
    re_path(
        r"^agency/(?P<agency_code>[-\w]+)/(?P<year>[0-9]{4})\.csv$",
        views.agency_year_csv,
        name="year_csv",
    ),
    re_path(
        r"^agency/(?P<agency_code>[-\w]+)/(?P<year>[0-9]{4})\.xlsx$",
        views.agency_year_xlsx,
        name="year_xlsx",
    ),
    re_path(rf"^agency/(?P<agency_code>[-\w]+)/{MONTH}\.csv$", views.agency_report_csv, name="csv"),
    re_path(
        rf"^agency/(?P<agency_code>[-\w]+)/{MONTH}\.xlsx$", views.agency_report_xlsx, name="xlsx"
    ),
]
