from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "servicekontor.queueing"
    label = "queueing"
    verbose_name = _("Walk-in queue")

    def ready(self) -> None:
        from servicekontor.queueing import push, signals, tasks

        signals.visit_changed.connect(
            tasks.enqueue_after_visit_change, dispatch_uid="queueing-after-visit-change"
        )
        signals.visit_changed.connect(push.on_visit_changed, dispatch_uid="queueing-push")
        signals.desk_sessions_changed.connect(
            push.on_desk_sessions_changed, dispatch_uid="queueing-push-desks"
        )
