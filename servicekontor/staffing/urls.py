from django.urls import path

from servicekontor.staffing import views

app_name = "staffing"
urlpatterns = [
    path("network/", views.network, name="network"),
    path("network.csv", views.network_csv, name="network_csv"),
    path("office/<slug:office_code>/", views.office, name="office"),
    path("office/<slug:office_code>/roster/", views.office_roster, name="office_roster"),
    path("office/<slug:office_code>.csv", views.office_csv, name="office_csv"),
    path("office/<slug:office_code>.xlsx", views.office_xlsx, name="office_xlsx"),
]
