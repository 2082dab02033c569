"""Staff: who works where, in which role, and for which agencies they are trained."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency
from servicekontor.core.secret_tokens import hash_token
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

    @property
    def display_name(self) -> str:
        """The person's name as staff see each other (the desk chooser, the live view, who
        saved, settled or adopted something): the full name, the user name only when no
        name is set. A user name is for signing in, not for people to recognise each other."""
        return self.get_full_name() or self.get_username()

    def __str__(self) -> str:
        return self.display_name


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


class ApiClient(models.Model):
    """An agency's system: a machine client that reads that agency's data through the API.

    Scoped to its agency (statistics, handovers, offerings of that agency only). Its secrets
    are `ApiCredential` rows, so a network administrator can rotate (a new credential while
    the old one still works until it expires) and revoke (the client or one credential, at
    once). Every use is an `ApiClientUse` row. Decision: docs/decisions/0018-agency-api-clients.md.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 'Skatteverket BI'"))
    created_at = models.DateTimeField(_("created"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="api_client_unique_name",
                violation_error_message=_("This agency already has an API client of that name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}: {self.name}"


class ApiCredential(models.Model):
    """One secret of an API client, sent as `Authorization: Bearer skc_<key_id>_<secret>`.

    Only the SHA-256 of the whole token is stored; `key_id` (public) finds the row. A
    credential is valid while not revoked and not past `expires_at` (set on the old
    credential when a new one is issued: the overlap that lets the agency switch without
    downtime)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="credentials")
    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API credential")
        verbose_name_plural = _("API credentials")

    def __str__(self) -> str:
        return self.key_id


class ApiClientUse(models.Model):
    """The log of every request that presented an API client credential, accepted or not."""

    class Result(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        WRONG_SECRET = "wrong_secret", _("Wrong secret")

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="uses")
    credential = models.ForeignKey(ApiCredential, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(_("at"), db_index=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)

    class Meta:
        verbose_name = _("API client use")
        verbose_name_plural = _("API client uses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "-at"], name="api_use_client_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.result}"


class ApiToken(models.Model):
    """A person's token for the statistics API (and the costs and change-plan APIs), e.g. for a
    network administrator's script. An agency's system uses one of its agency's API clients
    instead (`ApiClient`, decision 0018); the partner API takes only those (decision 0082).
    Here since decision 0082 (it was `reports.ApiToken`; the table moved with it).

    It acts as its user, with that user's scope (an agency analyst's token sees only that
    agency). Only a SHA-256 of the token is stored; the token is shown once when created
    (`manage.py create_api_token`).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @staticmethod
    def hash(token: str) -> str:
        return hash_token(token)
