from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "servicekontor.planning"
    label = "planning"
