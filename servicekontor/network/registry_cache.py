"""Registry reads that are the same for every citizen, in the shared cache under a version key.

The kiosk and the citizen's booking pages read the same few registry facts on every request:
an office's opening rules (`schedule_of`: two statements), the offices offering a service on
a day (the search), an office by its code, a bookable service with its agency. They change
only when someone edits the registry, so they are kept in the shared cache (Redis in
production, decision 0027's pattern for the screens) under `VERSION_KEY`, and every change of
a registry row replaces the version:

- every save or delete of a row these reads come from (signals connected in `apps.py`,
  `REGISTRY_MODELS`, plus the counters' capabilities), at once and again after the commit:
  a request that read the old rows between the change and its commit may have stored them
  under the version of the moment; the bump after commit retires them;
- the bulk writes that send no signals (`QuerySet.update`, `bulk_create`, deleting a
  related set) call `registry_changed()` themselves (milestone dates, change plans, the
  reference data).

Each entry is stored with the version it was built under, and a reader asks the version
and the entry in one round trip (`cached`: one Redis MGET); an entry whose version is not the
current one is built again, so after a change no one is served the registry as it was
(tests: `network/tests/test_registry_cache.py`). Entries expire after `TIMEOUT_S` only to
free memory. Reads that decide a write under a lock (a booking) read the database, not this.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import get_language

from servicekontor.catalog.models import Agency, Service
from servicekontor.core import sessions
from servicekontor.network import opening_hours
from servicekontor.network.models import (
    Milestone,
    Offering,
    Office,
    OpeningException,
    OpeningHoursPeriod,
    OutreachRule,
    ServicePoint,
    WeeklyHours,
)
from servicekontor.network.queries import offices_offering as _offices_offering
from servicekontor.network.queries import schedule_of

VERSION_KEY = "network:registry-version"
sessions.with_session(VERSION_KEY)  # read with a signed-in request's session
TIMEOUT_S = 3600
T = TypeVar("T")


def registry_models() -> tuple[type[models.Model], ...]:
    """The models whose rows the cached reads come from (signals in `apps.py`)."""
    return (
        Agency,
        Service,
        Milestone,
        Office,
        OpeningHoursPeriod,
        WeeklyHours,
        OpeningException,
        OutreachRule,
        Offering,
        ServicePoint,
    )


def version() -> str:
    """The registry's current version tag (made on first use). A signed-in request has it
    from its session's round trip (`core.sessions`, decision 0092)."""
    taken, current = sessions.taken_with_session(VERSION_KEY)
    if not taken or current is None:
        current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), None)
        current = cache.get(VERSION_KEY)
    return str(current)


def _bump() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(8), None)
    sessions.forget(VERSION_KEY)


def registry_changed(**_signal: object) -> None:
    """A registry row changed: retire every entry now and again once the change commits."""
    _bump()
    transaction.on_commit(_bump)


def _key(name: str, parts: tuple[object, ...]) -> str:
    # "tagged": entries of this shape only (the keys before named the version instead)
    return f"network:registry:tagged:{name}:" + ":".join(str(p) for p in parts)


def cached(
    name: str, parts: tuple[object, ...], build: Callable[[], T], *, keep_empty: bool = True
) -> T:
    """`build()`'s value for `parts` under the current registry version, built on a miss.

    `keep_empty=False` for a lookup keyed by what a request names (an office's code in a URL):
    an empty answer (no such row) is not kept, so made-up names cannot fill the shared cache
    with an entry each for an hour; a name nobody has costs an index lookup each time.

    The entry is stored as (version, value) under a key without the version, and read with
    the version in one MGET (it was a GET of the version, then a GET of a key naming it: two
    round trips, each about 0.1 ms of the app's CPU, on every board poll and kiosk page). It
    is used only if its version is the current one. A reader that built from rows as they
    were before a change stores them under the version it read, which the bump after the
    commit retires (`registry_changed`), as before; one that overwrites a newer entry with an
    older version only makes the next reader build again."""
    key = _key(name, parts)
    found: dict[str, Any] = cache.get_many([VERSION_KEY, key])
    current = found.get(VERSION_KEY)
    current = version() if current is None else str(current)
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return entry[1]
    value = build()
    if keep_empty or value:
        cache.set(key, (current, value), TIMEOUT_S)
    return value


# `cached_here`'s copies: the registry version they were read under, and the values by name
# and parts (dropped whole when the version moves, or when there are more than
# `HERE_ENTRIES`).
_HERE: dict[str, Any] = {"version": None, "entries": {}}
HERE_ENTRIES = 2048


