from django.urls import path

from servicekontor.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.choose_service, name="services"),
    # <str:…>, not <id:…>/<slug:…>: a malformed part gets its own 400 page from the view
    # (appointments.views._Refused), not the resolver's bare 404.
    path("service/<str:service_id>/", views.choose_office, name="offices"),
    path("service/<str:service_id>/<str:office_code>/", views.choose_time, name="times"),
    path("service/<str:service_id>/<str:office_code>/<str:ts>/", views.contact, name="contact"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/cancel/", views.cancel, name="cancel"),
    path("manage/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("manage/<str:token>/booking.ics", views.calendar, name="calendar"),
    path("check-in/<slug:office_code>/", views.kiosk_check_in, name="kiosk_check_in"),
    path("desk/<slug:office_code>/today/", views.desk_today, name="desk_today"),
    path("desk/<slug:office_code>/book/", views.desk_book, name="desk_book"),
    path("desk/<slug:office_code>/booked/<id:booking_id>/", views.desk_booked, name="desk_booked"),
    path("desk/<slug:office_code>/cancel/", views.desk_cancel, name="desk_cancel"),
    path(
        "desk/<slug:office_code>/check-in/<id:booking_id>/",
        views.desk_check_in,
        name="desk_check_in",
    ),
]
