"""The handover loop for `make run` only (settings.DEMO): Skatteverket delivers to the built-in
demo receiver (a page of this server that plays its inbox), Försäkringskassan has no
endpoint and polls the API with a demo API client.

Demo assumption (not a fact about the agencies): Skatteverket's population registration and
tax-return services need the identity number in a handover; Försäkringskassan's do not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from servicekontor.accounts import api_clients
from servicekontor.accounts.models import ApiClient
from servicekontor.catalog.models import Agency, Service
from servicekontor.handovers import services
from servicekontor.handovers.models import Partner

RECEIVER_AGENCY = "skatteverket"
POLLING_AGENCY = "forsakringskassan"
IDENTITY_SERVICES = ("folkbokforing", "deklaration")
DEMO_CLIENT = "Demo case system"


@dataclass(frozen=True)
class DemoPartners:
    receiver_agency: Agency
    polling_agency: Agency
    polling_token: str  # the demo API client's token (a new one each run)


@transaction.atomic
def seed_demo_partners(*, base_url: str) -> DemoPartners:
    receiver = Agency.objects.get(code=RECEIVER_AGENCY)
    polling = Agency.objects.get(code=POLLING_AGENCY)
    hook = base_url + reverse("handovers:demo_hook", kwargs={"agency_code": receiver.code})
    partner, _created = Partner.objects.update_or_create(
        agency=receiver, defaults={"webhook_url": hook, "retention_days": 30}
    )
    partner.identity_services.set(
        Service.objects.filter(agency=receiver, code__in=IDENTITY_SERVICES)
    )
    if not partner.secrets.filter(retired_at__isnull=True).exists():
        services.add_signing_secret(partner=partner)
    Partner.objects.update_or_create(
        agency=polling, defaults={"webhook_url": "", "retention_days": 14}
    )
    client = ApiClient.objects.filter(
        agency=polling, name=DEMO_CLIENT, revoked_at__isnull=True
    ).first()
    if client is None:
        _client, token = api_clients.create_api_client(agency=polling, name=DEMO_CLIENT)
    else:
        token = api_clients.rotate_credentials(client=client)
    return DemoPartners(receiver_agency=receiver, polling_agency=polling, polling_token=token)
