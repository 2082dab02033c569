from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoversConfig(AppConfig):
    name = "servicekontor.handovers"
    label = "handovers"
    verbose_name = _("Handovers to agencies")

    def ready(self) -> None:
        from servicekontor.handovers import checks, signals, tasks

        del checks  # registered on import

        signals.handover_created.connect(
            tasks.on_handover_created, dispatch_uid="handovers-created"
        )
