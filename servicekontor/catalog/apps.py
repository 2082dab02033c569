from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "servicekontor.catalog"
    label = "catalog"
