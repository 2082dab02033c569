from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "servicekontor.appointments"
    label = "appointments"
