"""A day's shifts from the need per slot: a set-covering integer programme, solved by HiGHS.

No Django: arrays in, shifts out. Time is counted in *slots* of ``rules.slot_minutes``
(default 30) from the start of the day's window; the window is the office's open interval
widened by the set-up time before opening and after closing.

The programme (the classic shift-scheduling model of Dantzig, "A comment on Edie's traffic
delays at toll booths", Operations Research 2(3), 1954; with breaks as in Aykin, Management
Science 42(4), 1996 — each break position is its own shift pattern):

- Candidate patterns: every start slot in the window, every legal length from
  ``min_hours`` to ``max_hours`` (in whole slots) that ends inside the window, and for a shift
  longer than ``break_after_hours`` every position of one ``break_minutes`` break that leaves
  no stretch of work longer than ``break_after_hours`` and none shorter than an hour.
  ASSUMPTION: the legal frame is the Swedish Working Hours Act (arbetstidslagen 1982:673)
  §15 — a break after at most five hours of work — with shifts of 3–8 hours as a local
  agreement would set them; the break is unpaid and the officer is not at the desk.
- Competence profiles: each pattern is offered once per profile (a set of agencies an officer
  is trained for); ``available[p]`` bounds how many shifts of profile ``p`` a day can have
  (the officers with that profile; None: unbounded).
- Cover: in every slot the shifts at work are at least ``need[t]`` in total and, for every
  agency ``a``, the shifts at work whose profile includes ``a`` are at least
  ``need_by_agency[a][t]``.
- Objective: the fewest paid hours (shift length less the break).

`solve_day` calls `scipy.optimize.milp` (HiGHS branch and cut) and reports whether the
answer is proven optimal or, if the time limit stopped it, the relative gap HiGHS states.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array


@dataclass(frozen=True, slots=True)
class ShiftRules:
    """Legal and local rules (ASSUMPTION: values of a local agreement, see module docstring)."""

    slot_minutes: int = 30
    min_hours: float = 3.0
    max_hours: float = 8.0
    break_after_hours: float = 5.0
    break_minutes: int = 30
    setup_minutes: int = 30  # before opening and after closing
    setup_staff: int = 1  # officers needed in the set-up slots


@dataclass(frozen=True, slots=True)
class Pattern:
    """A shift pattern: slots [start, end) of the window, break slots [break_start,
    break_end) (equal when no break)."""

    start: int
    end: int
    break_start: int
    break_end: int

    def works(self, slot: int) -> bool:
        return self.start <= slot < self.end and not (self.break_start <= slot < self.break_end)

    @property
    def paid_slots(self) -> int:
        return self.end - self.start - (self.break_end - self.break_start)


@dataclass(frozen=True, slots=True)
class ProposedShift:
    pattern: Pattern
    profile: int  # index into the profiles given
    count: int


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The answer for one day. ``status``: "optimal", "time_limit" (``gap`` stated),
    "infeasible" (the available officers cannot cover the need) or "empty" (no need).
    ``paid_slots``: the objective; ``bound``: HiGHS's proven lower bound."""

    status: str
    shifts: tuple[ProposedShift, ...]
    paid_slots: int
    bound: float
    gap: float
    coverage: tuple[int, ...]  # officers at work per slot

    @property
    def optimal(self) -> bool:
        return self.status in ("optimal", "empty")


class ShiftError(ValueError):
    """Inputs that do not describe a day (shapes, negative need, bad rules)."""


def patterns(n_slots: int, rules: ShiftRules = ShiftRules()) -> list[Pattern]:
    """Every legal pattern inside a window of ``n_slots`` slots (module docstring)."""
    per_hour = 60 // rules.slot_minutes
    if per_hour * rules.slot_minutes != 60:
        raise ShiftError("slot_minutes must divide an hour")
    lo = math.ceil(rules.min_hours * per_hour)
    hi = math.floor(rules.max_hours * per_hour)
    brk = math.ceil(rules.break_minutes / rules.slot_minutes)
    stretch = math.floor(rules.break_after_hours * per_hour)
    out = []
    for start in range(n_slots):
        for length in range(lo, hi + 1):
            end = start + length
            if end > n_slots:
                break
            if length <= stretch:
                out.append(Pattern(start, end, start, start))
                continue
            for b in range(start + per_hour, end - brk - per_hour + 1):
                if b - start <= stretch and end - (b + brk) <= stretch:
                    out.append(Pattern(start, end, b, b + brk))
    return out


def _surely_infeasible(
    need: np.ndarray,
    by_agency: Mapping[int, np.ndarray],
    profiles: Sequence[frozenset[int]],
    available: Sequence[int | None],
) -> bool:
    """Whether the bounds on the shifts alone rule out every cover: a slot needs more
    officers than all profiles may have shifts together, or more trained for an agency than
    the profiles trained for it may have (each shift is one officer; a profile without a
    bound rules nothing out). A necessary condition only: False does not mean feasible."""
    if all(cap is not None for cap in available) and need.max() > sum(
        cap or 0 for cap in available
    ):
        return True
    for agency, v in by_agency.items():
        caps = [available[k] for k, prof in enumerate(profiles) if agency in prof]
        if all(cap is not None for cap in caps) and v.max() > sum(cap or 0 for cap in caps):
            return True
    return False


