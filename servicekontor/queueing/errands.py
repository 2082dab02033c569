"""Errands of a visit: attributing the serving time to what was done for which service.

Called by the desk use cases in `services.py` inside their transaction (the visit's row has
just been changed by compare-and-swap there, so two tabs cannot both write errands: the loser
gets `InvalidTransition` before reaching this code, or the whole transaction rolls back).
The seconds come from the event log through `intervals.seconds_in_state`, so an errand's
seconds and the statistics' service time are the same seconds.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from servicekontor.accounts.models import User
from servicekontor.catalog.models import Service
from servicekontor.core.languages import is_language_code
from servicekontor.queueing.errors import NotOffered
from servicekontor.queueing.intervals import seconds_in_state, split_seconds
from servicekontor.queueing.models import Errand, Outcome, Visit, VisitEvent, VisitState
from servicekontor.queueing.signals import errands_recorded

# ISO 639-1: two lowercase letters (a list would go stale; the code is validated by shape).


@dataclass(frozen=True)
class ErrandPart:
    """One errand as the officer records it. `weight` splits the unattributed time
    (e.g. minutes as the officer estimates them); only the ratio between parts matters."""

    service: Service
    outcome: str
    interpreter_used: bool = False
    interpreter_language: str = ""
    weight: int = 1


def clean_language(*, interpreter_used: bool, language: str) -> str:
    """The language code in lower case; raises NotOffered (400) for a malformed code or a
    language without an interpreter."""
    code = language.strip().lower()
    if code and not interpreter_used:
        raise NotOffered(_("Record a language only when an interpreter was used."))
    if code and not is_language_code(code):
        raise NotOffered(_("Give the language as a code from the list, e.g. ar, so or prs."))
    return code


def _written(visit_id: int) -> list[tuple[int, int | None]]:
    """The visit's errands so far as (service_seconds, agency id) rows, the agency None for a
    part handed on by a transfer (it serves no agency: `first_for_agency`): one read serves
    both `unattributed_seconds` and `write_errands`."""
    rows = Errand.objects.filter(visit_id=visit_id)
    return [
        (seconds, None if outcome == Outcome.TRANSFERRED else agency)
        for seconds, agency, outcome in rows.values_list(
            "service_seconds", "service__agency_id", "outcome"
        )
    ]


def unattributed_seconds(
    visit: Visit,
    *,
    now: dt.datetime,
    written: list[tuple[int, int | None]] | None = None,
    events: Sequence[tuple[dt.datetime, str]] | None = None,
) -> int:
    """Seconds the visit has been served (state `serving`) not yet given to an errand.

    `written`: the visit's errands as `_written` reads them, when the caller has them;
    `events`: the visit's events as (at, to_state) in log order, when the caller has them."""
    if events is None:
        rows = VisitEvent.objects.filter(visit_id=visit.pk).order_by("at", "id")
        events = list(rows.values_list("at", "to_state"))
    served = seconds_in_state(events, state=VisitState.SERVING, until=now)
    if written is None:
        written = _written(visit.pk)
    given = sum(seconds for seconds, _agency in written)
    return max(0, served - given)


def write_errands(
    visit: Visit,
    *,
    parts: Sequence[ErrandPart],
    seconds: int,
    now: dt.datetime,
    officer: User | None,
    written: list[tuple[int, int | None]] | None = None,
) -> list[Errand]:
    """Append `parts` to the visit's errands, splitting `seconds` by their weights.

    `first_for_agency` marks the visit's first *served* errand of an agency: a part handed
    on by a transfer (outcome "transferred") is never first and does not count as seen, so
    a visit transferred between two services of one agency, or back to it, still counts once
    as that agency's served visit (docs/statistics.md).

    `written`: the visit's errands as `_written` reads them, when the caller has them."""
    if not parts:
        return []
    if written is None:
        written = _written(visit.pk)
    existing = [agency for _seconds, agency in written]
    seen_agencies = set(existing)
    shares = split_seconds(seconds, [p.weight for p in parts]) if seconds else [0] * len(parts)
    rows = []
    for i, (part, share) in enumerate(zip(parts, shares, strict=True)):
        agency_id = None if part.outcome == Outcome.TRANSFERRED else part.service.agency_id
        rows.append(
            Errand(
                visit=visit,
                position=len(existing) + i + 1,
                service=part.service,
                outcome=part.outcome,
                interpreter_used=part.interpreter_used,
                interpreter_language=clean_language(
                    interpreter_used=part.interpreter_used, language=part.interpreter_language
                ),
                service_seconds=share,
                first_for_agency=agency_id is not None and agency_id not in seen_agencies,
                recorded_at=now,
                officer=officer,
            )
        )
        seen_agencies.add(agency_id)
    created = Errand.objects.bulk_create(rows)
    errands_recorded.send(sender=Errand, visit=visit, errands=created)
    return created


def close_part_before_transfer(
    visit: Visit,
    *,
    now: dt.datetime,
    officer: User | None,
    service: Service | None = None,
    events: Sequence[tuple[dt.datetime, str]] | None = None,
    written: list[tuple[int, int | None]] | None = None,
) -> None:
    """The part served before a transfer becomes an errand of the old service (`service`,
    else the visit's; outcome "transferred"), so that agency's time counts for it; nothing
    if nothing was served. `events`, `written`: as `write_unattributed` takes them, when the
    caller has them."""
    if written is None:
        written = _written(visit.pk)
    seconds = unattributed_seconds(visit, now=now, written=written, events=events)
    if seconds > 0:
        write_errands(
            visit,
            parts=[ErrandPart(service=service or visit.service, outcome=Outcome.TRANSFERRED)],
            seconds=seconds,
            now=now,
            officer=officer,
            written=written,
        )


def write_unattributed(
    visit: Visit,
    *,
    parts: Sequence[ErrandPart],
    now: dt.datetime,
    officer: User | None,
    events: Sequence[tuple[dt.datetime, str]] | None = None,
    written: list[tuple[int, int | None]] | None = None,
) -> list[Errand]:
    """`write_errands` with the seconds not yet given to an errand (`unattributed_seconds`),
    reading the visit's errands once for both. `events`: the visit's events as (at,
    to_state) in log order, and `written`: its errands as `_written` reads them, when the
    caller has them (a finish on PostgreSQL)."""
    if written is None:
        written = _written(visit.pk)
    seconds = unattributed_seconds(visit, now=now, written=written, events=events)
    return write_errands(
        visit, parts=parts, seconds=seconds, now=now, officer=officer, written=written
    )
