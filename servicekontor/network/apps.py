from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "servicekontor.network"
    label = "network"
    verbose_name = _("Office registry")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from servicekontor.network import registry_cache
        from servicekontor.network.models import ServicePoint

        # Every row the shared registry reads are built from (registry_cache): any save or
        # delete retires them. Bulk writes call registry_cache.registry_changed themselves.
        for model in registry_cache.registry_models():
            for signal, verb in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(
                    registry_cache.registry_changed,
                    sender=model,
                    dispatch_uid=f"network-registry-{model._meta.label}-{verb}",
                )
        m2m_changed.connect(
            registry_cache.registry_changed,
            sender=ServicePoint.capabilities.through,
            dispatch_uid="network-registry-capabilities",
        )
