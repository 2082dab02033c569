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

The random numbers are drawn here with NumPy; the day loop itself (the heaps, the calls, the
rows that depend on them) runs compiled by Numba in `simulation.dayloop`, imported by the
first `simulate_office` (decision 0034), with the call-order functions above compiled as they
are.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from servicekontor.simulation.codes import (  # noqa: F401 (re-exported)
    _A,
    _NONE_STATE,
    _S,
    ACTIONS,
    BUSY,
    CALL,
    CALLED,
    CHECK_IN,
    CLOSE,
    DESK_STATUSES,
    FINISH,
    FINISHED,
    FIRST_FINISH_OUTCOME,
    ISSUE,
    NO_SHOW,
    NO_SHOW_STATE,
    NOT_SERVED,
    ON_BREAK,
    OUT_CLOSED,
    OUT_NO_SHOW,
    OUT_TRANSFERRED,
    OUTCOMES,
    READY,
    RECALL,
    SERVING,
    SIGNED_OUT,
    SOURCES,
    START,
    STATES,
    TRANSFER,
    WAITING,
)

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
    """Simulate every day of ``scenario`` in order; see the module docstring for the model.

    Every random number is drawn here with NumPy, day by day in a fixed order; the day loop
    (who is called when, and the rows that depend on it) runs compiled in
    `simulation.dayloop.run_days` over all days at once."""
    from servicekontor.simulation import dayloop as dl

    nan, inf = math.nan, math.inf
    b = scenario.behaviour
    rng = np.random.default_rng(np.random.SeedSequence([scenario.seed, scenario.office_id]))
    services = scenario.services
    n_agencies = max((s.agency for s in services), default=-1) + 1
    svc_agency = np.array([s.agency for s in services] or [0], dtype=np.int64)
    svc_minutes = np.array([s.handling_minutes for s in services] or [0.0], dtype=float)
    by_agency_walkin: list[list[int]] = [[] for _ in range(n_agencies)]
    for i, s in enumerate(services):
        if s.walk_in:
            by_agency_walkin[s.agency].append(i)
    others_of = [
        [a for a in range(n_agencies) if a != ag and by_agency_walkin[a]]
        for ag in range(n_agencies)
    ]
    outcome_p = np.asarray(b.outcome_weights, dtype=float)
    outcome_cdf = np.cumsum(outcome_p) / outcome_p.sum()
    outcome_cdf[-1] = 1.0  # a draw in [0, 1) always falls in one of them
    recall_probability, recall_seconds = b.recall_probability, b.recall_seconds
    walk_seconds = b.walk_seconds
    patience_mean = b.patience_minutes * 60.0
    after_close = b.serve_after_close_minutes * 60.0
    errand_cut = b.transfer_probability + b.multi_errand_share
    svc_seconds = svc_minutes * 60.0
    sigma = math.sqrt(math.log(1.0 + b.service_cv**2))
    exponential = b.service_distribution == "exponential"

    # per day: what the loop needs, and the visit columns known on arrival
    d_ordinal: list[int] = []
    d_base: list[int] = []
    d_n: list[int] = []
    d_end: list[float] = []
    d_pool_u: list[int] = []
    d_pool_z: list[int] = []
    d_off0: list[int] = []
    d_noff: list[int] = []
    officer_rows: list[tuple[float, float, float, float, int]] = []
    cols: dict[str, list[np.ndarray]] = {
        k: []
        for k in [
            "day",
            "service",
            "source",
            "ticket",
            "arrived",
            "times",
            "prio",
            "booked",
            "left",
            "state",
            "outcome",
            "dur",
            "errand_u",
            "pool_u",
            "pool_z",
            "recalled",
            "off",
            "result",
        ]
    }
    n_visits = n_pool_u = n_pool_z = 0
    for day in scenario.days:
        times, svcs, booked, no_shows = _draw_day(rng, scenario, day)
        n = times.size
        if n == 0 and not day.officers:
            continue
        patience = (
            rng.exponential(patience_mean, n) if math.isfinite(patience_mean) else np.full(n, inf)
        )
        is_booked = ~np.isnan(booked)
        came = ~no_shows
        prio = np.where(~is_booked & (rng.random(n) < b.priority_share), 10, 0)
        # service time of a one-errand visit, drawn for the whole day
        mean_s = svc_seconds[svcs] if n else np.empty(0)
        if exponential:
            dur = rng.exponential(1.0, n) * mean_s
        else:
            dur = mean_s * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2.0)
        errand_u = rng.random(n)
        # random numbers of the visits with several errands or in the wrong queue, read in
        # order: 4 uniforms and 2 normals on arrival, 3 uniforms per call (at most two calls:
        # the second is by an officer trained for the errand left)
        several = int(np.count_nonzero(errand_u < errand_cut))
        pool_u = rng.random(10 * several + 16)
        pool_z = rng.standard_normal(2 * several + 16)
        # the first call of a one-errand visit: a recall first?, the walk to the desk, outcome
        recalled = rng.random(n) < recall_probability
        off = np.where(recalled, recall_seconds, 0.0) + walk_seconds * (0.5 + rng.random(n))
        result = FIRST_FINISH_OUTCOME + np.searchsorted(outcome_cdf, rng.random(n))
        arrived_at = np.where(no_shows, booked, times)
        for name, values in (
            ("day", np.full(n, day.ordinal, dtype=np.int32)),
            ("service", svcs),
            ("source", is_booked.astype(np.int8)),
            ("ticket", np.where(came, np.cumsum(came), -1)),
            ("arrived", arrived_at),
            ("times", times),
            ("prio", prio),
            ("booked", booked),
            ("left", np.where(is_booked, nan, times + patience)),
            ("state", np.where(came, WAITING, NO_SHOW_STATE)),
            ("outcome", np.where(came, 0, OUT_NO_SHOW)),
            ("dur", dur),
            ("errand_u", errand_u),
            ("pool_u", pool_u),
            ("pool_z", pool_z),
            ("recalled", recalled),
            ("off", off),
            ("result", result),
        ):
            cols[name].append(values)
        d_ordinal.append(day.ordinal)
        d_base.append(n_visits)
        d_n.append(n)
        d_end.append(day.intervals[-1][1] + after_close if day.intervals else 0.0)
        d_pool_u.append(n_pool_u)
        d_pool_z.append(n_pool_z)
        d_off0.append(len(officer_rows))
        d_noff.append(len(day.officers))
        for o in day.officers:
            mask = 0
            for ag in o.agencies:
                if not 0 <= ag < 63:
                    raise ValueError(f"agency index {ag} out of range 0..62")
                mask |= 1 << ag
            officer_rows.append((o.start, o.end, o.break_start, o.break_seconds, mask))
        n_visits += n
        n_pool_u += pool_u.size
        n_pool_z += pool_z.size

    def joined(name: str, dtype: type | np.dtype) -> np.ndarray:
        parts = cols[name]
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)

    n = n_visits
    svc = joined("service", np.int64)
    booked_all = joined("booked", float)
    vf = np.full((7, n), nan)
    vf[dl.QUEUED] = joined("arrived", float)
    vf[dl.BOOKED] = booked_all
    vf[dl.LEFT] = joined("left", float)
    vf[dl.DUR] = joined("dur", float)
    vf[dl.OFF] = joined("off", float)
    vi = np.zeros((8, n), dtype=np.int64)
    vi[dl.FINAL] = svc
    vi[dl.PRIO] = joined("prio", np.int64)
    vi[dl.STATE] = joined("state", np.int64)
    vi[dl.OUTCOME] = joined("outcome", np.int64)
    vi[dl.OFFICER] = -1
    ei = np.zeros((n, 6), dtype=np.int64)
    ef = np.zeros((n, 2))
    others = np.zeros((max(n_agencies, 1), max(n_agencies, 1)), dtype=np.int64)
    n_others = np.zeros(max(n_agencies, 1), dtype=np.int64)
    for ag, row in enumerate(others_of):
        others[ag, : len(row)] = row
        n_others[ag] = len(row)
    walkin = np.zeros((max(n_agencies, 1), max(len(services), 1)), dtype=np.int64)
    n_walkin = np.zeros(max(n_agencies, 1), dtype=np.int64)
    for ag, row in enumerate(by_agency_walkin):
        walkin[ag, : len(row)] = row
        n_walkin[ag] = len(row)
    officers = np.array(officer_rows, dtype=float).reshape(-1, 5)
    prm = np.array(
        [
            float(exponential),
            b.service_cv,
            b.triage_share,
            b.transfer_probability,
            recall_probability,
            recall_seconds,
            walk_seconds,
            b.max_calls * recall_seconds,
            b.max_calls,
            errand_cut,
        ],
        dtype=float,
    )
    # rows the loop may write: per visit at most two calls (a transfer, then the rest), each
    # with its call, recalls, start and end; a no-show of a booking or the closing
    per_call = max(4, b.max_calls + 1)
    events = np.empty((n * (2 * per_call + 2), len(EVENT_FIELDS)))
    errands_out = np.empty((2 * n, len(ERRAND_FIELDS)))
    desk = np.empty((4 * n + 6 * len(officer_rows) + 8, len(DESK_FIELDS)))
    served = np.empty((n, 3))
    counters = np.zeros(8, dtype=np.int64)
    dl.run_days(
        np.array(d_ordinal, dtype=np.int64),
        np.array(d_base, dtype=np.int64),
        np.array(d_n, dtype=np.int64),
        np.array(d_end, dtype=float),
        np.array(d_pool_u, dtype=np.int64),
        np.array(d_pool_z, dtype=np.int64),
        np.array(d_off0, dtype=np.int64),
        np.array(d_noff, dtype=np.int64),
        np.ascontiguousarray(officers[:, 0]),
        np.ascontiguousarray(officers[:, 1]),
        np.ascontiguousarray(officers[:, 2]),
        np.ascontiguousarray(officers[:, 3]),
        np.array([r[4] for r in officer_rows], dtype=np.int64),
        joined("times", float),
        svc,
        joined("errand_u", float),
        vf,
        vi,
        ei,
        ef,
        joined("pool_u", float),
        joined("pool_z", float),
        svc_agency,
        svc_minutes,
        others,
        n_others,
        walkin,
        n_walkin,
        outcome_cdf,
        prm,
        n_agencies,
        events,
        errands_out,
        desk,
        served,
        counters,
    )
    visits: dict[str, np.ndarray] = {
        "day": joined("day", np.int32),
        "service": svc.astype(np.int16),
        "final_service": vi[dl.FINAL].astype(np.int16),
        "source": joined("source", np.int8),
        "priority": vi[dl.PRIO].astype(np.int16),
        "ticket": joined("ticket", np.int32),
        "arrived": vf[dl.QUEUED].copy(),
        "queued": vf[dl.QUEUED].copy(),
        "booked": booked_all,
        "first_call": vf[dl.FIRST].copy(),
        "last_call": vf[dl.LAST].copy(),
        "call_count": vi[dl.CALLS].astype(np.int16),
        "state": vi[dl.STATE].astype(np.int8),
        "outcome": vi[dl.OUTCOME].astype(np.int8),
        "officer": vi[dl.OFFICER].astype(np.int16),
        "left_at": vf[dl.LEFT].copy(),
    }
    events_out, errands_all = _rows_of_the_run(
        visits,
        events[: counters[dl.NE]],
        errands_out[: counters[dl.NR]],
        served[: counters[dl.NS]],
        joined("recalled", bool),
        vf[dl.OFF],
        vf[dl.DUR],
        joined("result", np.int64),
        recall_seconds,
    )
    return OfficeResult(
        office_id=scenario.office_id,
        visits=visits,
        events=events_out,
        errands=errands_all,
        desk=desk[: counters[dl.ND]].copy(),
    )


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
    # compile (or load from the cache) the day loop here, once: the workers are forked
    # from this process and inherit it instead of each compiling it
    simulate_office(OfficeScenario(office_id=0, services=(), days=()))
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
