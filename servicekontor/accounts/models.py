"""Staff: who works where, in which role, and for which agencies they are trained."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency
from servicekontor.network.models import Office


class Role(models.TextChoices):
    SERVICE_OFFICER = "service_officer", _("Service officer")
    OFFICE_MANAGER = "office_manager", _("Office manager")
    NETWORK_ADMIN = "network_admin", _("Network administrator")
    AGENCY_ANALYST = "agency_analyst", _("Agency analyst")


class User(AbstractUser):
    """A member of staff. Citizens never have accounts."""

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.SERVICE_OFFICER
    )
    analyst_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="analysts",
        verbose_name=_("agency (analysts only)"),
    )
    offices = models.ManyToManyField(
        Office,
        through="OfficeAssignment",
        related_name="staff",
        blank=True,
        verbose_name=_("offices"),
    )
    competences = models.ManyToManyField(
        Agency,
        through="Competence",
        related_name="trained_staff",
        blank=True,
        verbose_name=_("trained for agencies"),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="agency_analyst", analyst_agency__isnull=False)
                    | (~models.Q(role="agency_analyst") & models.Q(analyst_agency__isnull=True))
                ),
                name="analyst_has_exactly_their_agency",
                violation_error_message=_(
                    "An agency analyst must have an agency; other roles must not."
                ),
            )
        ]


class OfficeAssignment(models.Model):
    """A staff member works at (officer) or manages (manager) an office."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        verbose_name = _("office assignment")
        verbose_name_plural = _("office assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office"],
                name="assignment_unique",
                violation_error_message=_("This person is already assigned to this office."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.office}"


class Competence(models.Model):
    """A staff member is trained to serve citizens on behalf of an agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="competence_rows")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="competence_rows")
    since = models.DateField(_("trained since"), null=True, blank=True)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"],
                name="competence_unique",
                violation_error_message=_("This person already has this competence."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency}"
