"""Rollups of the visit log, and people's API tokens.

The rollups are derived data: every row is the sum of `measures.visit_contributions` over
the visits of its office, service and local day. They are kept in step inside the
transaction of each change (`rollups.py`) and can be recomputed from the raw log at any time
(`manage.py reconcile_statistics`). `agency` is the service's agency, stored so that
scoping and grouping by agency need no join.
"""

from django.db import models

from servicekontor.catalog.models import Agency, Service
from servicekontor.network.models import Office


class _Rollup(models.Model):
    # no index of its own: the first column of the unique key (decision 0036)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    local_day = models.DateField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.office_id}/{self.service_id}/{self.local_day}"


class _VisitCounters(models.Model):
    """The visit counters, named in `measures.DAY_FIELDS`: counts of visits and errands, and
    seconds (`wait_seconds`, `handled_seconds`), summed over a day (`DayFigures`) or a month
    (`MonthFigures`, the sums of the day rows: the same columns, so the month rollup is one
    INSERT … SELECT SUM of each). Zero where nothing happened."""

    visits_walk_in = models.IntegerField(default=0)
    visits_booked = models.IntegerField(default=0)
    served = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    left_queue = models.IntegerField(default=0)
    not_served = models.IntegerField(default=0)
    transfers = models.IntegerField(default=0)
    called = models.IntegerField(default=0)
    wait_seconds = models.BigIntegerField(default=0)
    errands = models.IntegerField(default=0)
    errand_visits = models.IntegerField(default=0)
    handled_seconds = models.BigIntegerField(default=0)
    interpreter_errands = models.IntegerField(default=0)
    # visits that reached the agency: arrived for it, were transferred to it or had a served
    # errand of it added, once per visit and agency (`measures.reach_contributions`)
    reached = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DayFigures(_Rollup, _VisitCounters):
    """Visit counters per office × service × local day (see measures.DAY_FIELDS)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "service", "local_day"], name="day_figures_key"
            )
        ]
        indexes = [
            models.Index(fields=["local_day", "agency"], name="day_figures_day_agency"),
            models.Index(fields=["office", "local_day"], name="day_figures_office_day"),
        ]


class HourFigures(_Rollup):
    """Arrivals per office × service × local day × local hour (busiest hours)."""

    hour = models.PositiveSmallIntegerField()
    arrivals = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "service", "local_day", "hour"], name="hour_figures_key"
            )
        ]
        indexes = [models.Index(fields=["local_day", "agency"], name="hour_figures_day_agency")]


class WaitFigures(_Rollup):
    """Called visits per office × service × local day × whole minutes waited."""

    minute = models.PositiveIntegerField()
    visits = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "service", "local_day", "minute"], name="wait_figures_key"
            )
        ]
        indexes = [models.Index(fields=["local_day", "agency"], name="wait_figures_day_agency")]


class ErrandFigures(_Rollup):
    """Errands per office × service × local day × outcome × interpreter language."""

    outcome = models.CharField(max_length=24)
    language = models.CharField(max_length=8, blank=True)
    errands = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "service", "local_day", "outcome", "language"],
                name="errand_figures_key",
            )
        ]
        indexes = [models.Index(fields=["local_day", "agency"], name="errand_figures_day_agency")]


class MonthFigures(_VisitCounters):
    """The sums of `DayFigures` per office × service × month (`month`: its first day).

    A coarser grain for long periods: a year of one agency is ~10,000 rows here instead of
    ~220,000 day rows. Kept with the same upserts as the day rows (rollups.py).
    """

    # no index of its own: the first column of the unique key (decision 0036)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "service", "month"], name="month_figures_key")
        ]
        indexes = [models.Index(fields=["month", "agency"], name="month_figures_month_agency")]

    def __str__(self) -> str:
        return f"MonthFigures {self.office_id}/{self.service_id}/{self.month}"


class MonthWaitFigures(models.Model):
    """The wait histogram per office × agency × month (sums of `WaitFigures`): median, p90
    and service level of whole months without a service grouping read these rows."""

    # no index of its own: the first column of the unique key (decision 0036)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", db_index=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    minute = models.PositiveIntegerField()
    visits = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "agency", "month", "minute"], name="month_wait_key"
            )
        ]
        indexes = [models.Index(fields=["month", "agency"], name="month_wait_month_agency")]

    def __str__(self) -> str:
        return f"MonthWaitFigures {self.office_id}/{self.agency_id}/{self.month}"


class OccupancyFigures(models.Model):
    """Signed-in and serving seconds of an office's officers on a closed local day.

    Built after the day (`roll_up_occupancy`): an interval is only known when the next
    desk-status row arrives. Today's occupancy is read live from the desk-status log.
    """

    # no index of its own: the first column of the unique key (decision 0036)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", db_index=False)
    local_day = models.DateField()
    signed_in_seconds = models.BigIntegerField(default=0)
    serving_seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "local_day"], name="occupancy_key")
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.local_day}"
