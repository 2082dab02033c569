"""Change plans: named, versioned drafts of dated changes to the registry (issue 17).

A plan is a draft until it is adopted (`services.adopt_plan` writes its changes into the
registry in one transaction and records every row it wrote in `AdoptedRow`). Its changes are
ordered (``position``) and dated: each has its own date, or follows another change of the
plan or a registry milestone by ``offset_days`` (`dependencies.resolve_dates`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency
from servicekontor.changeplans.registry_state import Kind
from servicekontor.core import clock
from servicekontor.network.models import Milestone


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")


class ChangeKind(models.TextChoices):
    OPEN_OFFICE = Kind.OPEN_OFFICE.value, _("Open an office")
    CLOSE_OFFICE = Kind.CLOSE_OFFICE.value, _("Close an office")
    ADD_SERVICES = Kind.ADD_SERVICES.value, _("Add an agency's services")
    REMOVE_SERVICES = Kind.REMOVE_SERVICES.value, _("Remove an agency's services")
    CHANGE_HOURS = Kind.CHANGE_HOURS.value, _("Change opening hours")
    MOVE_MILESTONE = Kind.MOVE_MILESTONE.value, _("Move a milestone")


class ChangePlan(models.Model):
    """One version of a named plan. A new version copies the changes (`services.new_version`)."""

    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="later_versions",
        verbose_name=_("based on"),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_plans",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_change_plans",
        verbose_name=_("adopted by"),
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("change plan")
        verbose_name_plural = _("change plans")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"],
                name="changeplan_name_version_unique",
                violation_error_message=_("A plan with this name and version exists already."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", adopted_at__isnull=True)
                | models.Q(status="adopted", adopted_at__isnull=False),
                name="changeplan_adopted_has_time",
                violation_error_message=_("An adopted plan has the time it was adopted."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def label(self) -> str:
        """How the registry's rows name their source: 'change plan «name» v2 (#7)'."""
        return f"change plan «{self.name}» v{self.version} (#{self.pk})"


class PlannedChange(models.Model):
    """One dated change of a plan.

    The date: ``on_date``, or ``offset_days`` after the date of ``after_change`` or of
    ``after_milestone`` (exactly one of the three). What it changes depends on ``kind``:
    ``office_codes`` (the offices it acts on; for an opening, the new office's code),
    ``agency``, ``milestone`` (the one moved), ``new_office`` (name, municipality, county,
    latitude, longitude, counters) and ``hours`` ([[weekday 0-6, "HH:MM", "HH:MM"], …]).
    The forms and `queries.to_change` check these; the database checks the date rule.
    """

    plan = models.ForeignKey(
        ChangePlan, on_delete=models.CASCADE, related_name="changes", verbose_name=_("plan")
    )
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    on_date = models.DateField(_("date"), null=True, blank=True)
    after_change = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("follows change"),
    )
    after_milestone = models.ForeignKey(
        Milestone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planned_followers",
        verbose_name=_("follows milestone"),
    )
    offset_days = models.IntegerField(_("days after"), default=0)
    office_codes = models.JSONField(_("offices"), default=list, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planned_changes",
        verbose_name=_("agency"),
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planned_moves",
        verbose_name=_("milestone moved"),
    )
    new_office = models.JSONField(_("new office"), default=dict, blank=True)
    hours = models.JSONField(_("weekly hours"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("planned change")
        verbose_name_plural = _("planned changes")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"],
                name="plannedchange_position_unique",
                violation_error_message=_("Two changes of a plan cannot have the same position."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        on_date__isnull=False,
                        after_change__isnull=True,
                        after_milestone__isnull=True,
                    )
                    | models.Q(
                        on_date__isnull=True,
                        after_change__isnull=False,
                        after_milestone__isnull=True,
                    )
                    | models.Q(
                        on_date__isnull=True,
                        after_change__isnull=True,
                        after_milestone__isnull=False,
                    )
                ),
                name="plannedchange_one_date_rule",
                violation_error_message=_(
                    "Give a change a date, or the change or milestone it follows — one of them."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.position} {self.get_kind_display()}"


class AdoptedRow(models.Model):
    """A registry row written by adopting a plan: which plan, which change, what was done.

    The registry rows also name the plan in their ``source`` text (offices, offerings)."""

    class Table(models.TextChoices):
        OFFICE = "office", _("office")
        OFFERING = "offering", _("offering")
        HOURS = "hours", _("opening hours period")
        MILESTONE = "milestone", _("milestone")

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")

    plan = models.ForeignKey(
        ChangePlan, on_delete=models.CASCADE, related_name="adopted_rows", verbose_name=_("plan")
    )
    table = models.CharField(_("table"), max_length=10, choices=Table.choices)
    object_id = models.PositiveBigIntegerField(_("row id"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    summary = models.CharField(_("what"), max_length=300)

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("row written by an adopted plan")
        verbose_name_plural = _("rows written by adopted plans")

    def __str__(self) -> str:
        return f"{self.plan}: {self.action} {self.table} {self.object_id}"