def cached_here(name: str, parts: tuple[object, ...], build: Callable[[], T]) -> T:
    """`cached`, and kept in this process under the registry version: while the version is
    the same, the value is not read from the shared cache again (one Redis GET for the
    version instead of two and the unpickling), and never served under another version.
    Only for values no caller changes (they are shared by the process's requests)."""
    current = version()
    if _HERE["version"] != current or len(_HERE["entries"]) >= HERE_ENTRIES:
        _HERE["version"], _HERE["entries"] = current, {}
    key = (name, *parts)
    entries: dict[tuple[object, ...], Any] = _HERE["entries"]
    if key in entries:
        found: T = entries[key]
        return found
    value = cached(name, parts, build)
    entries[key] = value
    return value


_CODE = re.compile(r"[-a-zA-Z0-9_]{1,60}")  # Office.code, Agency.code: slugs of 60 at most


def possible_code(code: str) -> bool:
    """Whether `code` could be an office's or an agency's code (a slug of 60 at most): one that
    cannot is not looked up, nor cached."""
    return bool(_CODE.fullmatch(code))


def schedule(office: Office) -> opening_hours.Schedule:
    """`network.queries.schedule_of(office)` in the active language, from the cache."""
    return cached("schedule", (office.pk, get_language() or "sv"), lambda: schedule_of(office))


def schedules(offices: list[Office]) -> dict[int, opening_hours.Schedule]:
    """`schedule` of each office by id, read in one MGET (the finder's ten results: one round
    trip, not ten); a missing or stale entry is built and stored as `cached` does."""
    language = get_language() or "sv"
    keys = {o.pk: _key("schedule", (o.pk, language)) for o in offices}
    found: dict[str, Any] = cache.get_many([VERSION_KEY, *keys.values()])
    current = found.get(VERSION_KEY)
    current = version() if current is None else str(current)
    result = {}
    for office in offices:
        entry = found.get(keys[office.pk])
        if entry is not None and entry[0] == current:
            result[office.pk] = entry[1]
        else:
            result[office.pk] = schedule(office)
    return result


def open_states(offices: list[Office], at: dt.datetime) -> dict[int, OpenNow]:
    """`open_now` of each office at `at`, by office id, the schedules read in one MGET."""
    return {office_id: _state(rules, at) for office_id, rules in schedules(offices).items()}


@dataclass(frozen=True)
class OpenNow:
    """Whether the office is inside an open interval at an instant, and the interval's end
    or the next opening (aware UTC instants; None: closes never / opens never again).

    The one answer to "open now / closes at / opens next" for every screen that says it: the
    kiosk, the lobby display, the check-in kiosk, the office page (walk finding 2026-12-01:
    the display welcomed people while the kiosk said closed)."""

    is_open: bool
    closes_at: dt.datetime | None
    next_opening: dt.datetime | None

    @property
    def token(self) -> str:
        """A short tag that changes exactly when the state a screen shows changes: "o<closes
        at>" while open, "c<next opening>" while closed (epoch seconds; "c-" never again).
        Part of the lobby board's version, so the board turns at opening and closing time
        without a queue event."""
        if self.is_open:
            return f"o{int(self.closes_at.timestamp())}" if self.closes_at else "o-"
        return f"c{int(self.next_opening.timestamp())}" if self.next_opening else "c-"


def open_now(*, office: Office, at: dt.datetime) -> OpenNow:
    """The office's opening state at `at` (holidays, eves, exceptions, closing for good
    applied: `network.opening_hours`). The schedule from the shared registry cache (no query
    while the registry is unchanged)."""
    return _state(schedule(office), at)


def _state(rules: opening_hours.Schedule, at: dt.datetime) -> OpenNow:
    closes = opening_hours.closing_time(rules, at)
    if closes is not None:
        return OpenNow(is_open=True, closes_at=closes, next_opening=None)
    return OpenNow(
        is_open=False, closes_at=None, next_opening=opening_hours.next_opening(rules, at)
    )


def offices_offering(*, service: Service, day: dt.date) -> list[Office]:
    """The operating offices offering the service on the day (`queries.offices_offering`),
    from the cache."""
    return cached(
        "offering",
        (service.pk, day.isoformat()),
        lambda: list(_offices_offering(service=service, day=day)),
    )


def office_by_code(code: str) -> Office | None:
    """The office with this code (any, operating or not), or None, from the cache."""
    if not possible_code(code):
        return None
    found = cached(
        "office", (code,), lambda: [*Office.objects.filter(code=code)[:1]], keep_empty=False
    )
    return found[0] if found else None


def agency_by_code(code: str) -> Agency | None:
    """The agency with this code, or None, from the cache (the kiosk's agency page)."""
    if not possible_code(code):
        return None
    found = cached(
        "agency", (code,), lambda: [*Agency.objects.filter(code=code)[:1]], keep_empty=False
    )
    return found[0] if found else None


def service_with_agency(service_id: int) -> Service | None:
    """The service with its agency, or None, from the cache."""
    found = cached(
        "service",
        (service_id,),
        lambda: [*Service.objects.select_related("agency").filter(pk=service_id)[:1]],
        keep_empty=False,
    )
    return found[0] if found else None
