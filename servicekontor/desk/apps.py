from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "servicekontor.desk"
    label = "desk"
