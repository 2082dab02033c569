from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "servicekontor.core"
    label = "core"
    verbose_name = _("Common")

    def ready(self) -> None:
        from servicekontor.core import (
            checks,  # noqa: F401  (registers the deploy checks)
            url_converters,
        )

        url_converters.register()  # `<id:…>`, before any URLconf is loaded
