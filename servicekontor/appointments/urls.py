from django.urls import path

from servicekontor.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.choose_service, name="services"),
    path("manage/<str:token>/", views.manage, name="manage"),
]
