from django.urls import path

from servicekontor.changeplans import views

app_name = "changeplans"
urlpatterns = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("<int:pk>/", views.plan, name="plan"),
    path("<int:pk>/print/", views.printable, name="print"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/changes/", views.add_change, name="add_change"),
    path("<int:pk>/changes/<int:change_pk>/date/", views.change_date, name="change_date"),
    path("<int:pk>/changes/<int:change_pk>/remove/", views.remove_change, name="remove_change"),
    path("<int:pk>/versions/", views.new_version, name="new_version"),
    path("<int:pk>/from-scenario/", views.from_scenario, name="from_scenario"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
]
