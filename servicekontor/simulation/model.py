"""A discrete-event simulation of office days: plain data in, columnar records out.

No Django here (the loader in `simulation.loader` reads the registry and writes rows). One call
of `simulate_office` runs every day of one office in order; offices are independent, so
`simulate_offices` runs them in parallel processes. Reproducible: every office draws from its
own `numpy.random.Generator` seeded by ``SeedSequence([seed, office_id])``, so the result of an
office does not depend on how the offices are spread over processes.

The model of a day (times in seconds since the office's local midnight):

- Arrivals: walk-ins per service as a non-homogeneous Poisson process with a piecewise
  constant rate per clock hour (the day's expected visits x the hour profile, normalised over
  the hours the office is open that day); only inside the day's open intervals.
- Bookings: a service's booked share arrives by appointment at slot times (a grid of
  ``slot_minutes`` inside the open intervals); each booked citizen comes ``lateness`` early or
  late (normal), or not at all (``booked_no_show``: a `no_show` visit straight away, as
  `queueing.services.record_booked_no_show` writes it, at the end of the booked slot).
- The call order is `queueing.call_order.call_order_key` (due bookings by booked time, then
  priority, then time in line, then id), over the queues of the agencies the free officer is
  trained for. The heaps hold the shared keys, computed once when a visit joins a line: per
  agency one heap of the keys while not due (every visit) and one of the bookings' keys once
  due; the candidate of an agency is its earliest booking if due, else the head of its line,
  and the smallest candidate is called — the same order as sorting everything by the key.
- Officers: a shift (start, end), one break (taken at ``break_start`` or when the visit in
  hand is finished), competences as a set of agencies. A free officer calls the next visit they
  may serve; an arrival is called at once by the officer idle longest who may serve it.
- A call: the citizen walks to the desk (``walk_seconds``), sometimes only after a second call
  (``recall_probability``; the recall comes after ``recall_seconds``). Then the errands of the
  visit are served one after the other (lognormal or exponential around the catalogue's
  handling minutes); an errand for an agency the officer is not trained for, or a visit that
  turned out to be in the wrong queue (``transfer_probability``), is *transferred*: the visit
  goes back in line for that service keeping its place (``transfer_keeps_arrival``, the
  default of `QueueSettings`).
- Abandonment: each walk-in has a patience (exponential with mean ``patience_minutes``, or
  none). Someone who left is still on the list (the queue cannot know): when called they are
  called ``max_calls`` times ``recall_seconds`` apart and then marked no-show — the rows a real
  desk writes. Their ``left_at`` stays in the simulator's output for validation.
- Closing: arrivals stop at closing; officers keep calling until ``serve_after_close_minutes``
  after the last closing; whatever is still in line then is closed "not served at closing".

Records use the codes of `queueing.states` (ACTIONS / STATES below) so the loader writes the
same `VisitEvent` rows a real visit writes.
"""

from __future__ import annotations

import heapq
import math
import os
from bisect import bisect_left
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from heapq import heappop, heappush

import numpy as np

from servicekontor.queueing.call_order import call_order_key, is_due
from servicekontor.queueing.states import Action, State

# Codes used in the arrays; index into these tuples to get the string values.
ACTIONS: tuple[Action, ...] = tuple(Action)
STATES: tuple[State, ...] = tuple(State)
OUTCOMES: tuple[str, ...] = (
    "",
    "resolved",
    "e_service",
    "documents_forwarded",
    "referred",
    "meeting_booked",
    "come_back",
    "no_show",
    "not_served_at_closing",
    "transferred",
)
SOURCES: tuple[str, ...] = ("kiosk", "appointment")
_A = {a: i for i, a in enumerate(ACTIONS)}
_S = {s: i for i, s in enumerate(STATES)}
_NONE_STATE = -1
ISSUE, CHECK_IN, CALL, RECALL, START = (
    _A[Action.ISSUE],
    _A[Action.CHECK_IN],
    _A[Action.CALL],
    _A[Action.RECALL],
    _A[Action.START],
)
TRANSFER, FINISH, NO_SHOW, CLOSE = (
    _A[Action.TRANSFER],
    _A[Action.FINISH],
    _A[Action.NO_SHOW],
    _A[Action.CLOSE],
)
WAITING, CALLED, SERVING = _S[State.WAITING], _S[State.CALLED], _S[State.SERVING]
FINISHED, NO_SHOW_STATE, NOT_SERVED = _S[State.FINISHED], _S[State.NO_SHOW], _S[State.NOT_SERVED]
OUT_NO_SHOW, OUT_CLOSED = OUTCOMES.index("no_show"), OUTCOMES.index("not_served_at_closing")
OUT_TRANSFERRED = OUTCOMES.index("transferred")
#: What an officer at a desk is doing, as `queueing.DeskActivity` values.
DESK_STATUSES: tuple[str, ...] = ("idle", "break", "serving", "signed_out")
READY, ON_BREAK, BUSY, SIGNED_OUT = range(4)
FIRST_FINISH_OUTCOME = 1  # OUTCOMES[1:7] are the officer's choices

