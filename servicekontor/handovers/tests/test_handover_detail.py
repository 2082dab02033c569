"""Walk F18 (session 18): the handovers list had no page per handover showing its signature
and receipt. `handovers:detail`: who signed with which algorithm and keys, when it was
delivered, and the agency's receipt (status, time, case number); the list's permissions."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime

from servicekontor.handovers import services as handover_services
from servicekontor.handovers.models import Delivery, SigningSecret
from servicekontor.handovers.tests.conftest import VALID_PNR, serve_and_hand_over
from servicekontor.handovers.views import SIGNATURE_ALGORITHM
from tests.factories import make_user
from tests.html_checker import validate


def test_detail__signature_and_receipt_of_a_delivered_handover(
    client, world, clock_at, partners, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(
            world, clock_at, service=world.tax, identity_number=VALID_PNR
        )
    row = Delivery.objects.get(handover=handover)
    assert row.delivered_at is not None
    handover_services.acknowledge_handover(
        agency_id=world.skatteverket.pk, reference=handover.reference, case_number="SKV-77"
    )
    handover.refresh_from_db()
    key = SigningSecret.objects.get(partner=partners.tax)
    client.force_login(make_user(role="network_admin"))
    with translation.override("en"):
        listing = client.get(reverse("handovers:list")).content.decode()
        url = reverse("handovers:detail", args=[handover.reference])
        page = client.get(url)
    assert f'href="{url}"' in listing  # the list links to it
    assert page.status_code == 200
    body = page.content.decode()
    assert SIGNATURE_ALGORITHM in body
    assert f"key {key.pk} (from {key.created_at:%Y-%m-%d})" in body
    assert row.message_id in body
    assert localtime(row.delivered_at).strftime("%Y-%m-%d %H:%M:%S") in body  # signed and sent
    assert "Receipt confirmed by the agency" in body and "SKV-77" in body
    assert "HTTP 2" in body  # the endpoint's answer
    # no personal data, as on the list
    assert VALID_PNR not in body and "070-123" not in body and "decision" not in body
    assert validate({"handover detail": body}) == []  # the Nu HTML Checker


@pytest.fixture
def both(world, clock_at, partners):
    tax = serve_and_hand_over(world, clock_at, service=world.tax, identity_number=VALID_PNR)
    fk = serve_and_hand_over(world, clock_at, service=world.parental, outcome="meeting_booked")
    return tax, fk


def test_detail__the_lists_permissions(client, world, both):
    tax, fk = both
    client.force_login(make_user(role="agency_analyst", analyst_agency=world.fk))
    assert client.get(reverse("handovers:detail", args=[fk.reference])).status_code == 200
    assert client.get(reverse("handovers:detail", args=[tax.reference])).status_code == 403
    assert client.get(reverse("handovers:detail", args=["NOPE-1"])).status_code == 404
    client.force_login(world.alice)  # an officer: no handover pages
    assert client.get(reverse("handovers:detail", args=[fk.reference])).status_code == 403


def test_detail__an_agency_that_polls_is_not_signed(client, world, both):
    _tax, fk = both  # Försäkringskassan has no endpoint: it fetches from the API
    client.force_login(make_user(role="network_admin"))
    with translation.override("en"):
        body = client.get(reverse("handovers:detail", args=[fk.reference])).content.decode()
    assert "Not signed: the agency fetches its handovers from the API" in body


def test_detail__a_reference_typed_in_any_case_leads_to_the_handover(client, world, both):
    """Walk F5: references are read aloud and typed; lower case (or stray spaces) gave 404."""
    _tax, fk = both
    client.force_login(make_user(role="agency_analyst", analyst_agency=world.fk))
    canonical = reverse("handovers:detail", args=[fk.reference])
    for typed in (fk.reference.lower(), f" {fk.reference.lower()} ", fk.reference.title()):
        response = client.get(reverse("handovers:detail", args=[typed]))
        assert response.status_code == 301, typed
        assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200
    # an unknown reference stays unknown, in any case
    unknown = client.get(reverse("handovers:detail", args=["h-zzzz-zzzz"]), follow=True)
    assert unknown.status_code == 404
