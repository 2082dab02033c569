"""Admin actions the integrator can attach to the Office admin (kept here, not registered here,
so the appointments app does not compete with the project's admin configuration)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicekontor.accounts.permissions import can_manage
from servicekontor.appointments import services
from servicekontor.network.models import Office


@admin.action(description=_("Cancel bookings hit by closures and offer rebooking"))
def notify_closure_bookings(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Office]
) -> None:
    """For each selected office: bookings now outside the opening hours are cancelled by the
    office and the citizens get a rebooking link (services.notify_closure_affected)."""
    total = 0
    for office in queryset:
        if not can_manage(request.user, office):  # type: ignore[arg-type]
            messages.error(request, _("You may not manage %(office)s.") % {"office": office})
            continue
        total += len(services.notify_closure_affected(office=office))
    messages.success(
        request,
        ngettext(
            "%(count)d booking cancelled; the citizen was offered a new time.",
            "%(count)d bookings cancelled; the citizens were offered new times.",
            total,
        )
        % {"count": total},
    )