EVENT_FIELDS = ("visit", "at", "action", "from_state", "to_state", "officer", "service", "outcome")
ERRAND_FIELDS = ("visit", "service", "officer", "start", "end", "outcome")
DESK_FIELDS = ("day", "officer", "at", "status")


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One service of the office: its id (opaque to the model), agency index and parameters.

    ``share``: relative share of the office's visits; ``booked_share``: part of it that comes
    by appointment (1 for appointment-only, 0 for walk-in only).
    """

    service_id: int
    agency: int
    handling_minutes: float
    share: float
    booked_share: float = 0.0
    walk_in: bool = True


@dataclass(frozen=True, slots=True)
class Officer:
    """One officer's day: shift [start, end) in seconds since midnight, a break, competences."""

    agencies: frozenset[int]
    start: float
    end: float
    break_start: float = math.inf
    break_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Day:
    """One open day: ordinal (``date.toordinal()``), open intervals in seconds, volume, staff.

    ``services``: indices into the office's services offered that day (all when empty).
    """

    ordinal: int
    intervals: tuple[tuple[float, float], ...]
    expected_visits: float
    officers: tuple[Officer, ...]
    services: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How citizens and the desk behave. Defaults: see `simulation.calibration` for sources."""

    hour_profile: tuple[float, ...] = (1.0,) * 24
    service_distribution: str = "lognormal"  # or "exponential"
    service_cv: float = 0.6  # lognormal coefficient of variation
    patience_minutes: float = math.inf  # mean of an exponential patience; inf: nobody leaves
    slot_minutes: float = 15.0
    lateness_mean_minutes: float = -4.0  # negative: early
    lateness_sd_minutes: float = 5.0
    booked_no_show: float = 0.08
    walk_seconds: float = 40.0
    recall_probability: float = 0.05
    recall_seconds: float = 30.0
    max_calls: int = 3
    transfer_probability: float = 0.03
    triage_share: float = 0.3  # part of the first errand done before a wrong-queue transfer
    multi_errand_share: float = 0.1
    priority_share: float = 0.02
    serve_after_close_minutes: float = 15.0
    outcome_weights: tuple[float, ...] = (0.55, 0.2, 0.1, 0.07, 0.05, 0.03)


@dataclass(frozen=True, slots=True)
class OfficeScenario:
    office_id: int
    services: tuple[ServiceSpec, ...]
    days: tuple[Day, ...]
    behaviour: Behaviour = field(default_factory=Behaviour)
    seed: int = 0


@dataclass(slots=True)
class OfficeResult:
    """Columnar output of one office. Visit arrays are indexed by visit number (0..n-1).

    Visits: ``day`` (ordinal), ``service`` (first service index), ``final_service``,
    ``source`` (index into SOURCES), ``priority``, ``ticket`` (-1: none), ``arrived``,
    ``queued``, ``booked`` (NaN: walk-in), ``first_call`` (NaN: never called), ``last_call``,
    ``call_count``, ``state`` (index into STATES), ``outcome`` (index into OUTCOMES),
    ``officer`` (-1: none), ``left_at`` (NaN: did not leave), times in seconds since local
    midnight of ``day``. Events: float64 matrix, one row per state change, columns
    EVENT_FIELDS (officer -1: none; from_state -1: created). Errands: one row per errand
    served, columns ERRAND_FIELDS (service index, officer, start, end, outcome: the finish
    outcome, or "transferred" for the part before a wrong-queue transfer). Desk log: one row
    per change of what an officer does, columns DESK_FIELDS (status: index into
    DESK_STATUSES), as the desk services append to `queueing.DeskStatusEvent`.

    Row order: events are not in time order — the ISSUE / CHECK_IN rows of all visits first,
    then the rows the day loop wrote (no-shows, transfers, several errands, closing), then the
    CALL..FINISH rows of the visits served in one go, in the order they were called; within a
    visit, rows at the same instant are in the order they happened. Sort by (day, at, row)
    as `simulation.loader` does for time order. The desk log is in the order it happened.
    """

    office_id: int
    visits: dict[str, np.ndarray]
    events: np.ndarray
    errands: np.ndarray
    desk: np.ndarray

    @property
    def visit_count(self) -> int:
        return int(self.visits["day"].size)


def _service_seconds(
    handling_minutes: float, behaviour: Behaviour, normal: float, uniform: float
) -> float:
    mean = handling_minutes * 60.0
    if behaviour.service_distribution == "exponential":
        return -mean * math.log(1.0 - uniform)
    sigma2 = math.log(1.0 + behaviour.service_cv**2)
    return mean * math.exp(math.sqrt(sigma2) * normal - sigma2 / 2.0)


def open_pieces(intervals: Sequence[tuple[float, float]]) -> list[tuple[float, float, int]]:
    """Split open intervals at clock hours: (start, end, hour)."""
    pieces = []
    for start, end in intervals:
        t = start
        while t < end:
            hour = int(t // 3600)
            stop = min(end, (hour + 1) * 3600.0)
            pieces.append((t, stop, hour % 24))
            t = stop
    return pieces


@dataclass(frozen=True, slots=True)
class _DayPlan:
    """What `_draw_day` needs that does not depend on the random draws (see `_day_plan`)."""

    offered: np.ndarray  # service indices offered, int64
    walk_mean: np.ndarray  # expected walk-ins, pieces x services
    starts: np.ndarray  # piece starts, seconds
    lengths: np.ndarray  # piece lengths, seconds
    piece_ids: np.ndarray  # 0..pieces-1
    walk_services: np.ndarray  # offered, once per piece
    book_mean: np.ndarray  # expected bookings per service
    slots: np.ndarray  # booking slot times (empty: no bookings)
    slot_p: np.ndarray  # probability of each slot


@lru_cache(maxsize=64)
def _day_plan(
    services: tuple[ServiceSpec, ...],
    hour_profile: tuple[float, ...],
    slot_minutes: float,
    intervals: tuple[tuple[float, float], ...],
    day_services: tuple[int, ...],
    expected_visits: float,
) -> _DayPlan | None:
    """The deterministic part of a day's arrivals, the same for every day with the same
    opening hours, offerings and volume (cached; the arrays are never written to). None:
    no arrivals (nothing offered with a share, or closed)."""
    offered = day_services or tuple(range(len(services)))
    specs = [services[i] for i in offered]
    shares = np.array([s.share for s in specs], dtype=float)
    if shares.sum() <= 0 or not intervals:
        return None
    shares = shares / shares.sum()
    pieces = open_pieces(intervals)
    weights = np.array([(e - s) / 3600.0 * hour_profile[h] for s, e, h in pieces])
    if weights.sum() <= 0:
        weights = np.array([e - s for s, e, _h in pieces], dtype=float)
    weights = weights / weights.sum()
    booked_share = np.array([s.booked_share if s.walk_in else 1.0 for s in specs])
    offered_a = np.asarray(offered, dtype=np.int64)
    slot = slot_minutes * 60.0
    book_mean = expected_visits * shares * booked_share
    slots = (
        np.array([t for s, e in intervals for t in np.arange(s, e - slot + 1e-9, slot)], float)
        if book_mean.sum() > 0
        else np.empty(0)
    )
    # bookings follow the same hour profile as walk-ins
    slot_hours = (slots // 3600).astype(int) % 24
    slot_w = np.array([hour_profile[h] for h in slot_hours], dtype=float) + 1e-12
    plan = _DayPlan(
        offered=offered_a,
        walk_mean=expected_visits * np.outer(weights, shares * (1.0 - booked_share)),
        starts=np.array([p[0] for p in pieces]),
        lengths=np.array([p[1] - p[0] for p in pieces]),
        piece_ids=np.arange(len(pieces)),
        walk_services=np.tile(offered_a, len(pieces)),
        book_mean=book_mean,
        slots=slots,
        slot_p=slot_w / slot_w.sum() if slots.size else slot_w,
    )
    for array in (getattr(plan, name) for name in plan.__slots__):
        array.flags.writeable = False
    return plan


def _draw_day(
    rng: np.random.Generator, scenario: OfficeScenario, day: Day
) -> tuple[np.ndarray, ...]:
    """Arrivals of one day, sorted: (time, service index, booked time or NaN, no-show flag)."""
    b = scenario.behaviour
    plan = _day_plan(
        scenario.services,
        b.hour_profile,
        b.slot_minutes,
        day.intervals,
        day.services,
        day.expected_visits,
    )
    if plan is None:
        empty = np.empty(0)
        return empty, empty.astype(np.int64), empty, empty.astype(bool)
    counts = rng.poisson(plan.walk_mean)  # pieces x services
    piece_of = np.repeat(plan.piece_ids, counts.sum(axis=1))
    walk_t = plan.starts[piece_of] + rng.random(piece_of.size) * plan.lengths[piece_of]
    # the services of each piece's arrivals in service order, pieces one after the other
    walk_s = np.repeat(plan.walk_services, counts.ravel())
    slots = plan.slots
    if slots.size:
        slot = b.slot_minutes * 60.0
        n_book = rng.poisson(plan.book_mean)
        book_s = np.repeat(plan.offered, n_book)
        book_at = rng.choice(slots, size=book_s.size, p=plan.slot_p)
        late = rng.normal(b.lateness_mean_minutes * 60.0, b.lateness_sd_minutes * 60.0, book_s.size)
        no_show = rng.random(book_s.size) < b.booked_no_show
        come = np.where(no_show, book_at + slot, book_at + late)
        # nobody checks in before the doors open or after they close
        come = np.clip(come, day.intervals[0][0], day.intervals[-1][1] - 1.0)
    else:
        book_s = np.empty(0, dtype=np.int64)
        book_at = come = np.empty(0)
        no_show = np.empty(0, dtype=bool)
    times = np.concatenate([walk_t, come])
    services = np.concatenate([walk_s, book_s])
    booked = np.concatenate([np.full(walk_t.size, np.nan), book_at])
    no_shows = np.concatenate([np.zeros(walk_t.size, dtype=bool), no_show])
    order = np.argsort(times, kind="stable")
    return times[order], services[order], booked[order], no_shows[order]


def simulate_office(scenario: OfficeScenario) -> OfficeResult:
    """Simulate every day of ``scenario`` in order; see the module docstring for the model."""
    b = scenario.behaviour
    rng = np.random.default_rng(np.random.SeedSequence([scenario.seed, scenario.office_id]))
    services = scenario.services
    n_agencies = max((s.agency for s in services), default=-1) + 1
    svc_agency = [s.agency for s in services]
    svc_minutes = [s.handling_minutes for s in services]
    by_agency_walkin: list[list[int]] = [[] for _ in range(n_agencies)]
    for i, s in enumerate(services):
        if s.walk_in:
            by_agency_walkin[s.agency].append(i)
    others_of = [
        [a for a in range(n_agencies) if a != ag and by_agency_walkin[a]]
        for ag in range(n_agencies)
    ]
    outcome_p = np.asarray(b.outcome_weights, dtype=float)
    outcome_cdf = (np.cumsum(outcome_p) / outcome_p.sum()).tolist()
    outcome_cdf[-1] = 1.0  # a draw in [0, 1) always falls in one of them
    max_calls, recall_seconds = b.max_calls, b.recall_seconds
    recall_probability, walk_seconds = b.recall_probability, b.walk_seconds
    patience_mean = b.patience_minutes * 60.0
    after_close = b.serve_after_close_minutes * 60.0
    ghost_seconds = b.max_calls * b.recall_seconds
    errand_cut = b.transfer_probability + b.multi_errand_share
    svc_seconds = np.array([m * 60.0 for m in svc_minutes])
    sigma = math.sqrt(math.log(1.0 + b.service_cv**2))
    v_dur: list[float] = []

    # visit columns (python lists while running)
    d_day: list[np.ndarray] = []  # per day
    d_service: list[np.ndarray] = []  # per day
    v_final: list[int] = []
    d_source: list[np.ndarray] = []  # per day
    v_prio: list[int] = []
    d_ticket: list[np.ndarray] = []  # per day
    d_arrived: list[np.ndarray] = []  # per day
    v_queued: list[float] = []
    v_booked: list[float] = []
    v_first: list[float] = []
    v_last: list[float] = []
    v_calls: list[int] = []
    v_state: list[int] = []
    v_outcome: list[int] = []
    v_officer: list[int] = []
    v_left: list[float] = []
    v_errands: list[list[tuple[int, float, bool]] | None] = []
    v_gen: list[int] = []
    d_dur: list[np.ndarray] = []  # per day, per visit: v_dur
    v_off: list[float] = []  # seconds from a one-errand visit's first call to its start
    d_recalled: list[np.ndarray] = []  # per day, per visit: that first call needs a recall
    d_off: list[np.ndarray] = []  # per day, per visit: v_off
    d_outcome: list[np.ndarray] = []  # per day, per visit: its outcome if served in one go
    served: list[float] = []  # (visit, officer, call time) of each visit served in one go
    sv = served.extend
    events: list[float] = []
    errands_out: list[float] = []
    desk_out: list[float] = []
    dk = desk_out.extend
    ev = events.extend
    er = errands_out.extend
    nan = math.nan
    inf = math.inf

    n_visits = 0

    def run_day(day: Day) -> None:
        nonlocal n_visits
        times, svcs, booked, no_shows = _draw_day(rng, scenario, day)
        n = times.size
        if n == 0 and not day.officers:
            return
        ordinal = day.ordinal
        patience = (
            rng.exponential(patience_mean, n) if math.isfinite(patience_mean) else np.full(n, inf)
        )
        pu = 0
        pz = 0
        # one line per agency as a heap of call-order keys (+ generation): the not-due key of
        # every visit, and the due key of a booking in a heap of its own
        waiting_heaps: list[list[tuple]] = [[] for _ in range(n_agencies)]
        booked_heaps: list[list[tuple]] = [[] for _ in range(n_agencies)]
        waiting: set[int] = set()
        day_end = day.intervals[-1][1] + after_close if day.intervals else 0.0
        officers = day.officers
        n_off = len(officers)
        off_agencies = [sorted(o.agencies) for o in officers]
        off_sets = [o.agencies for o in officers]
        off_state = [0] * n_off  # 0 off, 1 idle, 2 busy, 3 break, 4 done
        off_break_due = [False] * n_off
        off_end_due = [False] * n_off
        off_shift_end = [min(o.end, day_end) for o in officers]
        idle: list[int] = []  # longest idle first
        heap: list[tuple[float, int, int, int, int]] = []  # (t, seq, kind, officer, visit)
        seq = 0
        for k, o in enumerate(officers):
            heap.append((o.start, seq, 0, k, -1))  # shift start
            seq += 1
            if o.break_start < o.end:
                heap.append((o.break_start, seq, 2, k, -1))
                seq += 1
            heap.append((off_shift_end[k], seq, 3, k, -1))
            seq += 1
        heap.append((day_end, seq, 5, -1, -1))  # close the queue
        seq += 1
        heapq.heapify(heap)

        def enqueue(vid: int) -> None:
            """Put vid in line under the shared call-order rule: its key while not due (a
            walk-in always, a booking before its time) and, for a booking, its key once due;
            both computed once here by `call_order_key`."""
            prio, queued, ag = v_prio[vid], v_queued[vid], svc_agency[v_final[vid]]
            gen = v_gen[vid]
            key = call_order_key(
                booked_start=None, priority=prio, queued_at=queued, visit_id=vid, now=queued
            )
            heappush(waiting_heaps[ag], (*key, gen))
            bk = v_booked[vid]
            if bk == bk:  # not NaN
                due = call_order_key(
                    booked_start=bk, priority=prio, queued_at=queued, visit_id=vid, now=bk
                )
                heappush(booked_heaps[ag], (*due, gen))
            waiting.add(vid)

        def pick(k: int, now: float) -> int:
            """Take the next visit officer k may serve out of line (-1: none). Each agency's
            candidate is its earliest due booking, else the head of its line; the smallest
            key wins — the same order as sorting everything by `call_order_key` at now."""
            best = None
            best_heap = waiting_heaps[0]
            for ag in off_agencies[k]:
                h = booked_heaps[ag]
                if h:
                    while h and h[0][5] != v_gen[h[0][4]]:
                        heappop(h)
                    if not (h and is_due(h[0][1], now)):
                        h = waiting_heaps[ag]
                else:
                    h = waiting_heaps[ag]
                while h and h[0][5] != v_gen[h[0][4]]:
                    heappop(h)
                if h and (best is None or h[0] < best):
                    best, best_heap = h[0], h
            if best is None:
                return -1
            heappop(best_heap)
            vid = best[4]
            v_gen[vid] += 1  # a booking's other key is stale from now on
            waiting.discard(vid)
            return vid

        def serve(k: int, vid: int, now: float) -> None:
            """Officer k calls vid at now; everything up to the officer being free is known."""
            nonlocal pu, pz, seq
            dk((ordinal, k, now, BUSY))
            if v_errands[vid] is None and not v_left[vid] <= now:  # NaN: booked
                # the common case: one errand, still there. Its recall, walk, service time
                # and outcome were drawn with the day; its rows and columns are written for
                # all such visits at once after the last day (`_rows_of_the_run`).
                sv((vid, k, now))
                heappush(heap, (now + v_off[vid] + v_dur[vid], seq, 1, k, -1))
                seq += 1
                return
            svc = v_final[vid]
            ev((vid, now, CALL, WAITING, CALLED, k, svc, 0))
            if v_first[vid] != v_first[vid]:
                v_first[vid] = now
            v_last[vid] = now
            v_officer[vid] = k
            v_calls[vid] = 1
            if v_left[vid] <= now:  # left already: called max_calls times, then no-show
                t = now
                for _ in range(max_calls - 1):
                    t += recall_seconds
                    ev((vid, t, RECALL, CALLED, CALLED, k, svc, 0))
                    v_last[vid] = t
                    v_calls[vid] += 1
                t = now + ghost_seconds
                ev((vid, t, NO_SHOW, CALLED, NO_SHOW_STATE, k, svc, OUT_NO_SHOW))
                v_state[vid] = NO_SHOW_STATE
                v_outcome[vid] = OUT_NO_SHOW
                heappush(heap, (t, seq, 1, k, -1))
                seq += 1
                return
            v_left[vid] = nan  # called in time: does not leave any more
            t = now
            if pool_u[pu] < recall_probability:
                t += recall_seconds
                ev((vid, t, RECALL, CALLED, CALLED, k, svc, 0))
                v_last[vid] = t
                v_calls[vid] = 2
            t += walk_seconds * (0.5 + pool_u[pu + 1])
            outcome = FIRST_FINISH_OUTCOME + bisect_left(outcome_cdf, pool_u[pu + 2])
            pu += 3
            errands = v_errands[vid]
            assert errands is not None  # one errand and still there: the common case above
            ev((vid, t, START, CALLED, SERVING, k, svc, 0))
            served: list[tuple[int, float, float]] = []
            transfer_to = -1
            wrong_queue = False
            while errands:
                e_svc, e_sec, forced = errands[0]
                if (forced and e_svc != svc) or svc_agency[e_svc] not in off_sets[k]:
                    transfer_to = e_svc
                    wrong_queue = forced
                    errands[0] = (e_svc, e_sec, False)
                    break
                served.append((e_svc, t, t + e_sec))
                t += e_sec
                errands.pop(0)
            errand_outcome = OUT_TRANSFERRED if wrong_queue else outcome
            for e_svc, start, end in served:
                er((vid, e_svc, k, start, end, errand_outcome))
            if transfer_to >= 0:
                v_final[vid] = transfer_to
                ev((vid, t, TRANSFER, SERVING, WAITING, k, transfer_to, 0))
                v_state[vid] = WAITING
                # as `transfer_visit` leaves the row: nobody has it, no call counted
                v_officer[vid] = -1
                v_last[vid] = nan
                v_calls[vid] = 0
                heappush(heap, (t, seq, 1, k, vid))  # back in line when the officer is free
            else:
                ev((vid, t, FINISH, SERVING, FINISHED, k, svc, outcome))
                v_state[vid] = FINISHED
                v_outcome[vid] = outcome
                heappush(heap, (t, seq, 1, k, -1))
            seq += 1

        def officer_free(k: int, now: float) -> None:
            """Officer k is free (shift start, break over, visit gone from the desk)."""
            nonlocal seq
            dk((ordinal, k, now, READY))
            if off_end_due[k] or now >= off_shift_end[k]:
                off_state[k] = 4
                dk((ordinal, k, now, SIGNED_OUT))
                return
            if off_break_due[k]:
                off_break_due[k] = False
                off_state[k] = 3
                dk((ordinal, k, now, ON_BREAK))
                heappush(heap, (now + officers[k].break_seconds, seq, 4, k, -1))
                seq += 1
                return
            vid = pick(k, now)
            if vid >= 0:
                off_state[k] = 2
                serve(k, vid, now)
            else:
                off_state[k] = 1
                idle.append(k)

        def call_if_idle(vid: int, ag: int, now: float) -> bool:
            """An officer idle has nothing they may serve in line (whatever came was called
            at once), so the one idle longest who may serve vid calls it now."""
            for j, k in enumerate(idle):
                if ag in off_sets[k]:
                    del idle[j]
                    off_state[k] = 2
                    serve(k, vid, now)
                    return True
            return False

        a_times = times.tolist()
        walk_ins_only = not (booked == booked).any()  # no booking today: no due keys
        a_times.append(inf)  # sentinel: no more arrivals
        # the columns known on arrival, for the whole day at once
        base = n_visits
        n_visits += n
        is_booked = ~np.isnan(booked)
        came = ~no_shows
        svc_list = svcs.tolist()
        d_day.append(np.full(n, ordinal, dtype=np.int32))
        d_service.append(svcs)
        v_final.extend(svc_list)
        d_source.append(is_booked.astype(np.int8))
        v_prio.extend(np.where(~is_booked & (rng.random(n) < b.priority_share), 10, 0).tolist())
        d_ticket.append(np.where(came, np.cumsum(came), -1))
        arrived_at = np.where(no_shows, booked, times)
        d_arrived.append(arrived_at)
        arrived = arrived_at.tolist()
        v_queued.extend(arrived)
        v_booked.extend(booked.tolist())
        v_first.extend([nan] * n)
        v_last.extend([nan] * n)
        v_calls.extend([0] * n)
        v_state.extend(np.where(came, WAITING, NO_SHOW_STATE).tolist())
        v_outcome.extend(np.where(came, 0, OUT_NO_SHOW).tolist())
        v_officer.extend([-1] * n)
        v_left.extend(np.where(is_booked, nan, times + patience).tolist())
        v_errands.extend([None] * n)
        # service time of a one-errand visit, drawn for the whole day
        mean_s = svc_seconds[svcs] if n else np.empty(0)
        if b.service_distribution == "exponential":
            dur = rng.exponential(1.0, n) * mean_s
        else:
            dur = mean_s * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2.0)
        d_dur.append(dur)
        v_dur.extend(dur.tolist())
        v_gen.extend([0] * n)
        errand_u = rng.random(n)
        a_errand_u = errand_u.tolist()
        # random numbers of the visits with several errands or in the wrong queue, read in
        # order: 4 uniforms and 2 normals on arrival, 3 uniforms per call (at most two calls:
        # the second is by an officer trained for the errand left)
        several = int(np.count_nonzero(errand_u < errand_cut))
        pool_u = rng.random(10 * several + 16).tolist()
        pool_z = rng.standard_normal(2 * several + 16).tolist()
        # the first call of a one-errand visit: a recall first?, the walk to the desk, outcome
        recalled = rng.random(n) < recall_probability
        off = np.where(recalled, recall_seconds, 0.0) + walk_seconds * (0.5 + rng.random(n))
        d_recalled.append(recalled)
        d_off.append(off)
        d_outcome.append(FIRST_FINISH_OUTCOME + np.searchsorted(outcome_cdf, rng.random(n)))
        v_off.extend(off.tolist())
        i = 0
        closed = False
        while True:
            if heap and heap[0][0] <= a_times[i]:
                t, _s, kind, k, vid = heappop(heap)
                if (
                    kind == 1
                    and vid < 0
                    and walk_ins_only
                    and not (off_end_due[k] or off_break_due[k] or t >= off_shift_end[k])
                ):
                    # the common case, `officer_free` + `pick` + `serve` inline: a visit left
                    # the desk and the officer calls the next. Without bookings a line holds
                    # one key per visit (none stale), so each candidate is the line's head.
                    best = None
                    if waiting:
                        for ag in off_agencies[k]:
                            h = waiting_heaps[ag]
                            if h and (best is None or h[0] < best):
                                best, best_heap = h[0], h
                    if best is None:
                        dk((ordinal, k, t, READY))
                        off_state[k] = 1
                        idle.append(k)
                        continue
                    heappop(best_heap)
                    vid = best[4]
                    v_gen[vid] += 1
                    waiting.discard(vid)
                    if v_errands[vid] is None and not v_left[vid] <= t:
                        dk((ordinal, k, t, READY, ordinal, k, t, BUSY))
                        sv((vid, k, t))
                        heappush(heap, (t + v_off[vid] + v_dur[vid], seq, 1, k, -1))
                        seq += 1
                    else:
                        dk((ordinal, k, t, READY))
                        serve(k, vid, t)
                    continue
                if kind == 1:  # officer free (perhaps with a transferred visit to requeue)
                    if vid >= 0 and closed:
                        ev((vid, t, CLOSE, WAITING, NOT_SERVED, -1, v_final[vid], OUT_CLOSED))
                        v_state[vid] = NOT_SERVED
                        v_outcome[vid] = OUT_CLOSED
                    elif vid >= 0 and not call_if_idle(vid, svc_agency[v_final[vid]], t):
                        enqueue(vid)
                    officer_free(k, t)
                elif kind == 0:  # shift start
                    officer_free(k, t)
                elif kind == 2:  # break due
                    if off_state[k] == 1:
                        idle.remove(k)
                        off_state[k] = 3
                        dk((ordinal, k, t, ON_BREAK))
                        heappush(heap, (t + officers[k].break_seconds, seq, 4, k, -1))
                        seq += 1
                    elif off_state[k] == 2:
                        off_break_due[k] = True
                elif kind == 4:  # break over
                    officer_free(k, t)
                elif kind == 3:  # shift end
                    if off_state[k] == 1:
                        idle.remove(k)
                        off_state[k] = 4
                        dk((ordinal, k, t, SIGNED_OUT))
                    elif off_state[k] in (2, 3):
                        off_end_due[k] = True
                elif kind == 5:  # the queue closes: whatever waits is not served
                    closed = True
                    for vid in sorted(waiting):
                        ev((vid, t, CLOSE, WAITING, NOT_SERVED, -1, v_final[vid], OUT_CLOSED))
                        v_state[vid] = NOT_SERVED
                        v_outcome[vid] = OUT_CLOSED
                    waiting.clear()
                    for h in waiting_heaps + booked_heaps:
                        h.clear()
                    for k in idle:  # nothing more to call: the idle sign out
                        off_state[k] = 4
                        dk((ordinal, k, t, SIGNED_OUT))
                    idle.clear()
                continue
            if i >= n:
                break
            # an arrival: its columns were filled for the whole day above
            t = a_times[i]
            vid = base + i
            u = a_errand_u[i]
            i += 1
            s = svc_list[i - 1]
            if v_state[vid] == NO_SHOW_STATE:  # a booking nobody came to
                ev((vid, t, NO_SHOW, _NONE_STATE, NO_SHOW_STATE, -1, s, OUT_NO_SHOW))
                continue
            ag = svc_agency[s]
            # errands: a wrong queue (transfer), several agencies, or one errand
            if u < errand_cut and others_of[ag]:
                others = others_of[ag]
                forced = u < b.transfer_probability
                other_ag = others[int(pool_u[pu] * len(others))]
                pu += 1
                choices = by_agency_walkin[other_ag]
                other_s = choices[int(pool_u[pu] * len(choices))]
                pu += 1
                first = _service_seconds(svc_minutes[s], b, pool_z[pz], pool_u[pu])
                pz += 1
                pu += 1
                second = _service_seconds(svc_minutes[other_s], b, pool_z[pz], pool_u[pu])
                pz += 1
                pu += 1
                if forced:
                    first *= b.triage_share
                v_errands[vid] = [(s, first, False), (other_s, second, forced)]
            # its ISSUE / CHECK_IN row is written with all others at the end (`_rows_of_the_run`)
            if closed:  # arrived after the queue closed (cannot happen with open intervals)
                ev((vid, t, CLOSE, WAITING, NOT_SERVED, -1, s, OUT_CLOSED))
                v_state[vid] = NOT_SERVED
                v_outcome[vid] = OUT_CLOSED
                continue
            if idle:  # `call_if_idle` and the common case of `serve` inline
                for j, k in enumerate(idle):
                    if ag in off_sets[k]:
                        del idle[j]
                        off_state[k] = 2
                        if v_errands[vid] is None and not v_left[vid] <= t:
                            dk((ordinal, k, t, BUSY))
                            sv((vid, k, t))
                            heappush(heap, (t + v_off[vid] + v_dur[vid], seq, 1, k, -1))
                            seq += 1
                        else:
                            serve(k, vid, t)
                        break
                else:
                    enqueue(vid)
            else:
                enqueue(vid)

    for day in scenario.days:
        run_day(day)

    visits: dict[str, np.ndarray] = {
        "day": _days(d_day, np.int32),
        "service": _days(d_service, np.int16),
        "final_service": _column(v_final, np.int16),
        "source": _days(d_source, np.int8),
        "priority": _column(v_prio, np.int16),
        "ticket": _days(d_ticket, np.int32),
        "arrived": _days(d_arrived, float),
        "queued": _column(v_queued, float),
        "booked": _column(v_booked, float),
        "first_call": _column(v_first, float),
        "last_call": _column(v_last, float),
        "call_count": _column(v_calls, np.int16),
        "state": _column(v_state, np.int8),
        "outcome": _column(v_outcome, np.int8),
        "officer": _column(v_officer, np.int16),
        "left_at": _column(v_left, float),
    }
    empty = np.empty(0)
    events_out, errands_all = _rows_of_the_run(
        visits,
        _column(events, float).reshape(-1, len(EVENT_FIELDS)),
        _column(errands_out, float).reshape(-1, len(ERRAND_FIELDS)),
        np.fromiter(served, dtype=float, count=len(served)).reshape(-1, 3),
        np.concatenate(d_recalled) if d_recalled else empty.astype(bool),
        np.concatenate(d_off) if d_off else empty,
        np.concatenate(d_dur) if d_dur else empty,
        np.concatenate(d_outcome) if d_outcome else empty.astype(np.int64),
        recall_seconds,
    )
    return OfficeResult(
        office_id=scenario.office_id,
        visits=visits,
        events=events_out,
        errands=errands_all,
        desk=_column(desk_out, float).reshape(-1, len(DESK_FIELDS)),
    )


def _days(values: list[np.ndarray], dtype: type | np.dtype) -> np.ndarray:
    """Per-day arrays as one array of ``dtype`` (empty when there were no days)."""
    return np.concatenate(values).astype(dtype, copy=False) if values else np.empty(0, dtype)


def _column(values: list, dtype: type | np.dtype) -> np.ndarray:
    """A Python list as a NumPy array (`numpy.fromiter`: about 3x faster than `asarray` for
    a list of Python numbers)."""
    return np.fromiter(values, dtype=dtype, count=len(values))


_CHUNK = 2048  # rows built at a time: a chunk of an (n, 8) float matrix stays in the cache

# the constant fields of the rows of a visit served in one go: CALL, RECALL, START, FINISH
_SERVED_TEMPLATE = np.zeros((4, len(EVENT_FIELDS)))
_SERVED_TEMPLATE[:, 2:5] = (
    (CALL, WAITING, CALLED),
    (RECALL, CALLED, CALLED),
    (START, CALLED, SERVING),
    (FINISH, SERVING, FINISHED),
)


def _rows_of_the_run(
    visits: dict[str, np.ndarray],
    events: np.ndarray,
    errands: np.ndarray,
    served: np.ndarray,
    recalled: np.ndarray,
    off: np.ndarray,
    dur: np.ndarray,
    outcome: np.ndarray,
    recall_seconds: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The event and errand matrices of the run: the rows the day loop wrote and those it
    left to NumPy; fills in the visit columns the latter imply.

    ``events``, ``errands``: the rows the loop wrote (EVENT_FIELDS, ERRAND_FIELDS columns).
    ``served``: (m, 3) float rows (visit, officer, call time) of the visits served in one go
    (one errand, called before they left); ``recalled``, ``off``, ``dur``, ``outcome``: per
    visit (n,), the first call's recall flag, seconds from that call to the start, service
    seconds and outcome code drawn with the day. Updates ``visits`` in place for the served
    (first and last call, officer, call count, state, outcome, ``left_at`` NaN). Returns the
    events — the ISSUE / CHECK_IN row of every visit that came (visit order), then the loop's
    rows, then the CALL, [RECALL,] START, FINISH rows of each visit served in one go (in the
    order they were called) — and the errands (the loop's, then one per visit served in one
    go). The times are those the loop used: start = call + off, end = start + dur (the same
    float operations). Rows are built ``_CHUNK`` visits at a time into the final matrix.
    """
    came = np.flatnonzero(visits["ticket"] >= 0)
    vid = served[:, 0].astype(np.int64)
    officer, call = served[:, 1], served[:, 2]
    again = recalled[vid]
    start = call + off[vid]
    end = start + dur[vid]
    result = outcome[vid]
    svc = visits["final_service"][vid]
    last = np.where(again, call + recall_seconds, call)
    visits["first_call"][vid] = call
    visits["last_call"][vid] = last
    visits["officer"][vid] = officer
    visits["call_count"][vid] = 1 + again
    visits["state"][vid] = FINISHED
    visits["outcome"][vid] = result
    visits["left_at"][vid] = np.nan
    m = vid.size
    out = np.empty((came.size + events.shape[0] + 3 * m + int(again.sum()), len(EVENT_FIELDS)))
    issued_template = np.array([0, 0, ISSUE, _NONE_STATE, WAITING, -1, 0, 0], dtype=float)
    arrived, source, service = visits["arrived"], visits["source"], visits["service"]
    for a in range(0, came.size, _CHUNK):
        ids = came[a : a + _CHUNK]
        part = out[a : a + ids.size]
        part[:] = issued_template
        part[:, 0] = ids
        part[:, 1] = arrived[ids]
        part[:, 2] = np.where(source[ids] == 1, CHECK_IN, ISSUE)
        part[:, 6] = service[ids]
    row = came.size
    out[row : row + events.shape[0]] = events
    row += events.shape[0]
    for a in range(0, m, _CHUNK):
        b = min(a + _CHUNK, m)
        rows = np.empty((b - a, 4, len(EVENT_FIELDS)))
        rows[:] = _SERVED_TEMPLATE
        rows[:, :, 0] = vid[a:b, None]
        rows[:, :, 5] = officer[a:b, None]
        rows[:, :, 6] = svc[a:b, None]
        rows[:, 0, 1] = call[a:b]
        rows[:, 1, 1] = last[a:b]
        rows[:, 2, 1] = start[a:b]
        rows[:, 3, 1] = end[a:b]
        rows[:, 3, 7] = result[a:b]
        keep = np.ones((b - a, 4), dtype=bool)
        keep[:, 1] = again[a:b]
        kept = rows[keep]
        out[row : row + kept.shape[0]] = kept
        row += kept.shape[0]
    assert row == out.shape[0]
    one_go = np.empty((m, len(ERRAND_FIELDS)))
    one_go[:, 0] = vid
    one_go[:, 1] = svc
    one_go[:, 2] = officer
    one_go[:, 3] = start
    one_go[:, 4] = end
    one_go[:, 5] = result
    return out, np.concatenate([errands, one_go])


def simulate_offices(
    scenarios: Sequence[OfficeScenario], *, processes: int | None = None
) -> list[OfficeResult]:
    """Simulate offices in parallel processes (``processes`` default: the CPU count).

    Results come back in the order of ``scenarios``; each office's result is the same
    whatever the number of processes (its generator is seeded by office id and seed).
    """
    workers = processes or os.cpu_count() or 1
    if workers <= 1 or len(scenarios) <= 1:
        return [simulate_office(s) for s in scenarios]
    # biggest offices first so the last process does not finish alone with Kista
    order = sorted(
        range(len(scenarios)),
        key=lambda i: -sum(d.expected_visits for d in scenarios[i].days),
    )
    results: list[OfficeResult | None] = [None] * len(scenarios)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for i, result in zip(
            order, pool.map(simulate_office, [scenarios[i] for i in order]), strict=True
        ):
            results[i] = result
    return [r for r in results if r is not None]
