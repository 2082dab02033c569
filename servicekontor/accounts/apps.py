from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "servicekontor.accounts"
    label = "accounts"
