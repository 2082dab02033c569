from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "servicekontor.messaging"
    label = "messaging"
    verbose_name = _("Messages to citizens")

    def ready(self) -> None:
        from servicekontor.messaging import checks  # noqa: F401  (registers the deploy checks)