def solve_day(
    need: Sequence[int],
    *,
    profiles: Sequence[frozenset[int]],
    need_by_agency: Mapping[int, Sequence[int]] | None = None,
    available: Sequence[int | None] | None = None,
    rules: ShiftRules = ShiftRules(),
    time_limit: float = 10.0,
) -> DayPlan:
    """The cheapest shifts covering ``need`` (officers per slot of the window, ints >= 0).

    ``profiles``: competence sets (agency indices) officers can have; ``need_by_agency``:
    agency -> officers trained for it needed per slot (same length as ``need``);
    ``available``: per profile, the most shifts of that profile (None: no bound). Raises
    ShiftError for inconsistent shapes or negative need.
    """
    need_arr = np.asarray(need, dtype=float)
    n = need_arr.size
    by_agency = {a: np.asarray(v, dtype=float) for a, v in (need_by_agency or {}).items()}
    if np.any(need_arr < 0) or any(v.shape != (n,) or np.any(v < 0) for v in by_agency.values()):
        raise ShiftError("need must be >= 0 and every agency's need as long as the day's")
    if not profiles:
        raise ShiftError("at least one competence profile is needed")
    avail = list(available) if available is not None else [None] * len(profiles)
    if len(avail) != len(profiles):
        raise ShiftError("one availability per profile")
    if need_arr.sum() == 0 and all(v.sum() == 0 for v in by_agency.values()):
        return DayPlan("empty", (), 0, 0.0, 0.0, (0,) * n)
    pats = patterns(n, rules)
    if not pats:
        raise ShiftError("the window is shorter than the shortest legal shift")
    if _surely_infeasible(need_arr, by_agency, profiles, avail):
        # HiGHS says so too, after a branch and bound (about 60 ms a day for an office of
        # two officers and a need of fifteen): the same answer without the programme
        return DayPlan("infeasible", (), 0, math.nan, math.nan, (0,) * n)
    work = np.array([[p.works(t) for t in range(n)] for p in pats], dtype=float)  # (P, n)
    n_pat, n_prof = len(pats), len(profiles)
    # variable j = profile * n_pat + pattern
    cost = np.tile(np.array([p.paid_slots for p in pats], dtype=float), n_prof)
    rows, cols, vals, lower = [], [], [], []
    r = 0
    pi, ti = np.nonzero(work)
    for t in range(n):  # total cover
        sel = pi[ti == t]
        for k in range(n_prof):
            rows += [r] * sel.size
            cols += list(k * n_pat + sel)
            vals += [1.0] * sel.size
        lower.append(need_arr[t])
        r += 1
    for a, v in sorted(by_agency.items()):
        trained = [k for k, prof in enumerate(profiles) if a in prof]
        for t in range(n):
            if v[t] <= 0:
                continue
            sel = pi[ti == t]
            for k in trained:
                rows += [r] * sel.size
                cols += list(k * n_pat + sel)
                vals += [1.0] * sel.size
            lower.append(v[t])
            r += 1
    upper = [math.inf] * len(lower)
    for k, cap in enumerate(avail):
        if cap is None:
            continue
        rows += [r] * n_pat
        cols += list(range(k * n_pat, (k + 1) * n_pat))
        vals += [1.0] * n_pat
        lower.append(0.0)
        upper.append(float(cap))
        r += 1
    matrix = coo_array((vals, (rows, cols)), shape=(r, n_pat * n_prof)).tocsr()
    res = milp(
        cost,
        constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
        integrality=np.ones(cost.size),
        bounds=Bounds(0, np.inf),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    if res.x is None:
        status = "infeasible" if res.status == 2 else "time_limit"
        return DayPlan(status, (), 0, math.nan, math.nan, (0,) * n)
    x = np.rint(res.x).astype(int)
    shifts = tuple(
        ProposedShift(pats[j % n_pat], int(j // n_pat), int(x[j])) for j in np.flatnonzero(x)
    )
    coverage = tuple(int(v) for v in (x.reshape(n_prof, n_pat).sum(axis=0) @ work))
    paid = round(float(cost @ x))
    bound = float(getattr(res, "mip_dual_bound", paid) or paid)
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return DayPlan(
        "optimal" if res.status == 0 else "time_limit", shifts, paid, bound, gap, coverage
    )


def slot_need(
    hourly: Mapping[int, int], *, open_minute: int, close_minute: int, rules: ShiftRules
) -> tuple[list[int], int]:
    """The need per slot of a day's window from officers needed per clock hour.

    ``hourly``: clock hour -> officers; ``open_minute``/``close_minute``: minutes after
    midnight. Returns (need per slot, the window's first minute). Set-up slots need
    ``rules.setup_staff``. Raises ShiftError if the office does not open.
    """
    if close_minute <= open_minute:
        raise ShiftError("the office must open before it closes")
    first = open_minute - rules.setup_minutes
    last = close_minute + rules.setup_minutes
    need = []
    for m in range(first, last, rules.slot_minutes):
        if m < open_minute or m >= close_minute:
            need.append(rules.setup_staff)
        else:
            need.append(int(hourly.get(m // 60, 0)))
    return need, first
