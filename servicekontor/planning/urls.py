from django.urls import path

from servicekontor.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.index, name="index"),
    path("scenarios/save/", views.save, name="save"),
    path("export/", views.export, name="export"),
    path("scenarios/<int:pk>/", views.scenario, name="scenario"),
    path("scenarios/<int:pk>/csv/", views.scenario_csv, name="scenario_csv"),
    path("compare/", views.compare, name="compare"),
]
