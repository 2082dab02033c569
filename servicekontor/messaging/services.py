"""Write use cases of the outbox: queue a message, deliver it, retry what is due, purge.

At least once, never lost, never marked sent before it was sent:
- `queue_message` writes the row inside the caller's transaction, so the decision to send
  and the message commit together; delivery is attempted after commit.
- `deliver` claims the row by compare-and-swap (`attempts + 1`, `next_attempt_at` moved a
  lease ahead) so two workers never send it at once, sends outside any transaction (a slow
  mail server holds no lock), then records the outcome. A process that dies between
  sending and recording leaves the claim to expire: the message is sent again (at least
  once, not exactly once — what SMTP allows).
- A failure is recorded on the row (error, next attempt by exponential backoff) and never
  raised: one refused message does not stop the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from servicekontor.core import clock
from servicekontor.messaging import backoff, conf, signals, sms
from servicekontor.messaging.mail import send_email
from servicekontor.messaging.models import Channel, Message, MessageStatus
from servicekontor.messaging.phone import InvalidPhoneNumber, to_e164

logger = logging.getLogger(__name__)

ERROR_LENGTH = 500


def mask(contact: str) -> str:
    """Enough to tell two contacts apart in a list or a log, not enough to reach anyone."""
    return f"{contact[:3]}…{contact[-2:]}" if len(contact) > 6 else "…"


@dataclass(frozen=True)
class Content:
    """A message as rendered in the citizen's language: the same words for both channels."""

    subject: str
    text: str
    html: str = ""
    sms_text: str = ""  # shorter text for SMS; the mail text when empty
    attachments: tuple[dict[str, Any], ...] = field(default=())


def channel_for(*, email: str, phone: str) -> tuple[str, str] | None:
    """(channel, recipient) for a contact: mail when there is an address, else SMS."""
    if email.strip():
        return Channel.EMAIL, email.strip()
    if phone.strip():
        return Channel.SMS, phone.strip()
    return None


def queue_message(
    *,
    channel: str,
    recipient: str,
    content: Content,
    topic: str,
    language: str,
    object_id: int | None = None,
    dedup_key: str | None = None,
    expires_at: dt.datetime | None = None,
    deliver_after_commit: bool = True,
) -> Message | None:
    """Write one message to the outbox; deliver it after the caller's transaction commits.

    Returns None if a message with `dedup_key` already exists (queued once, ever). A phone
    number that is not a valid mobile number gives a row that is already failed (shown to
    the administrator), not an exception. No lock: the unique `dedup_key` decides races.
    """
    now = clock.now()
    status, error, to = MessageStatus.PENDING, "", recipient.strip()
    text = content.text
    if channel == Channel.SMS:
        text = content.sms_text or content.text
        try:
            to = to_e164(to)
        except InvalidPhoneNumber:
            status, error = MessageStatus.FAILED, "not a valid phone number"
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                topic=topic,
                object_id=object_id,
                dedup_key=dedup_key,
                language=language,
                recipient=to if status == MessageStatus.PENDING else "",
                recipient_hint=mask(to),
                subject=content.subject if channel == Channel.EMAIL else "",
                body_text=text,
                body_html=content.html if channel == Channel.EMAIL else "",
                attachments=list(content.attachments) if channel == Channel.EMAIL else [],
                status=status,
                next_attempt_at=now if status == MessageStatus.PENDING else None,
                expires_at=expires_at,
                last_error=error,
                created_at=now,
            )
    except IntegrityError:
        if dedup_key and Message.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    if status == MessageStatus.FAILED:
        message.body_text = ""
        message.save(update_fields=["body_text"])
        logger.warning("message %s (%s) not queued: %s", message.pk, topic, error)
        transaction.on_commit(lambda: _given_up(message, error))
    elif deliver_after_commit:
        message_id = message.pk
        transaction.on_commit(lambda: deliver(message_id=message_id))
    return message


