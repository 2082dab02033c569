"""The handover tests' world: the queue's world (office, Skatteverket `tax`/`id_card`,
Försäkringskassan `parental`, officers alice and bob) with partner settings:

- Skatteverket has a webhook endpoint (the `receiver` fixture, a real local HTTP server)
  and its `tax` service needs the identity number (`partners.tax_docs` does not);
- Försäkringskassan has no endpoint: it polls the API.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from servicekontor.catalog.models import Service
from servicekontor.handovers import services as handover_services
from servicekontor.handovers.models import Partner
from servicekontor.handovers.services import HandoverInput
from servicekontor.handovers.tests.receiver import Receiver, running
from servicekontor.queueing import services
from servicekontor.queueing.tests import conftest as queue_fixtures
from tests.factories import make_offering, make_service

clock_at = queue_fixtures.clock_at
fast_passwords = queue_fixtures.fast_passwords
world = queue_fixtures.world

VALID_PNR = "19900101-0017"


@dataclass
class Partners:
    tax: Partner
    fk: Partner
    secret: str  # Skatteverket's first signing secret
    tax_docs: Service  # a Skatteverket service that does not need the identity number


@pytest.fixture
def partners(world) -> Partners:
    tax_partner = Partner.objects.create(agency=world.skatteverket, retention_days=30)
    tax_partner.identity_services.add(world.tax)
    fk_partner = Partner.objects.create(agency=world.fk, retention_days=10)
    secret = handover_services.add_signing_secret(partner=tax_partner)
    tax_docs = make_service(agency=world.skatteverket, code="tax-docs")
    make_offering(office=world.office, service=tax_docs)
    return Partners(tax=tax_partner, fk=fk_partner, secret=secret, tax_docs=tax_docs)


@pytest.fixture
def receiver(partners) -> Iterator[Receiver]:
    with running(Receiver(secret=partners.secret)) as r:
        Partner.objects.filter(pk=partners.tax.pk).update(webhook_url=r.url)
        yield r


def handover_input(service, **overrides) -> HandoverInput:
    values = {
        "service": service,
        "needs": "Needs a decision on the application sent in today.",
        "consent": True,
        "contact_channel": "phone",
        "contact": "070-123 45 67",
        "documents": (handover_services.Document(kind="Employment certificate", count=2),),
    }
    values.update(overrides)
    return HandoverInput(**values)


def serve_and_hand_over(
    world, clock_at, *, service, officer=None, outcome="documents_forwarded", **data
):
    """A visit for `service` served by alice and finished with `outcome` and a handover."""
    officer = officer or world.alice
    visit = services.issue_ticket(office=world.office, service=service)
    clock_at.shift(dt.timedelta(minutes=1))
    services.call_visit(officer=officer, visit_id=visit.pk)
    services.start_service(officer=officer, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=6))
    _visit, made = handover_services.finish_with_handovers(
        officer=officer,
        visit_id=visit.pk,
        outcome=outcome,
        handovers=[handover_input(service, **data)],
    )
    return made[0] if made else None
