"""What a registry change does to what is built on the registry, asked before it is saved and
applied when it is.

A closure, shortened hours, an office closing for good, an ended offering, a deactivated
counter: each can take away capacity that citizens have already booked. `network` may not
import `appointments` (docs/architecture.md), so it asks through two signals that apps to its
right answer (`appointments.apps` connects the receivers):

- `capacity_preview(offices)` → each receiver returns a list of `Affected`: what the registry
  as it stands now (inside the change's transaction, before commit) no longer has room for.
- `capacity_reduced(offices)` → each receiver acts (cancels, tells the citizens after commit)
  and returns the `Affected` it acted on; sent inside the change's transaction, so the change
  and its consequences commit together or not at all.

The admin (`network.admin.impact.CapacityGuard`) previews, asks for a confirmation naming
every affected item (`fingerprint` ties the confirmation to exactly that list), then applies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.dispatch import Signal

from servicekontor.network.models import Office

capacity_preview = Signal()
capacity_reduced = Signal()


@dataclass(frozen=True)
class Affected:
    """One thing a change affects, described for the person making the change."""

    key: str  # stable identity, e.g. "booking:123:4" (id and version)
    office: str
    starts_at: dt.datetime
    what: str  # e.g. "ABCD-2345 · Försäkringskassan – Föräldrapenning"
    reason: str  # why it no longer fits, in the active language


def _collect(signal: Signal, offices: Sequence[Office]) -> list[Affected]:
    items: list[Affected] = []
    for _receiver, result in signal.send(sender=Office, offices=offices):
        items.extend(result or [])  # type: ignore[arg-type]  # receivers return list[Affected]
    return sorted(items, key=lambda a: (a.starts_at, a.key))


def preview(offices: Iterable[Office]) -> list[Affected]:
    """What the registry as it now stands leaves without room (nothing is changed)."""
    return _collect(capacity_preview, list(offices))


def apply(offices: Iterable[Office]) -> list[Affected]:
    """Act on what the registry as it now stands leaves without room; call inside the
    transaction of the change."""
    return _collect(capacity_reduced, list(offices))


def fingerprint(items: Iterable[Affected]) -> str:
    """A short hash of exactly these items (empty list → ""): a confirmation given for one
    list is not taken for another."""
    keys = sorted(a.key for a in items)
    if not keys:
        return ""
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:32]