def _send(message: Message) -> None:
    if message.channel == Channel.EMAIL:
        send_email(message)
    elif message.channel == Channel.SMS:
        sent = sms.get_backend().send_messages(
            [sms.Sms(to=message.recipient, text=message.body_text, sender=sms.sender())]
        )
        if sent != 1:
            raise sms.SmsError("the SMS backend accepted no message")
    else:
        raise ValueError(f"unknown channel {message.channel!r}")


def _describe(exc: BaseException, recipient: str) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if recipient:
        text = text.replace(recipient, mask(recipient))  # a refusal often quotes the address
    return text[:ERROR_LENGTH]


def _given_up(message: Message, error: str) -> None:
    signals.message_given_up.send(
        sender=Message, topic=message.topic, object_id=message.object_id, error=error
    )


def deliver(*, message_id: int) -> bool:
    """Try to send one message now if it is due. True if it was sent by this call.

    Never raises for a delivery failure: the error and the next attempt are recorded.
    Claim: compare-and-swap on (status pending, next_attempt_at due).
    """
    now = clock.now()
    claimed = Message.objects.filter(
        pk=message_id, status=MessageStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + conf.LEASE, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    message = Message.objects.get(pk=message_id)
    if message.expires_at is not None and message.expires_at <= now:
        _fail(message, "expired before it could be sent", final=True)
        return False
    try:
        _send(message)
    except Exception as exc:  # any backend error: record it, try again later
        final = message.attempts >= conf.max_attempts()
        _fail(message, _describe(exc, message.recipient), final=final)
        logger.warning(
            "message %s (%s, attempt %s) failed%s",
            message_id,
            message.topic,
            message.attempts,
            ", giving up" if final else "",
        )
        return False
    sent_at = clock.now()
    Message.objects.filter(pk=message_id).update(
        status=MessageStatus.SENT,
        sent_at=sent_at,
        next_attempt_at=None,
        recipient="",
        subject="",
        body_text="",
        body_html="",
        attachments=[],
    )
    signals.message_sent.send(
        sender=Message, topic=message.topic, object_id=message.object_id, sent_at=sent_at
    )
    return True


def _fail(message: Message, error: str, *, final: bool) -> None:
    now = clock.now()
    if final:
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED, next_attempt_at=None, last_error=error
        )
        _given_up(message, error)
        return
    wait = backoff.wait(message.attempts, base=conf.retry_base(), cap=conf.retry_max())
    Message.objects.filter(pk=message.pk).update(next_attempt_at=now + wait, last_error=error)


@dataclass(frozen=True)
class DeliveryRun:
    sent: int
    failed: int  # attempts that failed in this run (retried later or given up)


def deliver_due(*, limit: int = 1000) -> DeliveryRun:
    """Send every waiting message whose next attempt is due, oldest first. Each is claimed
    on its own (`deliver`), so two runs at once share the work."""
    due = list(
        Message.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=clock.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(1 for message_id in due if deliver(message_id=message_id))
    return DeliveryRun(sent=sent, failed=len(due) - sent)


def retry_now(*, message_ids: Iterable[int]) -> int:
    """Administrator's action: put failed (or waiting) messages whose text is still kept back
    in line for an attempt now, with a fresh count. Returns how many."""
    count = (
        Message.objects.filter(pk__in=list(message_ids))
        .filter(Q(status=MessageStatus.FAILED) | Q(status=MessageStatus.PENDING))
        .exclude(recipient="")
        .exclude(body_text="")
        .update(status=MessageStatus.PENDING, next_attempt_at=clock.now(), attempts=0)
    )
    return count


def purge_messages(*, before: dt.datetime) -> int:
    """Blank the personal data (recipient, texts, the error) of messages queued before
    `before`; sent ones lost their texts when sent, unsent ones are given up. Returns how
    many rows changed."""
    old = Message.objects.filter(created_at__lt=before)
    old.filter(status=MessageStatus.PENDING).update(
        status=MessageStatus.FAILED, next_attempt_at=None
    )
    return old.exclude(recipient="", subject="", body_text="", body_html="", last_error="").update(
        last_error="", recipient="", subject="", body_text="", body_html="", attachments=[]
    )
