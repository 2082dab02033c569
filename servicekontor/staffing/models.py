"""The roster: shifts of officers at their offices (entered in the admin or imported from CSV).

A shift is one officer's working time at one office on one local day, with an optional
unpaid break inside it. Times are local wall-clock times (Europe/Stockholm) of that day.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from servicekontor.network.models import Office


class Shift(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("officer"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("office")
    )
    day = models.DateField(_("day"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    break_start = models.TimeField(_("break starts"), null=True, blank=True)
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=0)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["day", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["officer", "day", "start"],
                name="shift_unique_start",
                violation_error_message=_("This officer already has a shift starting then."),
            ),
        ]
        indexes = [models.Index(fields=["office", "day"], name="shift_office_day")]

    def __str__(self) -> str:
        return f"{self.officer} {self.office_id} {self.day} {self.start:%H:%M}-{self.end:%H:%M}"

    def minute_span(self) -> tuple[int, int]:
        return self.start.hour * 60 + self.start.minute, self.end.hour * 60 + self.end.minute

    def at_work(self, minute: int) -> bool:
        """Working (not on break) at ``minute`` after local midnight."""
        start, end = self.minute_span()
        if not start <= minute < end:
            return False
        if self.break_start is not None and self.break_minutes:
            b = self.break_start.hour * 60 + self.break_start.minute
            return not b <= minute < b + self.break_minutes
        return True

    @property
    def paid_minutes(self) -> int:
        start, end = self.minute_span()
        return end - start - (self.break_minutes if self.break_start is not None else 0)


def minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute
