"""Provenance of loaded reference data: update what was loaded, keep what an administrator edited.

Every row (or set of rows, e.g. an office's counters) that `load_reference_data` writes is
described by a *state*: a plain, JSON-able value built the same way from the database and from
the CSV files. Its SHA-256 *fingerprint* is stored in `ReferenceRecord` after each write. On
the next load, for each row:

- state in the database == state wanted by the files → nothing to do;
- database fingerprint == the recorded one (nobody edited it since the last load) → write
  the wanted state (the correction reaches an existing installation);
- no record yet, but the fingerprint is one that the loader before provenance wrote
  (`reference_data/loaded_before_provenance.csv`) → also unedited, so written;
- otherwise an administrator edited the row: it is kept and listed in the report.

No Django models are imported here besides `ReferenceRecord`; the caller gives the current
state and a function that writes the wanted one.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servicekontor.core import clock
from servicekontor.network.models import ReferenceRecord

LEGACY_FILE = "loaded_before_provenance.csv"

# JSON-able: dicts, lists or tuples, strings, numbers, None (Any: JSON is recursive, and
# lists of rows are built with precise element types that mypy would not widen).
State = Any


def fingerprint(state: State) -> str:
    """SHA-256 (hex, 64 characters) of the state as canonical JSON (sorted keys)."""
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_legacy(directory: Path) -> dict[tuple[str, str], str]:
    """(kind, key) → fingerprint of what the loader before provenance wrote; {} without file."""
    path = directory / LEGACY_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {(r["kind"], r["key"]): r["fingerprint"] for r in csv.DictReader(handle)}


@dataclass
class SyncReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)  # edited by an administrator

    def add_created(self, kind: str, count: int = 1) -> None:
        if count:
            self.created[kind] = self.created.get(kind, 0) + count

    def __str__(self) -> str:
        parts = []
        if self.created:
            parts.append(
                "created " + ", ".join(f"{n} {k}" for k, n in sorted(self.created.items()))
            )
        if self.updated:
            parts.append(
                "updated " + ", ".join(f"{len(v)} {k}" for k, v in sorted(self.updated.items()))
            )
        if not parts:
            parts.append("nothing new (all reference data already loaded)")
        text = "; ".join(parts)
        for kind, keys in sorted(self.kept.items()):
            text += f"\n  kept (edited since loaded) {kind}: {', '.join(sorted(keys))}"
        return text


class Syncer:
    """Applies the rule above row by row and records fingerprints; one per load."""

    def __init__(self, *, legacy: dict[tuple[str, str], str], report: SyncReport) -> None:
        self.legacy = legacy
        self.report = report
        self.records = {(r.kind, r.key): r for r in ReferenceRecord.objects.all()}

    def _record(self, kind: str, key: str, state: State) -> None:
        value = fingerprint(state)
        record = self.records.get((kind, key))
        if record is None:
            self.records[(kind, key)] = ReferenceRecord.objects.create(
                kind=kind, key=key, fingerprint=value, loaded_at=clock.now()
            )
        elif record.fingerprint != value:
            record.fingerprint = value
            record.loaded_at = clock.now()
            record.save(update_fields=["fingerprint", "loaded_at"])

    def is_unedited(self, kind: str, key: str, current: State) -> bool:
        """Whether the row in the database is what the loader last wrote."""
        value = fingerprint(current)
        record = self.records.get((kind, key))
        if record is not None:
            return record.fingerprint == value
        return self.legacy.get((kind, key)) == value

    def present(self, kind: str, key: str, current: list[State]) -> list[State] | None:
        """A set of rows as current state; an empty set counts as missing until recorded."""
        if current or (kind, key) in self.records:
            return current
        return None

    def sync(
        self,
        *,
        kind: str,
        key: str,
        current: State | None,
        wanted: State,
        write: Callable[[], State],
    ) -> bool:
        """Bring one row to `wanted` unless edited; `current` None = missing (created).

        `write` stores the wanted state and returns the state as read back, whose
        fingerprint is recorded. Returns whether the database now holds `wanted`.
        """
        if current is None:
            self._record(kind, key, write())
            self.report.add_created(kind)
            return True
        if fingerprint(current) == fingerprint(wanted):
            self._record(kind, key, current)
            return True
        if self.is_unedited(kind, key, current):
            self._record(kind, key, write())
            self.report.updated.setdefault(kind, []).append(key)
            return True
        self.report.kept.setdefault(kind, []).append(key)
        return False
