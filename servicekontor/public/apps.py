from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "servicekontor.public"
    label = "public"
