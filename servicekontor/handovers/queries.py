"""Reads of handovers, scoped: an agency's system (API client) and its analysts see only that
agency's handovers; network administrators see every agency's delivery state."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from servicekontor.handovers.models import Handover, HandoverStatus, Partner


def handovers_of_agency(agency_id: int) -> QuerySet[Handover]:
    return handovers_of_agencies([agency_id])


def handovers_of_agencies(agency_ids: list[int]) -> QuerySet[Handover]:
    return (
        Handover.objects.filter(agency_id__in=agency_ids)
        .select_related("agency", "service", "office")
        .order_by("created_at", "pk")
    )


def partner_delivery_state() -> QuerySet[Partner]:
    """Every partner with its undelivered webhooks (count, oldest), failing ones first."""
    return (
        Partner.objects.select_related("agency")
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__delivered_at__isnull=True)),
            oldest_pending=Min(
                "deliveries__created_at", filter=Q(deliveries__delivered_at__isnull=True)
            ),
        )
        .order_by("failing_since", "agency__name_sv")
    )


def with_delivery_state(handovers: QuerySet[Handover]) -> QuerySet[Handover]:
    """`handovers` with what their webhook deliveries came to, for `handover_state_words`:
    `webhooks` (how many were written: 0 for an agency that polls) and `delivered_at` (when
    the agency's endpoint answered 2xx, or None)."""
    return handovers.annotate(
        webhooks=Count("deliveries"), delivered_at=Max("deliveries__delivered_at")
    )


def handover_state_words(handover: Handover) -> str:
    """Where a handover stands, in words an officer understands (`with_delivery_state`'s
    annotations): whether it reached the agency's system and whether they confirmed it."""
    if handover.status != HandoverStatus.SENT:
        return str(handover.get_status_display())  # confirmed, handled, needs the citizen
    delivered_at = getattr(handover, "delivered_at", None)
    if delivered_at is not None:
        return _("Delivered to the agency's system; the agency has not yet confirmed receipt")
    if getattr(handover, "webhooks", 0):
        return _("Not delivered yet: the agency's system has not accepted it (we keep trying)")
    return _("Waiting for the agency to fetch it; receipt not yet confirmed")
