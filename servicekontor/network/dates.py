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
from collections.abc import Iterable, Sequence
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


def uncovered(span: DateSpan, covers: Iterable[DateSpan]) -> list[DateSpan]:
    """The parts of ``span`` that no span of ``covers`` contains, in order: the days an
    office operates without any offering (decision 0101: an open office offers some
    agency's services)."""
    gaps: list[DateSpan] = []
    day: dt.date | None = span.first
    for c in sorted(covers, key=lambda c: c.first):
        if day is None or (span.last is not None and day > span.last):
            break
        if c.last is not None and c.last < day:
            continue
        if c.first > day:
            end = c.first - ONE_DAY
            gaps.append(DateSpan(day, end if span.last is None else min(end, span.last)))
        day = None if c.last is None else max(day, c.last + ONE_DAY)
    if day is not None and (span.last is None or day <= span.last):
        gaps.append(DateSpan(day, span.last))
    return gaps


def new_gaps(
    span: DateSpan, covers: Iterable[DateSpan], *, before: Sequence[DateSpan] = ()
) -> list[DateSpan]:
    """`uncovered` days of ``span`` that were not already uncovered before an edit:
    ``before`` is [the office's span as saved, *the offerings as saved] (empty for a new
    office). A gap inside an old gap is not new (records from before the offices offered
    anything are kept as they are)."""
    old = uncovered(before[0], before[1:]) if before else []
    return [
        g
        for g in uncovered(span, covers)
        if not any(
            o.first <= g.first and (o.last is None or (g.last is not None and g.last <= o.last))
            for o in old
        )
    ]
