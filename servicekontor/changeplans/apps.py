from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangePlansConfig(AppConfig):
    name = "servicekontor.changeplans"
    label = "changeplans"
    verbose_name = _("Change plans")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from servicekontor.changeplans.services import renumber_followers_of
        from servicekontor.network.models import Milestone

        def milestone_saved(sender: object, instance: Milestone, **kwargs: object) -> None:
            if not kwargs.get("raw"):  # fixtures: the rows as they are
                renumber_followers_of(instance)

        post_save.connect(
            milestone_saved, sender=Milestone, weak=False, dispatch_uid="changeplans-renumber"
        )
