from django.urls import path

from servicekontor.public import views

app_name = "public"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("office/<slug:code>/", views.office_detail, name="office"),
    path("office/<slug:code>/visits.ics", views.stop_calendar, name="stop_calendar"),
]
