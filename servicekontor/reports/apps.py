from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "servicekontor.reports"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # Connects the rollup receivers to the queue's signals.
        from servicekontor.reports import rollups  # noqa: F401
