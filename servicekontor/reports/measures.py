"""The statistics' definitions, once: what one visit contributes to each figure. Pure.

No Django here: plain rows in (a visit, its events in log order, its errands), plain counters
out. The rollups are kept up to date with exactly these contributions (the difference
before and after each change, see `rollups.py`), `reconcile_statistics` recomputes them from
the raw log with the same functions, and the aggregation in `queries.py` only sums them. The
definitions in words are in docs/statistics.md.

Keys (every figure belongs to the visit's local day, `Visit.local_day`, the day it arrived):

- `("day", office, service, day)`: visit counters (see `DAY_FIELDS`);
- `("hour", office, service, day, hour)`: arrivals by local hour (busiest hours);
- `("wait", office, service, day, minute)`: called visits by whole minutes waited (median, p90
  and service level come from this histogram);
- `("errand", office, service, day, outcome, language)`: errands by outcome and interpreter
  language (`""` no interpreter, `UNKNOWN_LANGUAGE` interpreter without a language).

Which service a figure counts for: arrivals, walk-in/booked and the wait for the service the
visit arrived for (the first call always happens before any transfer); an ending (served,
no-show, left, not served at closing) for the service the visit had when it ended; a transfer
for the service it left; an errand for the errand's service (a part handed on by a transfer
only its seconds, for the service it was served for: `errand_contributions`).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UNKNOWN_LANGUAGE = "und"  # ISO 639-2 "undetermined": an interpreter, language not recorded
# The outcome of the part served before a transfer (`queueing.models.Outcome.TRANSFERRED`):
# its seconds are the old service's handled time, but it is not an errand and not a served
# visit of that service (docs/statistics.md; decision 0053).
HANDED_ON = "transferred"

DAY_FIELDS = (
    "visits_walk_in",
    "visits_booked",
    "served",
    "no_show",
    "left_queue",
    "not_served",
    "transfers",
    "called",
    "wait_seconds",
    "errands",
    "errand_visits",
    "handled_seconds",
    "interpreter_errands",
    "reached",
)

Key = tuple[object, ...]
Contributions = dict[Key, dict[str, int]]


@dataclass(frozen=True)
class VisitRow:
    """The fields of a visit that never change after it is created."""

    visit_id: int
    office_id: int
    local_day: dt.date
    booked: bool  # came by appointment (checked in, or a booking nobody came to)
    arrived_at: dt.datetime  # ticket or check-in instant (UTC)
    booked_start: dt.datetime | None


@dataclass(frozen=True)
class EventRow:
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    service_id: int  # the service after the change


@dataclass(frozen=True)
class ErrandRow:
    service_id: int
    outcome: str
    interpreter_used: bool
    language: str
    seconds: int
    first_for_agency: bool


def wait_start(visit: VisitRow) -> dt.datetime:
    """When the wait starts: the ticket; for a booked visit the later of check-in and the
    booked time (someone early waits for their time, not for the queue)."""
    if visit.booked and visit.booked_start is not None:
        return max(visit.arrived_at, visit.booked_start)
    return visit.arrived_at


def wait_seconds(visit: VisitRow, events: Sequence[EventRow]) -> int | None:
    """Whole seconds from `wait_start` to the first call (0 if called before it), or None if
    never called. Recalls, holds and transfers come after the first call and do not change
    it."""
    for event in events:
        if event.action == "call":
            waited = event.at.astimezone(dt.UTC) - wait_start(visit).astimezone(dt.UTC)
            return max(0, int(waited.total_seconds()))
    return None


def local_hour(instant: dt.datetime) -> int:
    return instant.astimezone(STOCKHOLM).hour


def _add(out: Contributions, key: Key, field: str, value: int = 1) -> None:
    if value:
        row = out.setdefault(key, {})
        row[field] = row.get(field, 0) + value


def visit_contributions(
    visit: VisitRow,
    events: Sequence[EventRow],
    errands: Sequence[ErrandRow],
    agency_of: Mapping[int, int] | None = None,
) -> Contributions:
    """What one visit adds to each rollup key, given its events (log order) and errands.

    Adding the result over any set of visits gives the rollups for those visits; the
    difference between two calls (before and after a change) is the change to apply.
    `agency_of` (service id → agency id) gives the visits that reached each agency
    (`reach_contributions`); without it that counter is left out (a test of the others).
    """
    out = event_contributions(visit, events)
    add_into(out, errand_contributions(visit, errands))
    if agency_of is not None:
        add_into(out, reach_contributions(visit, events, errands, agency_of))
    return out


def reach_contributions(
    visit: VisitRow,
    events: Sequence[EventRow],
    errands: Sequence[ErrandRow],
    agency_of: Mapping[int, int],
) -> Contributions:
    """The visits that reached each agency (`reached`, the agency's "visits"): once per visit
    and agency that the visit arrived for, was transferred to, or had a served errand of
    (one added for another agency's service at the desk or at the finish). Counted for the
    service through which it first reached the agency: the first event with a service of the
    agency (every event's service is the one it arrived for or was transferred to), else the
    agency's first served errand (`first_for_agency`; a part handed on is not one). So an
    agency's served visits (`errand_visits`) and finished visits never exceed its visits
    (decision 0053 left this open). A booking recorded as nobody came (a visit created
    straight in `no_show`) reaches nobody: it is a no-show, not a visit (decision 0059)."""
    out: Contributions = {}
    if events and events[0].from_state == "" and events[0].action == "no_show":
        return out
    o, d = visit.office_id, visit.local_day
    seen: set[int] = set()
    for event in events:
        agency = agency_of[event.service_id]
        if agency not in seen:
            seen.add(agency)
            _add(out, ("day", o, event.service_id, d), "reached")
    for errand in errands:
        if errand.outcome == HANDED_ON or not errand.first_for_agency:
            continue
        agency = agency_of[errand.service_id]
        if agency not in seen:
            seen.add(agency)
            _add(out, ("day", o, errand.service_id, d), "reached")
    return out


def event_contributions(visit: VisitRow, events: Sequence[EventRow]) -> Contributions:
    """The part of `visit_contributions` that comes from the events (independent of the
    errands, so a change of one never needs the other)."""
    out: Contributions = {}
    if not events:
        return out
    o, d = visit.office_id, visit.local_day
    first = events[0]
    # An arrival: a ticket or a check-in. A booking recorded as nobody came (a visit created
    # straight in `no_show`) is a no-show, not a visit and not an arrival (decision 0059).
    if first.from_state == "" and first.action != "no_show":
        kind = "visits_booked" if visit.booked else "visits_walk_in"
        _add(out, ("day", o, first.service_id, d), kind)
        _add(out, ("hour", o, first.service_id, d, local_hour(visit.arrived_at)), "arrivals")
    previous_service = first.service_id
    called = False
    for event in events:
        service = event.service_id
        if event.action == "call" and not called:
            called = True
            waited = wait_seconds(visit, [event])
            assert waited is not None
            _add(out, ("day", o, service, d), "called")
            _add(out, ("day", o, service, d), "wait_seconds", waited)
            _add(out, ("wait", o, service, d, waited // 60), "visits")
        elif event.action == "transfer":
            _add(out, ("day", o, previous_service, d), "transfers")
        elif event.action == "finish":
            _add(out, ("day", o, service, d), "served")
        elif event.action == "no_show":
            field = "left_queue" if event.from_state == "called" else "no_show"
            _add(out, ("day", o, service, d), field)
        elif event.action == "close":
            _add(out, ("day", o, service, d), "not_served")
        previous_service = service
    return out


def errand_contributions(visit: VisitRow, errands: Sequence[ErrandRow]) -> Contributions:
    """The part of `visit_contributions` that comes from the errands: each errand on its own
    (its agency's first served errand of the visit is marked on the row). A part handed on
    by a transfer (`HANDED_ON`) adds its seconds to the old service's handled time and
    nothing else: it is neither an errand nor a served visit."""
    out: Contributions = {}
    o, d = visit.office_id, visit.local_day
    for errand in errands:
        key = ("day", o, errand.service_id, d)
        _add(out, key, "handled_seconds", errand.seconds)
        if errand.outcome == HANDED_ON:
            continue  # the time only: a transfer is not an errand of the service it left
        _add(out, key, "errands")
        _add(out, key, "errand_visits", int(errand.first_for_agency))
        _add(out, key, "interpreter_errands", int(errand.interpreter_used))
        language = (errand.language or UNKNOWN_LANGUAGE) if errand.interpreter_used else ""
        _add(out, ("errand", o, errand.service_id, d, errand.outcome, language), "errands")
    return out


def add_into(total: Contributions, part: Mapping[Key, Mapping[str, int]], sign: int = 1) -> None:
    """`total += sign * part`, dropping fields and keys that become zero."""
    for key, fields in part.items():
        row = total.setdefault(key, {})
        for field, value in fields.items():
            new = row.get(field, 0) + sign * value
            if new:
                row[field] = new
            else:
                row.pop(field, None)
        if not row:
            del total[key]


def difference(
    before: Mapping[Key, Mapping[str, int]], after: Mapping[Key, Mapping[str, int]]
) -> Contributions:
    """`after − before`, without zero entries: what a change adds to the rollups."""
    out: Contributions = {}
    add_into(out, after)
    add_into(out, before, -1)
    return out


# --- reading the histogram ---------------------------------------------------------------


def percentile_minute(histogram: Mapping[int, int], share: float) -> int | None:
    """The nearest-rank percentile of a histogram of whole minutes: the smallest minute m
    with at least `share` of the visits at m or below (PostgreSQL `percentile_disc`). None
    for an empty histogram. `share` in (0, 1]."""
    total = sum(histogram.values())
    if total == 0:
        return None
    running = 0
    for minute in sorted(histogram):
        running += histogram[minute]
        # running / total, as PostgreSQL's cume_dist compares it (not share * total, which
        # rounds differently: 0.9 * 70 > 63 in floating point, 63 / 70 == 0.9)
        if running / total >= share:
            return minute
    return max(histogram)


def within_target(histogram: Mapping[int, int], *, target_minutes: int) -> int:
    """Visits called within the target: a wait shorter than `target_minutes` (so at most
    14:59 for 15)."""
    return sum(n for minute, n in histogram.items() if minute < target_minutes)


# --- officer occupancy from the desk-status log -------------------------------------------


@dataclass(frozen=True)
class DeskRow:
    officer_id: int
    office_id: int
    at: dt.datetime
    status: str  # idle, break, back_office, serving, signed_out


def occupancy(
    rows: Iterable[DeskRow], *, until: dt.datetime
) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """Signed-in and serving seconds per (office, local day) from the desk-status log.

    An officer is signed in from each row until their next row, unless the row is
    `signed_out`; serving while the status is `serving`. Intervals are split at local
    midnight (an interval is counted on each local day it covers) and an interval without a
    next row ends at `until` or at the end of its local day, whichever is first (assumption:
    a desk left signed in overnight does not count while the office is closed).
    """
    by_officer: dict[int, list[DeskRow]] = defaultdict(list)
    for row in rows:
        by_officer[row.officer_id].append(row)
    out: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for officer_rows in by_officer.values():
        officer_rows.sort(key=lambda r: r.at)
        for i, row in enumerate(officer_rows):
            if row.status == "signed_out":
                continue
            # In UTC: two instants with the same ZoneInfo subtract as wall clocks (DST).
            start = row.at.astimezone(dt.UTC)
            day = start.astimezone(STOCKHOLM).date()
            day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), STOCKHOLM)
            if i + 1 < len(officer_rows):
                end = officer_rows[i + 1].at.astimezone(dt.UTC)
            else:
                end = min(until.astimezone(dt.UTC), day_end.astimezone(dt.UTC))
            while start < end:
                local = start.astimezone(STOCKHOLM).date()
                midnight = dt.datetime.combine(
                    local + dt.timedelta(days=1), dt.time(), STOCKHOLM
                ).astimezone(dt.UTC)
                piece_end = min(end, midnight)
                seconds = int((piece_end - start).total_seconds())
                cell = out[(row.office_id, local)]
                cell[0] += seconds
                if row.status == "serving":
                    cell[1] += seconds
                start = piece_end
    return {key: (v[0], v[1]) for key, v in out.items()}
