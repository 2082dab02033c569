"""The dates of a plan's changes: fixed, or following another change or a milestone.

Pure (no Django). A change has either its own date, or an anchor — another change of the plan
or a registry milestone — and an offset in days from the anchor's date. Dates are resolved
from the anchors, so moving one date moves everything that follows it, however long the chain.

A milestone's date is the registry's, unless the plan itself moves that milestone (a change
of kind "move milestone"): then everything anchored to the milestone follows the moved date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass


class DependencyError(ValueError):
    """The dates cannot be resolved: a cycle, an unknown anchor or a date outside the
    calendar. The message names the change."""


@dataclass(frozen=True)
class DatedItem:
    """One change as far as its date is concerned.

    Exactly one of ``on_date``, ``after_change`` and ``after_milestone`` is set;
    ``offset_days`` counts from the anchor (0: the same day). ``moves_milestone`` names the
    milestone that this change moves to its own (resolved) date, if it is such a change.
    """

    key: Hashable
    on_date: dt.date | None = None
    after_change: Hashable | None = None
    after_milestone: str | None = None
    offset_days: int = 0
    moves_milestone: str | None = None


def resolve_dates(
    items: Sequence[DatedItem], milestone_dates: Mapping[str, dt.date]
) -> dict[Hashable, dt.date]:
    """key -> resolved date for every item.

    ``milestone_dates``: the registry's milestone dates by code. Raises DependencyError for a
    cycle (a change that follows itself, directly or through others, including through a
    milestone the plan moves), an anchor that is not in the plan or the registry, or an item
    with no date at all. O(items) with memoisation.
    """
    by_key = {item.key: item for item in items}
    mover = {item.moves_milestone: item.key for item in items if item.moves_milestone}
    resolved: dict[Hashable, dt.date] = {}
    visiting: set[Hashable] = set()

    def milestone_date(code: str, asking: Hashable) -> dt.date:
        if code in mover:
            return date_of(mover[code])
        if code not in milestone_dates:
            raise DependencyError(f"change {asking}: unknown milestone {code!r}")
        return milestone_dates[code]

    def date_of(key: Hashable) -> dt.date:
        if key in resolved:
            return resolved[key]
        if key in visiting:
            raise DependencyError(f"change {key}: its date depends on itself")
        item = by_key.get(key)
        if item is None:
            raise DependencyError(f"unknown change {key}")
        visiting.add(key)
        if item.after_change is not None:
            if item.after_change not in by_key:
                raise DependencyError(f"change {key}: follows a change not in the plan")
            base = date_of(item.after_change)
        elif item.after_milestone is not None:
            base = milestone_date(item.after_milestone, key)
        elif item.on_date is not None:
            base = item.on_date
        else:
            raise DependencyError(f"change {key}: no date and nothing to follow")
        try:
            day = base + dt.timedelta(days=item.offset_days)
        except OverflowError:
            raise DependencyError(f"change {key}: the offset leaves the calendar") from None
        visiting.discard(key)
        resolved[key] = day
        return day

    for item in items:
        date_of(item.key)
    return resolved


def dependants(items: Sequence[DatedItem], key: Hashable) -> list[Hashable]:
    """The keys of every item whose date follows ``key`` (directly or through a chain, and
    through a milestone that ``key`` moves), in the order of ``items``."""
    by_key = {item.key: item for item in items}
    moved = by_key[key].moves_milestone if key in by_key else None
    out: list[Hashable] = []
    frontier = {key}
    moved_codes = {moved} if moved else set()
    changed = True
    while changed:
        changed = False
        for item in items:
            if item.key in frontier or item.key in out:
                continue
            if item.after_change in frontier or (
                item.after_milestone is not None and item.after_milestone in moved_codes
            ):
                out.append(item.key)
                frontier.add(item.key)
                if item.moves_milestone:
                    moved_codes.add(item.moves_milestone)
                changed = True
    order = {item.key: i for i, item in enumerate(items)}
    return sorted(out, key=order.__getitem__)
