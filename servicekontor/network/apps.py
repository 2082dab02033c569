from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "servicekontor.network"
    label = "network"
