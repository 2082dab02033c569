from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangePlansConfig(AppConfig):
    name = "servicekontor.changeplans"
    label = "changeplans"
    verbose_name = _("Change plans")
