"""The outbox: every message the product sends to a citizen (mail or SMS), until it is sent.

A row is written in the transaction that decides to send (so nothing is lost if the process
dies before delivery) and delivered after commit; a failed attempt is recorded and retried
with backoff (`services.deliver`). Once sent, the recipient and the bodies are blanked (they
hold personal data and working manage links); what stays is what the network administrator
needs to see that delivery works: topic, channel, status, attempts, the last error.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    topic = models.CharField(
        _("topic"), max_length=40, help_text=_("What the message is about, e.g. booking.reminder.")
    )
    object_id = models.BigIntegerField(
        _("about"), null=True, blank=True, help_text=_("The id of the booking or visit.")
    )
    dedup_key = models.CharField(
        _("once-only key"),
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Two messages with the same key are never both queued (e.g. one reminder)."),
    )
    language = models.CharField(_("language"), max_length=8)
    # Personal data, blanked once sent (and by the purge when given up).
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    recipient_hint = models.CharField(
        _("recipient (masked)"), max_length=40, blank=True, help_text=_("Enough to tell apart.")
    )
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("useless after"),
        null=True,
        blank=True,
        help_text=_("Not sent after this instant (a reminder after the appointment)."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="pending") | models.Q(next_attempt_at__isnull=False),
                name="message_pending_has_next_attempt",
                violation_error_message=_("A waiting message needs a time for its next attempt."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} · {self.get_channel_display()} · {self.recipient_hint}"
