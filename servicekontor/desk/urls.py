from django.urls import path

from servicekontor.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.choose_desk, name="choose"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("<slug:office_code>/", views.desk, name="desk"),
    path("<slug:office_code>/panel/", views.desk_panel, name="panel"),
    path("<slug:office_code>/current/", views.desk_current, name="current"),
    path("<slug:office_code>/act/", views.desk_action, name="act"),
    path("<slug:office_code>/receipt/<id:visit_id>/", views.receipt, name="receipt"),
    path("<slug:office_code>/live/", views.live, name="live"),
    path("<slug:office_code>/live/panel/", views.live_panel, name="live_panel"),
]
