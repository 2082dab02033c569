"""Sending the outbox: each `Delivery` is POSTed to its agency's endpoint, signed (Standard
Webhooks), until the endpoint answers 2xx. At least once: a sender that crashes after the
POST but before marking it delivered sends it again later; the agency drops repeats by
`webhook-id`.

Two senders never send the same row at the same time: `claim` moves `next_attempt_at` past
now by a compare-and-swap (`UPDATE … WHERE next_attempt_at <= now AND delivered_at IS NULL`),
which on PostgreSQL re-checks the condition after waiting for a competing update's row lock,
so exactly one of them gets 1 row. The claim is a lease of `LEASE`: a sender that dies is
replaced after it. No transaction is held open during the HTTP call.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

import requests
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from servicekontor.core import clock
from servicekontor.handovers.backoff import retry_delay
from servicekontor.handovers.models import Delivery, Partner
from servicekontor.handovers.payload import webhook_body
from servicekontor.handovers.services import active_secrets
from servicekontor.handovers.signing import signed_headers

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
TIMEOUT = (3.05, 10)  # connect, read (seconds): well inside LEASE


@dataclass
class RunResult:
    delivered: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another sender, or not due


def claim(delivery_id: int, *, now: dt.datetime) -> bool:
    """Take the row for one attempt (compare-and-swap, see the module docstring)."""
    return (
        Delivery.objects.filter(
            pk=delivery_id, delivered_at__isnull=True, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
        == 1
    )


def attempt(delivery_id: int, *, session: requests.Session | None = None) -> bool | None:
    """One attempt at `delivery_id` if it is due and unclaimed: True delivered, False failed
    (retried later with backoff), None not attempted."""
    now = clock.now()
    if not claim(delivery_id, now=now):
        return None
    delivery = Delivery.objects.select_related(
        "partner", "handover__agency", "handover__service", "handover__office"
    ).get(pk=delivery_id)
    partner = delivery.partner
    status: int | None = None
    try:
        if not partner.webhook_url:
            raise _NoEndpoint("no endpoint: the agency polls the API")
        body = json.dumps(
            webhook_body(event_type=delivery.event_type, handover=delivery.handover),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        headers = signed_headers(
            message_id=delivery.message_id,
            timestamp=clock.now(),
            body=body,
            secrets_=active_secrets(partner.pk),
        )
        response = (session or requests).post(
            partner.webhook_url,
            data=body.encode(),
            headers=headers,
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        status = response.status_code
        if not 200 <= status < 300:
            raise _Refused(f"HTTP {status}")
    except (requests.RequestException, _NoEndpoint, _Refused, ValueError) as exc:
        # The message names the endpoint's answer, never the body (personal data).
        error = f"{type(exc).__name__}: {exc}"[:200]
        _failed(delivery, status=status, error=error)
        log.info("handover delivery %s failed: %s", delivery.message_id, error)
        return False
    done = clock.now()
    Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(
        delivered_at=done, last_status=status, last_error=""
    )
    Partner.objects.filter(pk=partner.pk).exclude(failing_since=None).update(
        failing_since=None, last_error=""
    )
    return True


class _NoEndpoint(Exception):
    pass


class _Refused(Exception):
    pass


def _failed(delivery: Delivery, *, status: int | None, error: str) -> None:
    now = clock.now()
    Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(
        next_attempt_at=now + retry_delay(delivery.attempts),
        last_status=status,
        last_error=error,
    )
    Partner.objects.filter(pk=delivery.partner_id).update(
        failing_since=Coalesce(F("failing_since"), now), last_error=error
    )


def deliver_due(*, limit: int = 200, session: requests.Session | None = None) -> RunResult:
    """Attempt every due delivery (oldest first, at most `limit`)."""
    now = clock.now()
    ids = list(
        Delivery.objects.filter(Q(delivered_at__isnull=True) & Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    result = RunResult()
    for delivery_id in ids:
        outcome = attempt(delivery_id, session=session)
        if outcome is True:
            result.delivered += 1
        elif outcome is False:
            result.failed += 1
        else:
            result.skipped += 1
    return result
