from django.urls import path

from servicekontor.costs import views

app_name = "costs"
urlpatterns = [
    path("", views.index, name="index"),
    path("settle/", views.settle, name="settle"),
    path("correct/", views.correct, name="correct"),
    path("staff-cost/", views.staff_cost, name="staff_cost"),
    path("report/", views.report, name="report"),
    path("report/lines/", views.report_lines, name="report_lines"),
    path("compare/", views.compare, name="compare"),
    path("what-if/", views.what_if, name="what_if"),
]
