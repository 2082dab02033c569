"""The kiosk's agency and walk-in services from the shared registry cache
(`registry_cache.agency_by_code`, `queries.cached_walk_in_services`): no statement for them
while the registry is unchanged, and every change of a row they come from reaches the next
ticket at once (an ended offering, a service made appointment-only, a renamed agency)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicekontor.core import clock
from servicekontor.queueing import services
from servicekontor.queueing.errors import NotOffered
from servicekontor.queueing.models import Visit


def _agency_page(world, agency=None) -> str:
    agency = agency or world.skatteverket
    return reverse(
        "queueing:agency", kwargs={"office_code": world.office.code, "agency_code": agency.code}
    )


def test_kiosk_cache__second_ticket__no_registry_read(world):
    client = Client()
    assert client.post(_agency_page(world), {"service": world.tax.pk}).status_code == 303
    with CaptureQueriesContext(connection) as queries:
        assert client.post(_agency_page(world), {"service": world.tax.pk}).status_code == 303
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "catalog_agency" not in read and "network_offering" not in read


def test_kiosk_cache__offering_ended_after_caching__ticket_refused_at_once(world):
    client = Client()
    assert client.post(_agency_page(world), {"service": world.tax.pk}).status_code == 303
    offering = world.office.offerings.get(service=world.tax)
    offering.valid_to = clock.local_today() - dt.timedelta(days=1)
    offering.save()

    refused = client.post(_agency_page(world), {"service": world.tax.pk})
    assert refused.status_code == 400  # no longer one of the choices
    assert world.tax.name not in client.get(_agency_page(world)).content.decode()
    with pytest.raises(NotOffered):
        services.issue_ticket(office=world.office, service=world.tax)
    assert Visit.objects.filter(service=world.tax).count() == 1


def test_kiosk_cache__service_made_appointment_only__no_longer_offered(world):
    client = Client()
    assert world.id_card.name in client.get(_agency_page(world)).content.decode()
    world.id_card.mode = "appointment_only"
    world.id_card.save()

    assert world.id_card.name not in client.get(_agency_page(world)).content.decode()
    assert client.post(_agency_page(world), {"service": world.id_card.pk}).status_code == 400


def test_kiosk_cache__agency_renamed_or_recoded__the_page_follows(world):
    client = Client()
    assert client.get(_agency_page(world)).status_code == 200
    old = _agency_page(world)
    world.skatteverket.name_sv = "Skatteverket (nytt namn)"
    world.skatteverket.name_en = "Swedish Tax Agency (new name)"
    world.skatteverket.code = "skv"
    world.skatteverket.save()

    assert client.get(old).status_code == 404
    page = client.get(_agency_page(world, world.skatteverket))
    assert page.status_code == 200
    assert "nytt namn" in page.content.decode() or "new name" in page.content.decode()


def test_kiosk_cache__offered_again__ticket_taken(world):
    offering = world.office.offerings.get(service=world.tax)
    offering.valid_from = clock.local_today() + dt.timedelta(days=1)
    offering.save()
    client = Client()
    assert client.post(_agency_page(world), {"service": world.tax.pk}).status_code == 400
    offering.valid_from = clock.local_today()
    offering.save()
    assert client.post(_agency_page(world), {"service": world.tax.pk}).status_code == 303
