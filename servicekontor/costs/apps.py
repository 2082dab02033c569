from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostsConfig(AppConfig):
    name = "servicekontor.costs"
    verbose_name = _("Costs and settlement")

    def ready(self) -> None:
        from servicekontor.costs.demo import on_demo_loaded
        from servicekontor.public.signals import demo_loaded

        demo_loaded.connect(on_demo_loaded, dispatch_uid="costs-demo")
