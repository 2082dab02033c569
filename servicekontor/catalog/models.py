"""Agencies (myndigheter), their services, and the capabilities a service needs at a desk."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.core.i18n import pick_language


class Agency(models.Model):
    """A partner agency in whose name the offices serve (e.g. Skatteverket)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    ticket_letter = models.CharField(
        _("ticket letter"),
        max_length=1,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]$", _("One capital letter A–Z."))],
        help_text=_("Printed before the ticket number, e.g. S for S-023."),
    )
    partner_since = models.DateField(_("partner since"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    service_level_minutes = models.PositiveSmallIntegerField(
        _("service level target (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("A visit is called within the target when its wait is shorter than this."),
    )
    service_level_share = models.DecimalField(
        _("service level target (share)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("Share of visits to be called within the target minutes (staffing plans)."),
    )

    class Meta:
        ordering = ["name_sv"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ticket_letter__regex=r"^[A-Z]$"),
                name="agency_ticket_letter_is_capital",
                violation_error_message=_("The ticket letter must be one capital letter A–Z."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_sv, self.name_en)


class Capability(models.Model):
    """Equipment a desk may have and a service may need, e.g. an ID-card photo station."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_sv, self.name_en)


class ServiceMode(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in only")
    APPOINTMENT_ONLY = "appointment_only", _("Appointment only")
    BOTH = "both", _("Walk-in or appointment")


class Service(models.Model):
    """Something a citizen can get help with at an office, in an agency's name.

    Staff guide and help; they make no decisions in the agency's cases.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="services", verbose_name=_("agency")
    )
    code = models.SlugField(_("code"), max_length=60)
    name_sv = models.CharField(_("name (Swedish)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    mode = models.CharField(
        _("mode"), max_length=20, choices=ServiceMode.choices, default=ServiceMode.BOTH
    )
    handling_minutes = models.PositiveSmallIntegerField(
        _("typical handling minutes"),
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    requires_identification = models.BooleanField(_("identification required"), default=False)
    required_capability = models.ForeignKey(
        Capability,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("needs desk capability"),
    )
    video_meeting = models.BooleanField(
        _("video meeting with a caseworker"),
        default=False,
        help_text=_(
            "Booked together with an agency caseworker's free time; the citizen sits in the "
            "office's video room (set the room's capability as the needed capability)."
        ),
    )

    class Meta:
        ordering = ["agency__name_sv", "name_sv"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code"],
                name="service_code_unique_per_agency",
                violation_error_message=_("This agency already has a service with this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(handling_minutes__gte=1, handling_minutes__lte=240),
                name="service_handling_minutes_in_range",
                violation_error_message=_("Handling time must be 1–240 minutes."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name}: {self.name}"

    @property
    def name(self) -> str:
        return pick_language(self.name_sv, self.name_en)

    @property
    def description(self) -> str:
        return pick_language(self.description_sv, self.description_en)

    @property
    def walk_in_allowed(self) -> bool:
        return self.mode != ServiceMode.APPOINTMENT_ONLY

    @property
    def bookable(self) -> bool:
        return self.mode != ServiceMode.WALK_IN
