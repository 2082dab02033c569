"""The handovers page says where each handover stands in words an officer understands: whether
it reached the agency's system (the endpoint answered 2xx, here 204), and whether the agency
confirmed receipt; not "waiting for the agency" for all of these."""

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.handovers import services as handover_services
from servicekontor.handovers.models import Delivery
from servicekontor.handovers.queries import (
    handover_state_words,
    handovers_of_agency,
    with_delivery_state,
)
from servicekontor.handovers.tests.conftest import serve_and_hand_over
from tests.factories import make_user

WORDS = {
    "delivered": (
        "Delivered to the agency's system; the agency has not yet confirmed receipt",
        "Levererad till myndighetens system; myndigheten har ännu inte bekräftat mottagandet",
    ),
    "not_delivered": (
        "Not delivered yet: the agency's system has not accepted it (we keep trying)",
        "Inte levererad ännu: myndighetens system har inte tagit emot den (vi försöker igen)",
    ),
    "polled": (
        "Waiting for the agency to fetch it; receipt not yet confirmed",
        "Väntar på att myndigheten hämtar den; mottagandet är ännu inte bekräftat",
    ),
    "confirmed": ("Receipt confirmed by the agency", "Myndigheten har bekräftat mottagandet"),
}


def _state(handover) -> str:
    (found,) = with_delivery_state(handovers_of_agency(handover.agency_id)).filter(pk=handover.pk)
    return handover_state_words(found)


@pytest.mark.parametrize(("language", "index"), [("en", 0), ("sv", 1)])
def test_status__204_from_the_endpoint__delivered_not_yet_confirmed(
    world, clock_at, partners, receiver, django_capture_on_commit_callbacks, language, index
):
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    row = Delivery.objects.get(handover=handover)
    assert row.delivered_at is not None and row.last_status == 204
    with translation.override(language):
        assert _state(handover) == WORDS["delivered"][index]
        handover_services.acknowledge_handover(
            agency_id=handover.agency_id, reference=handover.reference, case_number="K-1"
        )
        handover.refresh_from_db()
        assert _state(handover) == WORDS["confirmed"][index]


def test_status__endpoint_failing__not_delivered_yet(
    world, clock_at, partners, receiver, django_capture_on_commit_callbacks
):
    receiver.fail_next = 3
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    with translation.override("en"):
        assert _state(handover) == WORDS["not_delivered"][0]


def test_status__agency_that_polls__waiting_for_it_to_fetch(world, clock_at, partners):
    handover = serve_and_hand_over(world, clock_at, service=world.parental, outcome="referred")
    with translation.override("sv"):
        assert _state(handover) == WORDS["polled"][1]


@pytest.mark.parametrize(("prefix", "index"), [("/en", 0), ("", 1)])
def test_handovers_page__says_delivered_in_the_officers_language(
    client, world, clock_at, partners, receiver, django_capture_on_commit_callbacks, prefix, index
):
    with django_capture_on_commit_callbacks(execute=True):
        serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    client.force_login(make_user(role="agency_analyst", analyst_agency=world.skatteverket))
    html = client.get(prefix + reverse("handovers:list").removeprefix("/en")).content.decode()
    assert WORDS["delivered"][index].replace("'", "&#x27;") in html
    assert "Waiting for the agency<" not in html and "Väntar på myndigheten<" not in html
