from django.urls import path

from servicekontor.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.index, name="index"),
    path("scenarios/save/", views.save, name="save"),
    path("export/", views.export, name="export"),
    path("scenarios/<id:pk>/", views.scenario, name="scenario"),
    path("scenarios/<id:pk>/csv/", views.scenario_csv, name="scenario_csv"),
    path("compare/", views.compare, name="compare"),
    path("runs/<str:run_id>/", views.run, name="run"),
    path("runs/<str:run_id>/progress/", views.run_progress, name="run_progress"),
    path("runs/<str:run_id>/stop/", views.run_stop, name="run_stop"),
]
