"""Retention: a handover's personal data is blanked its agency's retention days after the
agency acknowledged it, and nothing else is touched (tested field by field against
core.personal_data, like the other purges)."""

import datetime as dt

from django.core.management import call_command

from servicekontor.core.personal_data import PERSONAL_FIELDS
from servicekontor.handovers import services
from servicekontor.handovers.models import Handover
from servicekontor.handovers.tests.conftest import VALID_PNR, serve_and_hand_over

PURGED = sorted(
    label.rsplit(".", 1)[1]
    for label, rule in PERSONAL_FIELDS.items()
    if label.startswith("handovers.Handover.")
)
FACTS = [
    "reference",
    "agency_id",
    "service_id",
    "office_id",
    "errand_id",
    "outcome",
    "visit_day",
    "created_at",
    "status",
    "acknowledged_at",
    "outcome_at",
    "contact_channel",
    "reference_by",
    "consent",
]


def _values(handover, fields):
    handover.refresh_from_db()
    return {f: getattr(handover, f) for f in fields}


def test_purge__blanks_every_personal_field_after_the_agencys_retention(world, clock_at, partners):
    tax = serve_and_hand_over(
        world,
        clock_at,
        service=world.tax,
        identity_number=VALID_PNR,
        reference_by="email",
        reference_email="a@example.se",
    )
    services.acknowledge_handover(
        agency_id=tax.agency_id, reference=tax.reference, case_number="131-1"
    )
    services.record_agency_outcome(
        agency_id=tax.agency_id, reference=tax.reference, outcome="handled"
    )
    facts_before = _values(tax, FACTS)
    assert all(_values(tax, PURGED).values())  # each personal field holds something

    clock_at.shift(dt.timedelta(days=29))
    assert services.purge_handovers() == 0  # Skatteverket keeps 30 days
    clock_at.shift(dt.timedelta(days=1, seconds=1))
    call_command("purge_handovers")

    tax.refresh_from_db()
    assert _values(tax, PURGED) == {f: ([] if f == "documents" else "") for f in PURGED}
    assert _values(tax, FACTS) == facts_before
    assert tax.purged_at is not None
    assert services.purge_handovers() == 0  # idempotent


def test_purge__leaves_unacknowledged_and_recent_and_other_agencies(world, clock_at, partners):
    waiting = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    recent = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    fk = serve_and_hand_over(world, clock_at, service=world.parental, outcome="meeting_booked")
    services.acknowledge_handover(
        agency_id=recent.agency_id, reference=recent.reference, case_number="1"
    )
    services.acknowledge_handover(agency_id=fk.agency_id, reference=fk.reference, case_number="2")

    clock_at.shift(dt.timedelta(days=11))  # past FK's 10 days, inside Skatteverket's 30
    purged = services.purge_handovers()

    assert purged == 1
    assert Handover.objects.get(pk=fk.pk).needs == ""
    assert Handover.objects.get(pk=recent.pk).needs != ""
    assert Handover.objects.get(pk=waiting.pk).needs != ""
    assert Handover.objects.get(pk=waiting.pk).purged_at is None


def test_purge__every_personal_field_of_a_handover_is_in_the_purge():
    assert set(PURGED) == set(services.PERSONAL_BLANK)
