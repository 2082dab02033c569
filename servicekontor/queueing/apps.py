from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "servicekontor.queueing"
    label = "queueing"
