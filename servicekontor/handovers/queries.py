"""Reads of handovers, scoped: an agency's system (API client) and its analysts see only that
agency's handovers; network administrators see every agency's delivery state."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet

from servicekontor.handovers.models import Handover, Partner


def handovers_of_agency(agency_id: int) -> QuerySet[Handover]:
    return (
        Handover.objects.filter(agency_id=agency_id)
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
