from django.apps import AppConfig


class LobbyConfig(AppConfig):
    name = "servicekontor.lobby"
    label = "lobby"
