from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "servicekontor.staffing"
    verbose_name = _("Staffing")

    def ready(self) -> None:
        from servicekontor.queueing.signals import expected_service_start
        from servicekontor.staffing.receivers import expected_start_from_roster

        expected_service_start.connect(
            expected_start_from_roster, dispatch_uid="staffing.expected_start_from_roster"
        )
