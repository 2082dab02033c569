from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "servicekontor.queueing"
    label = "queueing"
    verbose_name = _("Walk-in queue")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save

        from servicekontor.network import registry_cache
        from servicekontor.queueing import push, services, signals, tasks
        from servicekontor.queueing.models import DeviceToken, QueueSettings

        # The screens' office comes from the registry cache with its queue settings
        # (devices.screen_office): a change of the settings retires it like a registry row's.
        for signal, verb in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                registry_cache.registry_changed,
                sender=QueueSettings,
                dispatch_uid=f"queueing-settings-registry-{verb}",
            )

        # A display revoked (or pairing now required) loses its board stream at once.
        for model in (DeviceToken, QueueSettings):
            for signal, verb in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(
                    push.on_screen_access_changed,
                    sender=model,
                    dispatch_uid=f"queueing-push-access-{model.__name__}-{verb}",
                )
        signals.visit_changed.connect(
            tasks.enqueue_after_visit_change, dispatch_uid="queueing-after-visit-change"
        )
        signals.visit_changed.connect(push.on_visit_changed, dispatch_uid="queueing-push")
        signals.desk_sessions_changed.connect(
            push.on_desk_sessions_changed, dispatch_uid="queueing-push-desks"
        )
        # A service point switched off or turned into a video room (decision 0084) is no
        # desk: whoever is signed in there leaves it.
        from django.db.models.signals import m2m_changed

        from servicekontor.catalog.models import Service
        from servicekontor.network.models import ServicePoint

        for sender in (ServicePoint, Service):
            post_save.connect(
                services.on_service_point_changed,
                sender=sender,
                dispatch_uid=f"queueing-no-desk-{sender.__name__}",
            )
        m2m_changed.connect(
            services.on_capabilities_changed,
            sender=ServicePoint.capabilities.through,
            dispatch_uid="queueing-no-desk-capabilities",
        )
        # Signing out of the account leaves the desk (the live view no longer shows it staffed).
        user_logged_out.connect(services.on_user_logged_out, dispatch_uid="queueing-logout-desk")
        signals.desk_sessions_changed.connect(
            tasks.enqueue_after_staffing_change, dispatch_uid="queueing-after-staffing-change"
        )
