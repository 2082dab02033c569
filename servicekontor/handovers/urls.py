from django.urls import path

from servicekontor.handovers import views

app_name = "handovers"
urlpatterns = [
    path("", views.handover_list, name="list"),
    path("<str:reference>/", views.handover_detail, name="detail"),
    path("demo-receiver/<slug:agency_code>/", views.demo_receiver, name="demo_receiver"),
    path("demo-receiver/<slug:agency_code>/hook/", views.demo_receiver_hook, name="demo_hook"),
]
