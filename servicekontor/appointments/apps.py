from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "servicekontor.appointments"
    label = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from servicekontor.appointments import signals, tasks
        from servicekontor.appointments.capacity_inputs import invalidate_inputs
        from servicekontor.appointments.models import AppointmentAllocation, BookingRule
        from servicekontor.network.models import (
            Offering,
            Office,
            OpeningException,
            OpeningHoursPeriod,
            OutreachRule,
            ServicePoint,
            WeeklyHours,
        )

        # weak=False: a local function would otherwise be collected and silently disconnected.
        def changed(**kwargs: object) -> None:
            invalidate_inputs()

        # Every row the cached capacity inputs are built from (capacity_inputs.cached_inputs).
        for model in (
            Office,
            OpeningHoursPeriod,
            WeeklyHours,
            OpeningException,
            OutreachRule,
            Offering,
            ServicePoint,
            AppointmentAllocation,
            BookingRule,
        ):
            post_save.connect(
                changed,
                weak=False,
                sender=model,
                dispatch_uid=f"appointments-inputs-{model.__name__}-save",
            )
            post_delete.connect(
                changed,
                weak=False,
                sender=model,
                dispatch_uid=f"appointments-inputs-{model.__name__}-delete",
            )
        from servicekontor.appointments.reference_data import load_appointment_allocations
        from servicekontor.network.reference_data import reference_data_loaded

        reference_data_loaded.connect(
            load_appointment_allocations,
            weak=False,
            dispatch_uid="appointments-reference-allocations",
        )
        m2m_changed.connect(
            changed,
            weak=False,
            sender=ServicePoint.capabilities.through,
            dispatch_uid="appointments-inputs-capabilities",
        )
        from servicekontor.appointments import queries, services
        from servicekontor.network import change_impact

        change_impact.capacity_preview.connect(
            queries.preview_registry_change, dispatch_uid="appointments-capacity-preview"
        )
        change_impact.capacity_reduced.connect(
            services.on_registry_change, dispatch_uid="appointments-capacity-reduced"
        )
        from servicekontor.messaging.signals import message_sent

        message_sent.connect(tasks.on_message_sent, dispatch_uid="appointments-message-sent")
        signals.booking_changed.connect(
            tasks.on_booking_changed, dispatch_uid="appointments-booking-changed"
        )
        signals.video_meeting_cancelled.connect(
            tasks.on_video_meeting_cancelled,
            dispatch_uid="appointments-video-meeting-cancelled",
        )
