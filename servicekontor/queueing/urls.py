from django.urls import path

from servicekontor.queueing import views

app_name = "queueing"
urlpatterns = [
    path("<slug:office_code>/", views.kiosk_start, name="kiosk"),
    path("<slug:office_code>/pair/", views.pair, name="pair"),
    path("<slug:office_code>/ticket/<str:key>/", views.kiosk_ticket, name="ticket"),
    path("<slug:office_code>/<slug:agency_code>/", views.kiosk_agency, name="agency"),
]
