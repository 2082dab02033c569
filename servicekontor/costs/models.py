"""Cost pools, fixed shares, staff hours and rates, and the frozen monthly settlements.

Money is integer öre (1 kr = 100 öre) in BigIntegerFields. A month is stored as its first day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicekontor.accounts.models import Role
from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.network.models import Office


class Category(models.TextChoices):
    STAFF = "staff", _("Staff")
    PREMISES = "premises", _("Premises")
    IT = "it", _("IT")
    OVERHEAD = "overhead", _("Shared overhead")
    OTHER = "other", _("Other")


class DriverChoice(models.TextChoices):
    MINUTES = "minutes", _("Handled minutes")
    VISITS = "visits", _("Served visits per agency")
    FIXED = "fixed", _("Fixed share")
    MIX = "mix", _("Mix of drivers")


class OfficeDriver(models.TextChoices):
    MINUTES = "minutes", _("Handled minutes")
    VISITS = "visits", _("Served visits per agency")
    FIXED = "fixed", _("Fixed share")


class PoolSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
    DERIVED = "derived", _("Derived from staff hours")


#: The roles whose hours cost the offices money (the staff roles of `accounts.Role`).
STAFF_ROLES = [
    (Role.SERVICE_OFFICER.value, Role.SERVICE_OFFICER.label),
    (Role.OFFICE_MANAGER.value, Role.OFFICE_MANAGER.label),
]


def role_label(code: str) -> str:
    """The label of a staff role for people ("Service officer"), the code itself when it is not
    one of `STAFF_ROLES` (a role entered before the choices existed)."""
    return str(dict(STAFF_ROLES).get(code, code))


def _first_of_month(field: str) -> Q:
    return Q(**{f"{field}__day": 1})


#: The name of the staff pool `services.derive_staff_pools` writes per office and month.
DERIVED_STAFF_NAME = "derived"


def pool_label(name: str, category_label: str) -> str:
    """A pool's name for people: "Staff (from hours)" for the staff pool made from hours
    (stored as `DERIVED_STAFF_NAME`), else its name, or its category when it has none."""
    if name == DERIVED_STAFF_NAME:
        return str(_("Staff (from hours)"))
    return name or category_label


class CostPool(models.Model):
    """One month's cost at one office (or, without office, for the whole network)."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_pools",
        verbose_name=_("office"),
        help_text=_("Empty for a network-wide pool (head office, IT)."),
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    name = models.CharField(_("name"), max_length=80, blank=True)
    amount_ore = models.BigIntegerField(_("amount (öre)"))
    driver = models.CharField(
        _("driver"), max_length=10, choices=DriverChoice.choices, default=DriverChoice.MINUTES
    )
    minutes_weight = models.PositiveIntegerField(_("mix: weight of handled minutes"), default=0)
    visits_weight = models.PositiveIntegerField(_("mix: weight of visits"), default=0)
    fixed_weight = models.PositiveIntegerField(_("mix: weight of fixed shares"), default=0)
    office_driver = models.CharField(
        _("network pool: to offices by"),
        max_length=10,
        choices=OfficeDriver.choices,
        default=OfficeDriver.MINUTES,
    )
    source = models.CharField(
        _("source"), max_length=10, choices=PoolSource.choices, default=PoolSource.ENTERED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        ordering = ["month", "office__name", "category", "name"]
        verbose_name = _("cost pool")
        verbose_name_plural = _("cost pools")
        constraints = [
            models.CheckConstraint(
                condition=_first_of_month("month"),
                name="costpool_month_is_first_day",
                violation_error_message=_("The month must be given as its first day."),
            ),
            models.CheckConstraint(
                condition=Q(amount_ore__gte=0),
                name="costpool_amount_not_negative",
                violation_error_message=_(
                    "The amount may not be negative; enter a correction for a credit."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(driver="mix")
                | Q(minutes_weight__gt=0)
                | Q(visits_weight__gt=0)
                | Q(fixed_weight__gt=0),
                name="costpool_mix_has_weights",
                violation_error_message=_("A mixed driver needs at least one positive weight."),
            ),
            models.UniqueConstraint(
                fields=["month", "office", "category", "name"],
                condition=Q(office__isnull=False),
                name="costpool_unique_at_office",
                violation_error_message=_(
                    "This office already has a pool of this category and name this month."
                ),
            ),
            models.UniqueConstraint(
                fields=["month", "category", "name"],
                condition=Q(office__isnull=True),
                name="costpool_unique_network",
                violation_error_message=_(
                    "The network already has a pool of this category and name this month."
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.office.name if self.office else _("Network")
        return f"{self.month:%Y-%m} · {where} · {self.label}"

    @property
    def label(self) -> str:
        """The pool as people read it: its name, or its category; the staff pool made from
        hours by its meaning, not its code name (walk F22: "Boden · derived")."""
        return pool_label(self.name, self.get_category_display())


class PoolShare(models.Model):
    """A fixed weight of an agency in a pool (used by the fixed-share driver)."""

    pool = models.ForeignKey(CostPool, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField(_("weight"))

    class Meta:
        verbose_name = _("fixed share")
        verbose_name_plural = _("fixed shares")
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "agency"],
                name="poolshare_unique",
                violation_error_message=_("This agency already has a share in this pool."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="poolshare_weight_positive",
                violation_error_message=_("A share must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.weight}"


class PoolOfficeShare(models.Model):
    """A fixed weight of an office in a network pool (office driver ‘fixed share’)."""

    pool = models.ForeignKey(CostPool, on_delete=models.CASCADE, related_name="office_shares")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField(_("weight"))

    class Meta:
        verbose_name = _("office share")
        verbose_name_plural = _("office shares")
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "office"],
                name="poolofficeshare_unique",
                violation_error_message=_("This office already has a share in this pool."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="poolofficeshare_weight_positive",
                violation_error_message=_("A share must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office_id}: {self.weight}"


class HourlyRate(models.Model):
    """What an hour of a role costs (salary with overheads), from a date on."""

    role = models.CharField(_("role"), max_length=40, choices=STAFF_ROLES)
    valid_from = models.DateField(_("valid from"))
    ore_per_hour = models.PositiveIntegerField(_("cost per hour (öre)"))
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Where the figure comes from.")
    )

    class Meta:
        ordering = ["role", "-valid_from"]
        verbose_name = _("hourly cost")
        verbose_name_plural = _("hourly costs")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "valid_from"],
                name="hourlyrate_unique",
                violation_error_message=_("This role already has a cost from this date."),
            ),
            models.CheckConstraint(
                condition=Q(ore_per_hour__gt=0),
                name="hourlyrate_positive",
                violation_error_message=_("The cost per hour must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{role_label(self.role)} {self.valid_from}: {self.ore_per_hour / 100:.2f} kr/h"


class StaffHours(models.Model):
    """Rostered (or simulated) hours of a role at an office in a month."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    role = models.CharField(_("role"), max_length=40, choices=STAFF_ROLES)
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("staff hours")
        verbose_name_plural = _("staff hours")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "month", "role"],
                name="staffhours_unique",
                violation_error_message=_("This office already has hours of this role this month."),
            ),
            models.CheckConstraint(
                condition=_first_of_month("month"),
                name="staffhours_month_is_first_day",
                violation_error_message=_("The month must be given as its first day."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0),
                name="staffhours_not_negative",
                violation_error_message=_("Hours may not be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {role_label(self.role)}: {self.hours} h"


class Settlement(models.Model):
    """A settled month: its lines are frozen. Corrections go to a later open month."""

    month = models.DateField(_("month"), unique=True)
    settled_at = models.DateTimeField(_("settled at"), default=clock.now)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("settled by"),
    )
    pools_ore = models.BigIntegerField(_("pools (öre)"))
    adjustments_ore = models.BigIntegerField(_("adjustments (öre)"), default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.CheckConstraint(
                condition=_first_of_month("month"),
                name="settlement_month_is_first_day",
                violation_error_message=_("The month must be given as its first day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class SettlementUsage(models.Model):
    """The usage figures a settlement was computed from, frozen with it."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="usage")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    visits = models.PositiveIntegerField(_("visits"))
    handled_seconds = models.BigIntegerField(_("handled seconds"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "office", "agency"], name="settlementusage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.agency_id}: {self.visits}"


class SettlementServiceUsage(models.Model):
    """Errands and handled seconds per office × service, frozen with the settlement: the
    report splits an agency's cost at an office over its services by these seconds."""

    settlement = models.ForeignKey(
        Settlement, on_delete=models.CASCADE, related_name="service_usage"
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", db_index=False)
    errands = models.PositiveIntegerField(_("errands"))
    handled_seconds = models.BigIntegerField(_("handled seconds"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "office", "service"], name="settlementserviceusage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.service_id}: {self.handled_seconds}"


class Correction(models.Model):
    """A change to a settled month, booked as adjustments into a later open month."""

    month = models.DateField(_("corrected month"))
    booked_into = models.DateField(_("booked into month"))
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"))
    total_ore = models.BigIntegerField(_("total (öre)"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.CheckConstraint(
                condition=Q(booked_into__gt=models.F("month")),
                name="correction_booked_later",
                violation_error_message=_("A correction is booked into a later month."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="correction_has_reason",
                violation_error_message=_("Say why the month is corrected."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} → {self.booked_into:%Y-%m}: {self.reason[:40]}"


class LineKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocation")
    ADJUSTMENT = "adjustment", _("Adjustment")


class SettlementLine(models.Model):
    """One agency's share of one pool (part) at one office, or an adjustment.

    Allocation lines belong to a settlement; adjustment lines belong to a correction and, once
    the month they are booked into is settled, to that settlement too. The pool's category and
    name are copied so the line reads the same whatever happens to the pool later; its office
    is read through `pool` (a settled month's pools are read-only and a correction changes only
    amounts, so it cannot change).

    Office and agency have no index of their own (reports read by month and agency,
    `costline_month_agency`) and no database foreign key: checking four keys on every one of a
    year's tens of thousands of lines at commit was half a settlement's time. Their integrity
    is still in the database one step away: every (office, agency) of an allocation line comes
    from a row that has those keys — the pool's office, the frozen usage (`SettlementUsage`,
    written in the same transaction) or the pool's fixed shares; an adjustment's from the
    statistics' rollups or an earlier line. Django's PROTECT still refuses to delete an office
    or agency with lines (tested). See docs/decisions/0016-costs-settlement.md.
    """

    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, related_name="lines"
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    correction = models.ForeignKey(
        Correction, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    pool = models.ForeignKey(CostPool, on_delete=models.PROTECT, related_name="lines")
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    pool_name = models.CharField(_("pool"), max_length=80, blank=True)
    # No database constraint or index for office and agency (see the class docstring).
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    driver = models.CharField(_("driver"), max_length=10, choices=OfficeDriver.choices)
    amount_ore = models.BigIntegerField(_("amount (öre)"))
    quantity = models.BigIntegerField(_("quantity"))
    basis_quantity = models.BigIntegerField(_("of quantity"))
    basis_ore = models.BigIntegerField(_("of amount (öre)"))
    office_ore = models.BigIntegerField(_("office's part (öre)"))
    office_quantity = models.BigIntegerField(_("office quantity"), default=0)
    network_quantity = models.BigIntegerField(_("network quantity"), default=0)

    class Meta:
        ordering = ["month", "pk"]
        indexes = [models.Index(fields=["month", "agency"], name="costline_month_agency")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="allocation") & Q(correction__isnull=True))
                | (Q(kind="adjustment") & Q(correction__isnull=False)),
                name="settlementline_adjustment_has_correction",
                violation_error_message=_("An adjustment belongs to a correction."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} {self.amount_ore} öre"


class Ledger(models.Model):
    """One row whose lock serialises settling and correcting (see costs.services).

    Settlements are a few a month; one lock for all of them keeps the rule simple: whoever
    holds it sees every settlement and pending adjustment the others committed.
    """

    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("ledger")

    def __str__(self) -> str:
        return "ledger"
