"""Several senders deliver the same outbox at once on PostgreSQL: each handover is POSTed
once (the compare-and-swap claim), none is lost, and the receiver holds each once."""

import datetime as dt
import time

import pytest

from servicekontor.core import clock
from servicekontor.handovers import delivery
from servicekontor.handovers import services as handover_services
from servicekontor.handovers.models import Delivery, Handover, Partner
from servicekontor.handovers.tests.receiver import Receiver, running
from tests.factories import make_agency, make_office, make_service, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HANDOVERS = 40
SENDERS = 4


class SlowReceiver(Receiver):
    def handle(self, body, headers):
        time.sleep(0.01)  # long enough for the senders to overlap
        return super().handle(body, headers)


def _outbox(partner: Partner) -> list[str]:
    service = make_service(agency=partner.agency)
    office = make_office()
    now = clock.now()
    ids = []
    for i in range(HANDOVERS):
        handover = Handover.objects.create(
            reference=f"H-RACE-{i:04d}",
            agency=partner.agency,
            service=service,
            office=office,
            outcome="referred",
            visit_day=now.date(),
            created_at=now,
            needs="x",
            contact_channel="letter",
            consent=True,
        )
        row = Delivery.objects.create(
            handover=handover,
            partner=partner,
            message_id=f"msg_race_{i:04d}",
            created_at=now,
            next_attempt_at=now - dt.timedelta(seconds=1),
        )
        ids.append(row.message_id)
    return ids


def test_delivery_race__concurrent_senders_post_each_handover_once():
    partner = Partner.objects.create(agency=make_agency())
    secret = handover_services.add_signing_secret(partner=partner)
    ids = _outbox(partner)
    with running(SlowReceiver(secret=secret)) as receiver:
        Partner.objects.filter(pk=partner.pk).update(webhook_url=receiver.url)

        results = race(SENDERS, lambda i: delivery.deliver_due())

    runs = [r for r in results if isinstance(r, delivery.RunResult)]
    assert len(runs) == SENDERS, results  # no sender raised
    assert sum(r.delivered for r in runs) == HANDOVERS
    assert sorted(receiver.posts) == sorted(ids)  # each POSTed once, not only once in effect
    assert receiver.rejected == []
    assert set(receiver.inbox) == set(ids)
    assert Delivery.objects.filter(delivered_at__isnull=True).count() == 0
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
