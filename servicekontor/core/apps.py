from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "servicekontor.core"
    label = "core"
