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
