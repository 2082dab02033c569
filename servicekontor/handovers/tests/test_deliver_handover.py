"""Delivery of handovers: signed (verified by the library's own verifier), at least once with
retries, exactly once in effect, nothing for a finish that rolls back, rotation without a gap."""

import datetime as dt
import logging
import time

import pytest
import requests
from django.db import transaction

from servicekontor.core import clock
from servicekontor.handovers import delivery
from servicekontor.handovers import services as handover_services
from servicekontor.handovers.errors import HandoverError
from servicekontor.handovers.models import Delivery, Handover, Partner
from servicekontor.handovers.tests.conftest import VALID_PNR, handover_input, serve_and_hand_over
from servicekontor.handovers.tests.receiver import Receiver, running
from servicekontor.queueing import services
from servicekontor.queueing.models import Visit


def _sweep_after(clock_at, minutes):
    clock_at.shift(dt.timedelta(minutes=minutes))
    return delivery.deliver_due()


def test_deliver__signed_and_verified_by_the_library(
    world, clock_at, partners, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(
            world, clock_at, service=world.tax, identity_number=VALID_PNR
        )

    assert receiver.rejected == []
    ((message_id, payload),) = receiver.inbox.items()
    assert payload["type"] == "handover.created"
    data = payload["data"]
    assert data["reference"] == handover.reference
    assert data["identity_number"] == "199001010017"
    assert data["documents"] == [{"kind": "Employment certificate", "count": 2}]
    assert data["contact"] == {"channel": "phone", "detail": "+46701234567"}  # as dialled
    row = Delivery.objects.get(message_id=message_id)
    assert row.delivered_at is not None and row.attempts == 1


def test_deliver__receiver_failing_three_times_gets_it_once_in_effect(
    world, clock_at, partners, receiver, django_capture_on_commit_callbacks
):
    receiver.fail_next = 3
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    row = Delivery.objects.get(handover=handover)
    assert row.delivered_at is None and row.last_status == 500
    assert Partner.objects.get(agency=world.skatteverket).failing_since is not None

    assert _sweep_after(clock_at, 0).delivered == 0  # not due yet: backoff
    for minutes in (1, 1, 2):
        _sweep_after(clock_at, minutes)

    row.refresh_from_db()
    assert row.delivered_at is not None and row.attempts == 4
    assert receiver.posts == [row.message_id] * 4  # the same id every time
    assert list(receiver.inbox) == [row.message_id]  # once in effect
    assert Partner.objects.get(agency=world.skatteverket).failing_since is None


def test_deliver__slow_endpoint__the_finish_waits_about_two_seconds_the_sweep_delivers(
    world, clock_at, partners, receiver, django_capture_on_commit_callbacks
):
    # The first attempt runs inside the officer's finish (immediate backend): a slow agency
    # system must not hold the desk for the sweep's 13 s.
    receiver.slow_next, receiver.slow_seconds = 1, 4.0
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    assert time.monotonic() - started < 3.5
    row = Delivery.objects.get(handover=handover)
    assert row.delivered_at is None and "Timeout" in (row.last_error or "")
    for minutes in (1, 1, 2):
        _sweep_after(clock_at, minutes)
    row.refresh_from_db()
    time.sleep(4.5)  # the slow answer to the first attempt arrives late
    assert row.delivered_at is not None
    assert list(receiver.inbox) == [row.message_id]  # once in effect, whatever came twice


def test_deliver__sent_again_after_a_lost_answer_is_dropped_by_id(
    world, clock_at, partners, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    # The sender died after the POST, before it marked the row delivered: the lease runs out
    # and another sender sends it again.
    Delivery.objects.filter(handover=handover).update(delivered_at=None)
    assert _sweep_after(clock_at, 4).delivered == 0  # still within the lease
    _sweep_after(clock_at, 2)

    assert len(receiver.posts) == 2 and len(set(receiver.posts)) == 1
    assert len(receiver.inbox) == 1


def test_deliver__finish_that_rolls_back_sends_nothing(
    world, clock_at, partners, receiver, django_capture_on_commit_callbacks
):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=visit.pk)
    services.start_service(officer=world.alice, visit_id=visit.pk)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(HandoverError):
        handover_services.finish_with_handovers(
            officer=world.alice,
            visit_id=visit.pk,
            outcome="referred",
            handovers=[handover_input(world.tax, identity_number="19900101-0018")],
        )
    # And a finish whose handover was written but whose transaction failed afterwards.
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        handover_services.finish_with_handovers(
            officer=world.alice,
            visit_id=visit.pk,
            outcome="referred",
            handovers=[handover_input(world.tax, identity_number=VALID_PNR)],
        )
        assert Delivery.objects.count() == 1
        raise RuntimeError("the request failed after the finish")
    delivery.deliver_due()

    assert Visit.objects.get(pk=visit.pk).state == "serving"
    assert not Handover.objects.exists() and not Delivery.objects.exists()
    assert receiver.posts == []


def test_deliver__rotation_keeps_deliveries_flowing(
    world, clock_at, partners, django_capture_on_commit_callbacks
):
    tax_partner, old_secret = partners.tax, partners.secret
    new_secret = handover_services.add_signing_secret(partner=tax_partner)
    with (
        running(Receiver(secret=old_secret)) as on_old,
        running(Receiver(secret=new_secret)) as on_new,
    ):
        for receiver in (on_old, on_new):  # the agency switches its verifier mid-rotation
            Partner.objects.filter(pk=tax_partner.pk).update(webhook_url=receiver.url)
            with django_capture_on_commit_callbacks(execute=True):
                serve_and_hand_over(world, clock_at, service=partners.tax_docs)
        handover_services.retire_older_secrets(partner=tax_partner)
        with django_capture_on_commit_callbacks(execute=True):
            serve_and_hand_over(world, clock_at, service=partners.tax_docs)

    assert len(on_old.inbox) == 1 and on_old.rejected == []
    assert len(on_new.inbox) == 2 and on_new.rejected == []
    assert Delivery.objects.filter(delivered_at__isnull=True).count() == 0


def test_deliver__retired_secret_no_longer_verifies(
    world, clock_at, partners, django_capture_on_commit_callbacks
):
    tax_partner, old_secret = partners.tax, partners.secret
    handover_services.add_signing_secret(partner=tax_partner)
    handover_services.retire_older_secrets(partner=tax_partner)
    with running(Receiver(secret=old_secret)) as stale:
        Partner.objects.filter(pk=tax_partner.pk).update(webhook_url=stale.url)
        with django_capture_on_commit_callbacks(execute=True):
            serve_and_hand_over(world, clock_at, service=partners.tax_docs)

    assert stale.inbox == {} and len(stale.rejected) == 1
    assert Delivery.objects.get().delivered_at is None  # retried later, visible as failing


def test_deliver__agency_without_endpoint_gets_no_outbox_row(
    world, clock_at, partners, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(world, clock_at, service=world.parental)

    assert handover.agency_id == world.fk.pk
    assert not Delivery.objects.exists()


def test_deliver__unreachable_endpoint_backs_off_and_is_visible(
    world, clock_at, partners, django_capture_on_commit_callbacks
):
    tax_partner = partners.tax
    Partner.objects.filter(pk=tax_partner.pk).update(webhook_url="http://127.0.0.1:9/closed")
    with django_capture_on_commit_callbacks(execute=True):
        serve_and_hand_over(world, clock_at, service=partners.tax_docs)

    row = Delivery.objects.get()
    tax_partner.refresh_from_db()
    assert row.delivered_at is None and row.attempts == 1
    assert row.next_attempt_at > clock.now() + dt.timedelta(seconds=9)
    assert tax_partner.failing_since is not None and "ConnectionError" in tax_partner.last_error


def test_deliver__identity_number_never_logged_and_encrypted_at_rest(
    world, clock_at, partners, receiver, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    receiver.fail_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(
            world, clock_at, service=world.tax, identity_number=VALID_PNR
        )
    _sweep_after(clock_at, 1)

    raw = Handover.objects.filter(pk=handover.pk).values_list(
        "identity_number_encrypted", "contact_encrypted"
    )[0]
    assert "19900101" not in " ".join(raw) and "070" not in " ".join(raw)
    assert len(receiver.inbox) == 1
    for text in ("19900101", "900101", "0017"):
        assert text not in caplog.text


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://agency.example/hooks", True),
        ("http://127.0.0.1:8000/hooks", True),
        ("http://localhost:8000/hooks", True),
        ("http://[::1]:8000/hooks", True),
        ("http://agency.example/hooks", False),
        ("http://10.0.0.5/hooks", False),
        ("https://user:secret@agency.example/hooks", False),
        ("ftp://agency.example/hooks", False),
        ("https:///hooks", False),
    ],
)
def test_endpoint__https_or_this_machine_only(url, allowed):
    from servicekontor.handovers.endpoints import endpoint_problem

    assert (endpoint_problem(url) is None) is allowed


def test_partner__plain_http_endpoint_elsewhere__refused_when_saved(partners):
    from django.core.exceptions import ValidationError

    partner = partners.tax
    partner.webhook_url = "http://agency.example/hooks"
    with pytest.raises(ValidationError, match="https"):
        partner.full_clean()
    partner.webhook_url = "https://agency.example/hooks"
    partner.full_clean()


def test_deliver__plain_http_endpoint_elsewhere__nothing_sent_failure_visible(
    world, clock_at, partners, django_capture_on_commit_callbacks
):
    # A row saved before the rule (or written around the admin) is still never sent in clear.
    class NoNetwork(requests.Session):
        def post(self, *args, **kwargs):
            raise AssertionError("a handover was posted over plain http")

    Partner.objects.filter(pk=partners.tax.pk).update(webhook_url="http://agency.example/hooks")
    serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    delivery.deliver_due(session=NoNetwork())
    row = Delivery.objects.get()
    partners.tax.refresh_from_db()
    assert row.delivered_at is None and row.attempts == 1
    assert "https" in partners.tax.last_error
