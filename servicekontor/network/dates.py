"""Dated things in the registry as spans of days: the one home of "operating on a day" and
"two dated periods overlap". Pure: no Django.

Two conventions meet here (docs/architecture.md): an office's `opened_on` is its first day
open and `closed_on` its first day closed for good (exclusive); offerings and opening-hours
periods run from `valid_from` to `valid_to`, both inclusive, `valid_to` empty while
open-ended. `DateSpan` holds the inclusive form; `DateSpan.operating` converts an office's
dates into it.

The database forms of the same rules are the query sets beside the models
(`Office.objects.operating_on`, `Offering.objects.valid_on`, `Offering.objects.overlapping`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The days from `first` to `last`, both inclusive; `last=None` runs on without end."""

    first: dt.date
    last: dt.date | None = None

    @classmethod
    def operating(cls, opened_on: dt.date, closed_on: dt.date | None) -> DateSpan:
        """The days an office operates: from its first day open to the day before it closed."""
        return cls(opened_on, None if closed_on is None else closed_on - ONE_DAY)

    def contains(self, day: dt.date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)

    def overlaps(self, other: DateSpan) -> bool:
        """At least one day in common (adjacent spans, one ending the day before the other
        starts, do not overlap)."""
        return (self.last is None or self.last >= other.first) and (
            other.last is None or other.last >= self.first
        )

    def __str__(self) -> str:
        """ "2024-01-01–2024-06-30", or "2024-01-01–…" when open-ended."""
        return f"{self.first.isoformat()}–{self.last.isoformat() if self.last else '…'}"
