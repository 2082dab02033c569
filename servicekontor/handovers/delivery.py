"""Sending the outbox: each `Delivery` is POSTed to its agency's endpoint, signed (Standard
Webhooks), until the endpoint answers 2xx. At least once: a sender that crashes after the
POST but before marking it delivered sends it again later; the agency drops repeats by
`webhook-id`.

Two senders never send the same row at the same time: a sender claims rows by a
compare-and-swap (`UPDATE … SET claim = <its token>, next_attempt_at = now + lease WHERE
next_attempt_at <= now AND delivered_at IS NULL`), which on PostgreSQL re-checks the
condition after waiting for a competing update's row lock, so each row goes to exactly one
sender; the sender then reads back the rows carrying its token. The claim is a lease
(`LEASE`): a sender that dies is replaced after it. No transaction is held open during
the HTTP calls. The sweep (`deliver_due`) claims a batch per UPDATE and marks the batch
delivered in one UPDATE, so a commit (an fsync) is paid per batch, not per handover
(docs/benchmarks.md: the single-row path was bound by two commits per handover).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

import requests
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from servicekontor.core import clock
from servicekontor.handovers.backoff import retry_delay
from servicekontor.handovers.endpoints import endpoint_problem
from servicekontor.handovers.models import Delivery, Partner
from servicekontor.handovers.payload import webhook_body
from servicekontor.handovers.services import active_secrets
from servicekontor.handovers.signing import signed_headers

log = logging.getLogger(__name__)

BATCH = 20
TIMEOUT = (3.05, 10)  # connect, read (seconds)
# The first attempt runs right after the finish: with the immediate task backend inside the
# officer's request (a sync worker held as long as the endpoint takes). It gives a slow
# endpoint at most 0.5 + 1.5 s and leaves it to the sweep (`deliver_handovers`, TIMEOUT), so
# an agency's slow system never holds a desk for more than about two seconds. An answer
# that comes too late is sent again by the sweep: the agency drops it by its id.
FIRST_ATTEMPT_TIMEOUT = (0.5, 1.5)
# Long enough for a whole batch against a slow endpoint (BATCH × ~13 s); a crashed sender's
# rows wait this long before another sender takes them.
LEASE = dt.timedelta(minutes=5)


@dataclass
class RunResult:
    delivered: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another sender, or not due


def _claim(due: Q, *, now: dt.datetime) -> tuple[str, int]:
    """Claim the rows matching `due` that are still due and undelivered; (token, count)."""
    token = uuid.uuid4().hex
    count = Delivery.objects.filter(
        due, delivered_at__isnull=True, next_attempt_at__lte=now
    ).update(claim=token, next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    return token, count


def attempt(delivery_id: int, *, session: requests.Session | None = None) -> bool | None:
    """One attempt at `delivery_id` if it is due and unclaimed (right after the finish):
    True delivered, False failed (retried later with backoff), None not attempted."""
    token, count = _claim(Q(pk=delivery_id), now=clock.now())
    if count != 1:
        return None
    result = _send_claimed(token, session=session, timeout=FIRST_ATTEMPT_TIMEOUT)
    return result.delivered == 1


def deliver_due(*, limit: int = 200, session: requests.Session | None = None) -> RunResult:
    """Attempt due deliveries, oldest first, in batches of BATCH, at most `limit`."""
    total = RunResult()
    while total.delivered + total.failed < limit:
        now = clock.now()
        ids = list(
            Delivery.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[: min(BATCH, limit - total.delivered - total.failed)]
        )
        if not ids:
            break
        token, count = _claim(Q(pk__in=ids), now=now)
        total.skipped += len(ids) - count
        if count == 0:
            continue  # another sender took them all; look again
        result = _send_claimed(token, session=session)
        total.delivered += result.delivered
        total.failed += result.failed
    return total


def _send_claimed(
    token: str, *, session: requests.Session | None, timeout: tuple[float, float] = TIMEOUT
) -> RunResult:
    rows = list(
        Delivery.objects.filter(claim=token, delivered_at__isnull=True).select_related(
            "partner", "handover__agency", "handover__service", "handover__office"
        )
    )
    secrets_by_partner: dict[int, list[str]] = {}
    delivered: dict[int | None, list[int]] = defaultdict(list)  # HTTP status -> ids
    result = RunResult()
    for delivery in rows:
        partner = delivery.partner
        status: int | None = None
        try:
            if not partner.webhook_url:
                raise _NoEndpoint("no endpoint: the agency polls the API")
            if (problem := endpoint_problem(partner.webhook_url)) is not None:
                raise _NoEndpoint(problem)
            if partner.pk not in secrets_by_partner:
                secrets_by_partner[partner.pk] = active_secrets(partner.pk)
            body = json.dumps(
                webhook_body(event_type=delivery.event_type, handover=delivery.handover),
                ensure_ascii=False,
                separators=(",", ":"),
            )
            headers = signed_headers(
                message_id=delivery.message_id,
                timestamp=clock.now(),
                body=body,
                secrets_=secrets_by_partner[partner.pk],
            )
            response = (session or requests).post(
                partner.webhook_url,
                data=body.encode(),
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            )
            status = response.status_code
            if not 200 <= status < 300:
                raise _Refused(f"HTTP {status}")
        except (requests.RequestException, _NoEndpoint, _Refused, ValueError) as exc:
            # The message names the endpoint's answer, never the body (personal data).
            error = f"{type(exc).__name__}: {exc}"[:200]
            _failed(delivery, token=token, status=status, error=error)
            log.info("handover delivery %s failed: %s", delivery.message_id, error)
            result.failed += 1
            continue
        delivered[status].append(delivery.pk)
        result.delivered += 1
    done = clock.now()
    for status, ids in delivered.items():
        Delivery.objects.filter(pk__in=ids, claim=token, delivered_at__isnull=True).update(
            delivered_at=done, last_status=status, last_error=""
        )
    recovered = {
        d.partner_id for d in rows if d.pk in {i for ids in delivered.values() for i in ids}
    }
    if recovered:
        Partner.objects.filter(pk__in=recovered).exclude(failing_since=None).update(
            failing_since=None, last_error=""
        )
    return result


class _NoEndpoint(Exception):
    pass


class _Refused(Exception):
    pass


def _failed(delivery: Delivery, *, token: str, status: int | None, error: str) -> None:
    now = clock.now()
    Delivery.objects.filter(pk=delivery.pk, claim=token, delivered_at__isnull=True).update(
        next_attempt_at=now + retry_delay(delivery.attempts),
        last_status=status,
        last_error=error,
    )
    Partner.objects.filter(pk=delivery.partner_id).update(
        failing_since=Coalesce(F("failing_since"), now), last_error=error
    )
