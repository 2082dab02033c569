import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.core import clock


class PlanQuestion(models.TextChoices):
    MEASURE = "measure", _("Measure the network")
    PROPOSE = "propose", _("Open K more offices")
    COVER = "cover", _("Cover everyone within R")
    CLOSE = "close", _("Close N offices")


class PlanObjective(models.TextChoices):
    COVERAGE = "coverage", _("Population within R km (maximal covering)")
    DISTANCE = "distance", _("Population-weighted distance (p-median)")


class Scenario(models.Model):
    """A saved planning result: the question asked and a JSON summary of the answer.

    The summary is a snapshot (the registry and the solver may change later); it holds the
    measures before and after, the sites opened, kept and closed, and the solver's figures.
    """

    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="planning_scenarios",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    on_date = models.DateField(_("network on"))
    action = models.CharField(_("question"), max_length=10, choices=PlanQuestion.choices)
    objective = models.CharField(
        _("objective"), max_length=10, choices=PlanObjective.choices, default=PlanObjective.COVERAGE
    )
    k = models.PositiveIntegerField(_("offices to open (K)"), default=0)
    n = models.PositiveIntegerField(_("offices to close (N)"), default=0)
    radius_km = models.FloatField(_("radius (km)"))
    keep = models.CharField(_("offices that must stay"), max_length=2000, blank=True)
    summary = models.JSONField(_("summary"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("planning scenario")
        verbose_name_plural = _("planning scenarios")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(radius_km__gt=0),
                name="planning_scenario_radius_positive",
                violation_error_message=_("The radius must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanRunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Computing")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped; best answer kept")
    FAILED = "failed", _("Failed")


# The solver's stages (optimize.Progress.stage) as the page names them.
STAGE_LABELS = {
    "heuristic": _("heuristic (greedy + interchange)"),
    "Lagrangian bound": _("Lagrangian bound"),
    "branch and bound": _("branch and bound"),
}


class PlanRun(models.Model):
    """A planning question solved in the background (a django-tasks task), with its progress.

    The task writes the solver's incumbent and bound as they improve; the page shows them and
    may ask it to stop (``stop_requested``), after which the best answer so far is kept. The
    question is stored as the form gave it (uploads as their text), so the task can answer it.
    """

    ACTIVE = (PlanRunStatus.QUEUED, PlanRunStatus.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="planning_runs",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    on_date = models.DateField(_("network on"))
    request = models.JSONField(_("question"))
    sites_csv = models.TextField(_("candidate sites (CSV)"), blank=True)
    matrix_csv = models.TextField(_("distance matrix (CSV)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanRunStatus.choices, default=PlanRunStatus.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    incumbent = models.FloatField(_("best answer so far"), null=True, blank=True)
    bound = models.FloatField(_("proven bound"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), default=0.0)
    stop_requested = models.BooleanField(_("stop requested"), default=False)
    summary = models.JSONField(_("summary"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("planning run")
        verbose_name_plural = _("planning runs")

    def __str__(self) -> str:
        return f"{self.request.get('action', '')} {self.on_date} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def gap(self) -> float | None:
        if self.incumbent is None or self.bound is None:
            return None
        return abs(self.incumbent - self.bound) / max(abs(self.incumbent), 1e-12)

    @property
    def gap_percent(self) -> float | None:
        gap = self.gap
        return None if gap is None else 100 * gap

    @property
    def unit(self) -> str:
        """What the incumbent and the bound count."""
        if self.request.get("action") == PlanQuestion.COVER:
            return str(_("offices"))
        if self.request.get("objective") == PlanObjective.DISTANCE:
            return str(_("person-km"))
        return str(_("people within R"))

    @property
    def stage_display(self) -> str:
        return str(STAGE_LABELS.get(self.stage, self.stage))
