"""Handovers of errands to the agencies, the outbox of their webhook deliveries, and each
agency's partner settings (endpoint, signing secrets, retention).

Personal data of a handover (what the citizen needs, documents, contact, identity number,
the agency's case number) is blanked by `services.purge_handovers` a set time after the
agency acknowledged it (`Partner.retention_days`); the identity number and the contact
details are encrypted at rest (`encryption.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency, Service
from servicekontor.handovers.endpoints import endpoint_problem
from servicekontor.network.models import Office
from servicekontor.queueing.models import Errand, Outcome

# Errand outcomes that need the agency to pick the errand up.
HANDOVER_OUTCOMES = (Outcome.DOCUMENTS_FORWARDED, Outcome.REFERRED, Outcome.MEETING_BOOKED)


class Partner(models.Model):
    """An agency as a partner: where its handovers go and how long their personal data stays."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, related_name="partner", verbose_name=_("agency")
    )
    webhook_url = models.URLField(
        _("webhook endpoint"),
        blank=True,
        help_text=_("Empty: the agency polls the API for its handovers."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep personal data (days after acknowledgement)"), default=30
    )
    identity_services = models.ManyToManyField(
        Service,
        blank=True,
        related_name="+",
        verbose_name=_("services that need the identity number"),
    )
    # Visible to the network administrator: set at the first failure after a success.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("partner agency")
        verbose_name_plural = _("partner agencies")

    def __str__(self) -> str:
        return str(self.agency)

    def clean(self) -> None:
        if self.webhook_url and endpoint_problem(self.webhook_url) is not None:
            raise ValidationError(
                {
                    "webhook_url": _(
                        "Use an https address: handovers carry personal data (plain http only "
                        "to this machine, and no user name or password in the address)."
                    )
                }
            )


class SigningSecret(models.Model):
    """A Standard Webhooks secret (`whsec_…`, encrypted at rest). Every active secret signs
    each delivery, so during a rotation the agency can verify with the old or the new one."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="secrets")
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField(_("created"))
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing secret")
        verbose_name_plural = _("signing secrets")

    def __str__(self) -> str:
        return f"{self.partner} {self.created_at:%Y-%m-%d}"


class HandoverStatus(models.TextChoices):
    # Where it stands on the agency's side: whether it reached their system is the delivery's
    # (`handover_state_words`), what they confirmed is this.
    SENT = "sent", _("Receipt not yet confirmed by the agency")
    ACKNOWLEDGED = "acknowledged", _("Receipt confirmed by the agency")
    HANDLED = "handled", _("Handled")
    NEEDS_CITIZEN = "needs_citizen", _("The agency needs the citizen again")


# Outcomes the agency reports after acknowledging.
AGENCY_OUTCOMES = (HandoverStatus.HANDLED, HandoverStatus.NEEDS_CITIZEN)


class ContactChannel(models.TextChoices):
    DIGITAL_MAILBOX = "digital_mailbox", _("Digital mailbox")
    LETTER = "letter", _("Letter to the registered address")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")


class ReferenceBy(models.TextChoices):
    PRINTED = "printed", _("Printed")
    EMAIL = "email", _("By e-mail")
    SMS = "sms", _("By SMS")


class Handover(models.Model):
    """An errand handed over to its agency, with what the agency needs to pick it up."""

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("errand")
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    # The visit log may be purged before the handover (queueing.retention); the handover keeps
    # its own office, service and day.
    errand = models.OneToOneField(
        Errand, on_delete=models.SET_NULL, null=True, blank=True, related_name="handover"
    )
    outcome = models.CharField(_("errand outcome"), max_length=24, choices=Outcome.choices)
    visit_day = models.DateField(_("visit day"))
    created_at = models.DateTimeField(_("created"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Personal data: blanked by the purge.
    needs = models.TextField(_("what the citizen needs"), blank=True)
    documents = models.JSONField(_("documents received"), default=list, blank=True)
    contact_channel = models.CharField(
        _("contact by"), max_length=20, choices=ContactChannel.choices, blank=True
    )
    contact_encrypted = models.TextField(blank=True)
    identity_number_encrypted = models.TextField(blank=True)
    reference_by = models.CharField(
        _("reference given"), max_length=10, choices=ReferenceBy.choices, default="printed"
    )
    consent = models.BooleanField(_("the citizen consented"), default=False)
    # The agency's side.
    status = models.CharField(
        _("status"), max_length=16, choices=HandoverStatus.choices, default=HandoverStatus.SENT
    )
    case_number = models.CharField(_("agency case number"), max_length=40, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    outcome_at = models.DateTimeField(_("agency outcome at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("personal data purged"), null=True, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "status", "created_at"], name="handover_agency_status"),
            models.Index(fields=["acknowledged_at"], name="handover_acknowledged"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent=True),
                name="handover_needs_consent",
                violation_error_message=_("A handover needs the citizen's consent."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="sent") | models.Q(acknowledged_at__isnull=False),
                name="handover_acknowledged_has_time",
                violation_error_message=_("An acknowledged handover has its time."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Delivery(models.Model):
    """One webhook message in the outbox: written in the transaction of the finish, sent at
    least once (retries with backoff), identified by `message_id` (`webhook-id`) so the
    agency can drop repeats. `next_attempt_at` doubles as the lease of the sender that claimed
    it, `claim` is that sender's token (compare-and-swap in `delivery._claim`)."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="deliveries")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40, default="handover.created")
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True)  # token of the sender holding it
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.message_id


class DemoReceipt(models.Model):
    """What the built-in demo receiver (`make run` only) received, as an agency's system
    would store it: the verified body, encrypted like the handover it carries."""

    message_id = models.CharField(max_length=40, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField()
    body_encrypted = models.TextField()
    times_received = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return self.message_id
