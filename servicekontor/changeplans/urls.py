from django.urls import path

from servicekontor.changeplans import views

app_name = "changeplans"
urlpatterns = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("from-planning/", views.from_planning, name="from_planning"),
    path("<id:pk>/", views.plan, name="plan"),
    path("<id:pk>/print/", views.printable, name="print"),
    path("<id:pk>/export/", views.export, name="export"),
    path("<id:pk>/changes/", views.add_change, name="add_change"),
    path("<id:pk>/changes/<id:change_pk>/date/", views.change_date, name="change_date"),
    path("<id:pk>/changes/<id:change_pk>/remove/", views.remove_change, name="remove_change"),
    path("<id:pk>/versions/", views.new_version, name="new_version"),
    path("<id:pk>/from-scenario/", views.from_scenario, name="from_scenario"),
    path("<id:pk>/adopt/", views.adopt, name="adopt"),
]
