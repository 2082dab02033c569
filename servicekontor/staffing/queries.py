"""Reads of the staffing plans: history from `reports`, the registry, the roster; the math from
the pure modules (`forecast`, `dimensioning`, `shifts`, `simcheck`).

- `week_plan`: one office's week — forecast per agency and hour (with the bookings already
  made), officers needed per hour (Erlang C / A, occupancy cap, shrinkage), the roster per
  hour (short/over), a proposed set of shifts per day (HiGHS), and the simulation check.
- `network_plan`: FTE needed against available per office, county and agency competence,
  per month of a year, with the what-ifs (volume +x %, another service-level target, an
  agency added to offices).

ASSUMPTIONS (docs/staffing.md): the history is the last ``HISTORY_WEEKS`` weeks of the
statistics' rollups, from the first day with any arrival; an officer assigned to an office
is one FTE there; an FTE is `dimensioning.fte` (40 paid hours a week, 8 a working day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicekontor.accounts.models import Competence, OfficeAssignment, Role
from servicekontor.appointments.models import HOLDS_CAPACITY, Booking
from servicekontor.catalog.models import Agency
from servicekontor.core import clock, memo, params
from servicekontor.core.errors import DomainError
from servicekontor.network import opening_hours
from servicekontor.network.models import Office, ServicePoint
from servicekontor.network.queries import schedule_of, with_schedules
from servicekontor.reports import queries as report_queries
from servicekontor.reports.scope import EVERYTHING
from servicekontor.staffing import dimensioning, forecast, shifts, simcheck
from servicekontor.staffing.models import Shift, minutes

HISTORY_WEEKS = 104
#: The furthest week a plan is made for: a year ahead (the forecast repeats the weekly and
#: yearly pattern of the history; HISTORY_WEEKS before it still reach into the past).
MAX_WEEKS_AHEAD = 52
#: ASSUMPTION: the history shows abandonment when at least this share of visits left.
ABANDONMENT_THRESHOLD = 0.01
DEFAULT_SERVICE_MINUTES = 10.0
#: An hour whose simulated service level is more than this below the promised one is named
#: on the page, with the reason (`WeekPlan.behind_promise`).
SIMULATION_TOLERANCE = 0.10


def last_plannable_monday() -> dt.date:
    """The Monday of the week ``MAX_WEEKS_AHEAD`` weeks after this one."""
    today = clock.local_today()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=MAX_WEEKS_AHEAD)


class NoPlan(DomainError):
    http_status = 400
    default_message = _("There is not enough history to plan this office.")


class BadWeek(DomainError):
    http_status = 400
    default_message = _("Give the week as YYYY-Www, e.g. 2026-W10.")


DEFAULT_POLICY = dimensioning.Policy()
DEFAULT_RULES = shifts.ShiftRules()


def parse_week(text: str) -> dt.date:
    """The Monday of an ISO week "2026-W10"; raises BadWeek (400) with the reason
    (`core.params.parse_iso_week`: week 53 of a 52-week year, year 9999, "١٢")."""
    try:
        return params.parse_iso_week(text)
    except ValueError as exc:
        raise BadWeek(str(exc)) from None


@dataclass(frozen=True)
class AddedVolume:
    """An agency's expected volume at each office planned: ``visits_per_month`` visits of
    ``service_minutes`` desk minutes each (the user's stated assumptions, e.g. from the costs
    what-if), spread over the month's open days and hours like the office's existing demand."""

    agency: int
    visits_per_month: float
    service_minutes: float


@dataclass(frozen=True)
class WhatIf:
    """Changes to plan against: volume factor (1.1: +10 %), a service level for every agency
    (share, minutes; None: each agency's own), agencies added to the offices planned (with
    the office's mean volume of one agency, or with a stated volume: `added_volumes`), and
    agencies removed from them (`remove_agency_ids`: their demand there is dropped)."""

    volume_factor: float = 1.0
    service_level: tuple[float, int] | None = None
    add_agency_ids: tuple[int, ...] = ()
    added_volumes: tuple[AddedVolume, ...] = ()
    remove_agency_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not 0 < self.volume_factor <= 10:
            raise DomainError(_("The volume factor must be above 0 and at most 10."))
        if self.service_level is not None:
            share, mins = self.service_level
            if not 0 < share < 1 or not 0 < mins <= 240:
                raise DomainError(_("Give a service level share in (0, 1) and 1–240 minutes."))
        for v in self.added_volumes:
            if not (v.visits_per_month >= 0 and 0 < v.service_minutes <= 480):
                raise DomainError(
                    _("An added volume needs visits ≥ 0 and 0–480 minutes per visit.")
                )


NO_CHANGE = WhatIf()


@dataclass
class AgencyHistory:
    agency_id: int
    counts: np.ndarray  # (n_days, 24)
    mean_service_minutes: float
    patience_minutes: float
    booked_share: float


@dataclass
class OfficeHistory:
    office: Office
    start: dt.date
    open_days: np.ndarray
    agencies: dict[int, AgencyHistory]
    backtest: forecast.Backtest | None


def _open_days(schedule: opening_hours.Schedule, days: Sequence[dt.date]) -> np.ndarray:
    return np.array([opening_hours.day_hours(schedule, d).is_open for d in days], dtype=bool)


def office_history(
    office: Office, *, before: dt.date, weeks: int = HISTORY_WEEKS, holdout_weeks: int = 4
) -> OfficeHistory:
    """Arrivals per agency, day and hour before ``before`` (from the statistics), with each
    agency's mean desk minutes, estimated patience and booked share, and the backtest of
    the office's total. Raises NoPlan when there is no arrival at all."""
    history = office_histories([office], before=before, weeks=weeks, holdout_weeks=holdout_weeks)
    found = history[office.pk]
    if found is None:
        raise NoPlan()
    return found


def office_histories(
    offices: Sequence[Office],
    *,
    before: dt.date,
    weeks: int = HISTORY_WEEKS,
    holdout_weeks: int = 4,
) -> dict[int, OfficeHistory | None]:
    """`office_history` of each of ``offices`` (None: no arrival at all), read together: one
    statement for the arrivals of them all and one for their figures per first day of
    history (the offices' histories begin on the day of their first arrival)."""
    first = before - dt.timedelta(weeks=weeks)
    # Only days that are over: planning next week on a Monday, the days from today to
    # Sunday are open in the schedule but have no arrivals yet, and read as observed zeros
    # they pulled the forecast down (a drop of about a third from one week to the next).
    last = min(before, clock.local_today()) - dt.timedelta(days=1)
    raw_all = report_queries.arrivals_by_hour(
        scope=EVERYTHING, start=first, end=last, office_ids=[o.pk for o in offices]
    )
    raw_by_office: dict[int, dict[tuple[int, dt.date, int], int]] = defaultdict(dict)
    for (office_id, agency, day, hour), value in raw_all.items():
        raw_by_office[office_id][(agency, day, hour)] = value
    starts = {
        office_id: min(day for (_a, day, _h) in raw) for office_id, raw in raw_by_office.items()
    }
    by_start: dict[dt.date, list[int]] = defaultdict(list)
    for office_id, start in starts.items():
        by_start[start].append(office_id)
    figs: dict[tuple[int, int], report_queries.Figures] = {}
    for start, office_ids in sorted(by_start.items()):
        for (office_id, agency), f in report_queries.figures(
            scope=EVERYTHING, start=start, end=last, by=("office", "agency"), office_ids=office_ids
        ).items():
            figs[(office_id, agency)] = f
    out: dict[int, OfficeHistory | None] = {}
    for office in offices:
        raw = raw_by_office.get(office.pk)
        out[office.pk] = (
            None
            if not raw
            else _office_history(
                office, raw, starts[office.pk], last, figs, holdout_weeks=holdout_weeks
            )
        )
    return out


def _office_history(
    office: Office,
    raw: dict[tuple[int, dt.date, int], int],
    start: dt.date,
    last: dt.date,
    figs: dict[tuple[int, int], report_queries.Figures],
    *,
    holdout_weeks: int,
) -> OfficeHistory:
    n = (last - start).days + 1
    days = [start + dt.timedelta(days=i) for i in range(n)]
    open_days = _open_days(schedule_of(office), days)
    counts: dict[int, np.ndarray] = defaultdict(lambda: np.zeros((n, 24)))
    for (agency, day, hour), value in raw.items():
        counts[agency][(day - start).days, hour] += value
    # a day with arrivals is open whatever the schedule says now
    total = sum(counts.values())
    open_days |= np.asarray(total).sum(axis=1) > 0
    agencies = {}
    for agency, c in counts.items():
        f = figs.get((office.pk, agency))
        mean_minutes = (
            f.mean_service_seconds / 60.0 if f and f.mean_service_seconds else None
        ) or DEFAULT_SERVICE_MINUTES
        patience = math.inf
        if (
            f
            and f.arrivals
            and f.left_queue / f.arrivals >= ABANDONMENT_THRESHOLD
            and f.wait_seconds
        ):
            # ASSUMPTION: exponential patience estimated as the time spent waiting per
            # person who left (the waits of the called are censored patience times; the
            # waits of those who left are not in the rollups, so this is a lower estimate)
            patience = max(1.0, f.wait_seconds / 60.0 / f.left_queue)
        booked_share = f.visits_booked / f.arrivals if f and f.arrivals else 0.0
        agencies[agency] = AgencyHistory(agency, c, mean_minutes, patience, booked_share)
    bt = None
    if holdout_weeks:
        bt = _backtest(np.asarray(total), start, open_days, holdout_weeks)
    return OfficeHistory(office, start, open_days, agencies, bt)


def _forecast(
    counts: np.ndarray, start: dt.date, open_days: np.ndarray, days: list[dt.date]
) -> np.ndarray:
    """`forecast.forecast` of an agency's arrivals on ``days`` (the seasonal naive one when
    the model cannot be fitted), remembered by its inputs (`core.memo`): the fit is the
    page's work, and its first use in a process imports statsmodels."""

    def compute() -> np.ndarray:
        try:
            return forecast.forecast(counts, start, open_days, days)
        except forecast.ForecastError:
            return forecast.seasonal_naive(counts, start, open_days, days)

    return memo.remembered("staffing.forecast.1", (counts, start, open_days, days), compute)


def _backtest(
    total: np.ndarray, start: dt.date, open_days: np.ndarray, holdout_weeks: int
) -> forecast.Backtest | None:
    """`forecast.backtest` of an office's total, None when it cannot be made; remembered
    by its inputs (`core.memo`)."""

    def compute() -> forecast.Backtest | None:
        try:
            return forecast.backtest(total, start, open_days, holdout_weeks=holdout_weeks)
        except forecast.ForecastError:
            return None

    return memo.remembered("staffing.backtest.1", (total, start, open_days, holdout_weeks), compute)


def _known_bookings(office: Office, days: Sequence[dt.date]) -> dict[tuple[int, dt.date, int], int]:
    """Bookings holding capacity per (agency, day, local hour of their start), video meetings
    included, as the history counts them: a video meeting's check-in queues its visit
    (decision 0059) and an officer calls it and shows the citizen to the room (decision
    0080), so the statistics' arrivals and booked share (`office_history`) hold these visits
    with their short desk minutes; the known bookings are counted the same way
    (`forecast.with_bookings` sets them against that booked share)."""
    out: dict[tuple[int, dt.date, int], int] = defaultdict(int)
    for agency, day, starts in Booking.objects.filter(
        office=office, day__in=list(days), status__in=HOLDS_CAPACITY
    ).values_list("service__agency_id", "day", "starts_at"):
        out[(agency, day, starts.astimezone(clock.STOCKHOLM).hour)] += 1
    return out


@dataclass
class HourRow:
    day: dt.date
    hour: int
    arrivals: dict[int, float]  # agency -> expected arrivals
    need: dimensioning.HourNeed
    #: officers on the roster in the hour, each counted by the share of the hour they are at
    #: work (not on break): 12:00–12:30 is 0.5 (walk F27: a half hour counted 0 in one hour
    #: and a 45-minute one 1 in the next)
    roster: float
    simulated_service_level: float | None = None
    simulated_mean_wait: float | None = None

    @property
    def difference(self) -> float:
        """Roster minus scheduled need: negative is short."""
        return self.roster - self.need.scheduled


def _at_work_in_hour(shift: Shift, hour: int) -> float:
    """The share of the clock hour ``hour`` the officer of ``shift`` is at work (not on break)."""
    lo, hi = hour * 60, hour * 60 + 60
    start, end = shift.minute_span()
    worked = max(0, min(hi, end) - max(lo, start))
    if shift.break_start is not None and shift.break_minutes:
        b = minutes(shift.break_start)
        worked -= max(0, min(hi, end, b + shift.break_minutes) - max(lo, start, b))
    return worked / 60


@dataclass
class DayShifts:
    day: dt.date
    plan: shifts.DayPlan
    first_minute: int
    profiles: list[frozenset[int]]
    note: str = ""


@dataclass
class WeekPlan:
    office: Office
    monday: dt.date
    rows: list[HourRow]
    days: list[DayShifts]
    agencies: dict[int, Agency]
    backtest: forecast.Backtest | None
    replications: int
    targets: dict[int, tuple[float, int]] = field(default_factory=dict)
    desks: int = 0  # desks in use (not the video rooms): officers beyond them have no desk
    #: the week's shifts on the roster (imported or entered), by day and start
    roster: list[Shift] = field(default_factory=list)

    #: the office's last 4 weeks in the statistics (`history_figures`), to set the promise
    #: beside what it had; None without a visit in them
    recent: report_queries.Figures | None = None
    recent_start: dt.date | None = None
    recent_end: dt.date | None = None

    @property
    def beyond_desks(self) -> list[HourRow]:
        """The hours whose target would need more officers at the desks than the office has
        desks: their plan, promise and simulation are limited to the desks
        (`dimensioning.at_most_desks`), and the target cannot be reached there."""
        return [r for r in self.rows if r.need.needed_without_desk_limit]

    @property
    def peak_without_desk_limit(self) -> int:
        return max((r.need.needed_without_desk_limit for r in self.rows), default=0)

    @property
    def behind_promise(self) -> list[HourRow]:
        """The hours whose simulated service level is more than ``SIMULATION_TOLERANCE``
        below the promised one, the largest gap first. The promise takes each hour on its
        own with an empty queue at its start (the formula's steady state); the simulation
        carries over the queue a busier hour leaves (walk F1)."""
        rows = [
            r
            for r in self.rows
            if r.simulated_service_level is not None
            and r.simulated_service_level < r.need.promised_service_level - SIMULATION_TOLERANCE
        ]
        return sorted(
            rows,
            key=lambda r: (r.simulated_service_level or 0.0) - r.need.promised_service_level,
        )

    def target_level(self, row: HourRow) -> float:
        """The hour's service-level target: the highest share of the agencies arriving in
        it (the pooled target `dimensioning` plans for)."""
        present = [a for a, n in row.arrivals.items() if n > 0]
        return max((self.targets.get(a, (0.8, 15))[0] for a in present), default=0.0)

    @property
    def below_target(self) -> list[HourRow]:
        """The open hours with arrivals whose promised service level is below the hour's
        target (desks too few, occupancy cap), or whose simulated one is more than
        ``SIMULATION_TOLERANCE`` below it: the week's level, an average weighted by arrivals,
        hides them (walk F23: "promised 95.2 %" for a week with Monday 11:00 at 60.2 %)."""
        out = []
        for r in self.rows:
            if sum(r.arrivals.values()) <= 0:
                continue
            target = self.target_level(r)
            simulated = r.simulated_service_level
            if r.need.promised_service_level < target - 1e-9 or (
                simulated is not None and simulated < target - SIMULATION_TOLERANCE
            ):
                out.append(r)
        return out

    def after_overload(self, row: HourRow) -> bool:
        """Whether an earlier hour of ``row``'s day has more arrivals than its officers at the
        desks can serve (no finite promised mean wait): its queue grows and carries over."""
        return any(
            r.day == row.day and r.hour < row.hour and math.isinf(r.need.promised_mean_wait)
            for r in self.rows
        )

    @property
    def hours(self) -> list[int]:
        return sorted({r.hour for r in self.rows})

    def week_service_levels(self) -> tuple[float, float | None]:
        """(promised, simulated) service level of the week, each hour weighted by its expected
        arrivals; simulated None when the plan was not simulated."""
        weights = [sum(r.arrivals.values()) for r in self.rows]
        total = sum(weights) or 1.0
        promised = sum(
            w * r.need.promised_service_level for w, r in zip(weights, self.rows, strict=True)
        )
        simulated_rows = [
            (w, r)
            for w, r in zip(weights, self.rows, strict=True)
            if r.simulated_service_level is not None
        ]
        simulated = (
            sum(w * (r.simulated_service_level or 0.0) for w, r in simulated_rows)
            / (sum(w for w, _r in simulated_rows) or 1.0)
            if simulated_rows
            else None
        )
        return promised / total, simulated


def _targets(agencies: Iterable[Agency], what_if: WhatIf) -> dict[int, tuple[float, int]]:
    if what_if.service_level is not None:
        return {a.pk: what_if.service_level for a in agencies}
    return {a.pk: (float(a.service_level_share), a.service_level_minutes) for a in agencies}


def _competence_profiles(office: Office, agency_ids: set[int]) -> dict[frozenset[int], int]:
    """Competence sets (restricted to the agencies planned) -> officers assigned with them."""
    users = OfficeAssignment.objects.filter(
        office=office, user__is_active=True, user__role=Role.SERVICE_OFFICER
    ).values_list("user_id", flat=True)
    trained: dict[int, set[int]] = defaultdict(set)
    for user_id, agency_id in Competence.objects.filter(user_id__in=list(users)).values_list(
        "user_id", "agency_id"
    ):
        if agency_id in agency_ids:
            trained[user_id].add(agency_id)
    out: dict[frozenset[int], int] = defaultdict(int)
    for user_id in users:
        if trained.get(user_id):
            out[frozenset(trained[user_id])] += 1
    return dict(out)


def week_plan(
    *,
    office: Office,
    monday: dt.date,
    policy: dimensioning.Policy = DEFAULT_POLICY,
    what_if: WhatIf = NO_CHANGE,
    replications: int = 20,
    simulate: bool = True,
    rules: shifts.ShiftRules = DEFAULT_RULES,
) -> WeekPlan:
    """The plan of ``office`` for the ISO week starting ``monday`` (module docstring).
    Raises NoPlan (400) without history."""
    history = office_history(office, before=monday)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    schedule = schedule_of(office)
    hours_of = {d: opening_hours.day_hours(schedule, d).intervals for d in days}
    agency_ids = set(history.agencies) | set(what_if.add_agency_ids)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=agency_ids)}
    targets = _targets(agencies.values(), what_if)
    known = _known_bookings(office, days)
    # network mean per agency for an agency added without a history at this office
    per_agency: dict[int, np.ndarray] = {}
    for agency, h in history.agencies.items():
        f = _forecast(h.counts, history.start, history.open_days, days)
        booked = np.array([[known.get((agency, d, hr), 0) for hr in range(24)] for d in days])
        per_agency[agency] = forecast.with_bookings(f, h.booked_share, booked)
    if what_if.add_agency_ids and per_agency:
        # ASSUMPTION: an added agency brings the office's mean volume of one existing agency
        mean = np.asarray(sum(per_agency.values())) / len(per_agency)
        for a in what_if.add_agency_ids:
            per_agency.setdefault(a, mean)
    roster = list(
        Shift.objects.filter(office=office, day__in=days)
        .select_related("officer")
        .order_by("day", "start", "officer__username")
    )
    desks = ServicePoint.objects.filter(office=office, is_active=True).desks().count()
    rows: list[HourRow] = []
    for i, d in enumerate(days):
        intervals = hours_of[d]
        if not intervals:
            continue
        open_m = minutes(intervals[0][0])
        close_m = minutes(intervals[-1][1])
        for hour in range(open_m // 60, math.ceil(close_m / 60)):
            arrivals = {
                a: float(per_agency[a][i, hour]) * what_if.volume_factor for a in per_agency
            }
            demands = [
                dimensioning.AgencyDemand(
                    agency=a,
                    arrivals_per_hour=n,
                    mean_service_minutes=(
                        history.agencies[a].mean_service_minutes
                        if a in history.agencies
                        else DEFAULT_SERVICE_MINUTES
                    ),
                    target_minutes=targets.get(a, (0.8, 15))[1],
                    service_level=targets.get(a, (0.8, 15))[0],
                    patience_minutes=(
                        history.agencies[a].patience_minutes if a in history.agencies else math.inf
                    ),
                )
                for a, n in arrivals.items()
            ]
            on_roster = sum(_at_work_in_hour(s, hour) for s in roster if s.day == d)
            need = dimensioning.at_most_desks(
                dimensioning.hour_need(demands, policy), demands, desks, policy
            )
            rows.append(HourRow(d, hour, arrivals, need, on_roster))
    plans = _propose_shifts(office, days, hours_of, rows, set(per_agency), rules)
    plan = WeekPlan(
        office=office,
        monday=monday,
        rows=rows,
        days=plans,
        agencies=agencies,
        backtest=history.backtest,
        replications=replications,
        targets=targets,
        desks=desks,
        roster=roster,
    )
    plan.recent_end = min(monday, clock.local_today()) - dt.timedelta(days=1)
    plan.recent_start = plan.recent_end - dt.timedelta(days=27)
    plan.recent = report_queries.figures(
        scope=EVERYTHING, start=plan.recent_start, end=plan.recent_end, office_ids=[office.pk]
    ).get(())
    if simulate:
        _simulate(plan, history, hours_of, rules)
    return plan


def _propose_shifts(
    office: Office,
    days: Sequence[dt.date],
    hours_of: dict[dt.date, tuple[tuple[dt.time, dt.time], ...]],
    rows: Sequence[HourRow],
    agency_ids: set[int],
    rules: shifts.ShiftRules,
) -> list[DayShifts]:
    staff = _competence_profiles(office, agency_ids)
    if staff:
        profiles = sorted(staff, key=lambda p: (-len(p), sorted(p)))
        available: list[int | None] = [staff[p] for p in profiles]
    else:  # nobody assigned: plan generalists without a bound
        profiles, available = [frozenset(agency_ids)], [None]
    out = []
    for d in days:
        intervals = hours_of[d]
        if not intervals:
            continue
        day_rows = {r.hour: r for r in rows if r.day == d}
        need, first = shifts.slot_need(
            {h: r.need.scheduled for h, r in day_rows.items()},
            open_minute=minutes(intervals[0][0]),
            close_minute=minutes(intervals[-1][1]),
            rules=rules,
        )
        by_agency: dict[int, list[int]] = {}
        for a in agency_ids:
            slots = []
            for k in range(len(need)):
                hour = (first + k * rules.slot_minutes) // 60
                r = day_rows.get(hour)
                slots.append(r.need.by_agency.get(a, 0) if r else 0)
            by_agency[a] = slots
        result = _solve_day(need, profiles, by_agency, available, rules)
        note = ""
        if result.status == "infeasible":
            profiles_all = [frozenset(agency_ids)]
            result = _solve_day(need, profiles_all, by_agency, None, rules)
            # Not "proven optimal" beside "not enough officers": the shifts are the best for
            # officers the office does not have, and the page says so (walk, 1 Dec 2026).
            note = str(
                _(
                    "Not enough trained officers: the shifts below need %(needed)s officers, "
                    "%(available)s are assigned with the competences required. They are the "
                    "best shifts if every officer were trained for every agency, not a plan "
                    "today's staff can work."
                )
                % {
                    "needed": sum(s.count for s in result.shifts),
                    "available": sum(n or 0 for n in available),
                }
            )
            out.append(DayShifts(d, result, first, profiles_all, note))
            continue
        out.append(DayShifts(d, result, first, list(profiles), note))
    return out


def _solve_day(
    need: list[int],
    profiles: list[frozenset[int]],
    by_agency: dict[int, list[int]],
    available: list[int | None] | None,
    rules: shifts.ShiftRules,
) -> shifts.DayPlan:
    """`shifts.solve_day`, remembered by its arguments (`core.memo`) unless the time limit
    cut it short (another run may do better; an optimal or infeasible answer is final)."""
    return memo.remembered(
        "staffing.solve_day.1",
        (need, profiles, by_agency, available, rules),
        lambda: shifts.solve_day(
            need, profiles=profiles, need_by_agency=by_agency, available=available, rules=rules
        ),
        keep=lambda plan: plan.status != "time_limit",
    )


def _simulate(
    plan: WeekPlan,
    history: OfficeHistory,
    hours_of: dict[dt.date, tuple[tuple[dt.time, dt.time], ...]],
    rules: shifts.ShiftRules,
) -> None:
    service = {a: h.mean_service_minutes for a, h in history.agencies.items()}
    patience_rates = [1 / h.patience_minutes for h in history.agencies.values()]
    patience = (
        math.inf if not any(patience_rates) else 1 / (sum(patience_rates) / len(patience_rates))
    )
    target = min((m for _s, m in plan.targets.values()), default=15)
    for day in plan.days:
        rows = [r for r in plan.rows if r.day == day.day]
        arrivals = {r.hour: r.arrivals for r in rows}
        sim_shifts = _sim_shifts(day, rules)
        if plan.desks:
            sim_shifts = _at_most_desks(sim_shifts, plan.desks, rules.slot_minutes)
        intervals = hours_of[day.day]
        results = _check_day(
            arrivals,
            {a: service.get(a, DEFAULT_SERVICE_MINUTES) for a in plan.agencies},
            (minutes(intervals[0][0]), minutes(intervals[-1][1])),
            sim_shifts,
            target,
            patience,
            plan.replications,
            day.day.toordinal(),
        )
        by_hour = {r.hour: r for r in results}
        for r in rows:
            res = by_hour.get(r.hour)
            if res is not None and not math.isnan(res.service_level):
                r.simulated_service_level = res.service_level
                r.simulated_mean_wait = res.mean_wait


def _check_day(
    arrivals: dict[int, dict[int, float]],
    service_minutes: dict[int, float],
    open_minutes: tuple[int, int],
    sim_shifts: list[simcheck.SimShift],
    target: float,
    patience: float,
    replications: int,
    seed: int,
) -> list[simcheck.HourResult]:
    """`simcheck.check_day`: seeded, so a pure function of its arguments, and remembered by
    them (`core.memo`)."""
    inputs = (
        arrivals,
        service_minutes,
        open_minutes,
        sim_shifts,
        target,
        patience,
        replications,
        seed,
    )
    return memo.remembered(
        "staffing.check_day.1",
        inputs,
        lambda: simcheck.check_day(
            arrivals=arrivals,
            service_minutes=service_minutes,
            open_minutes=open_minutes,
            shifts=sim_shifts,
            target_minutes=target,
            patience_minutes=patience,
            replications=replications,
            seed=seed,
        ),
    )


def _sim_shifts(day: DayShifts, rules: shifts.ShiftRules) -> list[simcheck.SimShift]:
    """The day's proposed shifts as the simulator's officers, one per officer."""
    out = []
    for s in day.plan.shifts:
        p = s.pattern
        for _k in range(s.count):
            out.append(
                simcheck.SimShift(
                    start_minute=day.first_minute + p.start * rules.slot_minutes,
                    end_minute=day.first_minute + p.end * rules.slot_minutes,
                    agencies=day.profiles[s.profile],
                    break_minute=(
                        day.first_minute + p.break_start * rules.slot_minutes
                        if p.break_end > p.break_start
                        else None
                    ),
                    break_minutes=(p.break_end - p.break_start) * rules.slot_minutes,
                )
            )
    return out


def _at_most_desks(
    sim_shifts: Sequence[simcheck.SimShift], desks: int, step: int
) -> list[simcheck.SimShift]:
    """The shifts cut so that no more than ``desks`` officers are at the desks at once: the
    simulation serves only with officers who have a desk (the others stand for the shrinkage:
    back-office time, not the queue). Longest shifts first; a later shift keeps the runs of
    slots where a desk is still free, each run one simulated officer (its break kept if it
    falls inside). An officer on a break does not hold a desk: the shifts beyond the desks
    take the desks over during the breaks (walk F1, 2 Dec 2026: counting the break slots as
    seated left 8–11 officers at Kista's 12 desks over lunch, with the cover at 13–15, and the
    simulated service level fell to 1 %)."""
    counts: dict[int, int] = defaultdict(int)
    kept = []
    for s in sorted(sim_shifts, key=lambda s: s.start_minute - s.end_minute):
        brk = (
            range(s.break_minute, s.break_minute + s.break_minutes)
            if s.break_minute is not None
            else range(0)
        )
        run: list[int] = []
        for m in [*range(s.start_minute, s.end_minute, step), None]:
            if m is not None and m in brk:
                continue  # on break: no desk held, the run goes on after it
            if m is not None and counts[m] < desks:
                counts[m] += 1
                run.append(m)
                continue
            if run:
                start, end = run[0], run[-1] + step
                has_break = s.break_minute is not None and start < s.break_minute < end
                kept.append(
                    dataclasses.replace(
                        s,
                        start_minute=start,
                        end_minute=end,
                        break_minute=s.break_minute if has_break else None,
                        break_minutes=s.break_minutes if has_break else 0,
                    )
                )
                run = []
    return kept


# --- the network view ------------------------------------------------------------------------


def _scaled_to_months(
    shape: np.ndarray, open_days: Sequence[dt.date], visits_per_month: float
) -> np.ndarray:
    """``shape`` (open days × 24 expected arrivals) scaled month by month so that each month's
    open days sum to ``visits_per_month`` (a month whose shape is all 0 stays 0)."""
    out = np.array(shape, dtype=float, copy=True)
    months = np.array([d.month for d in open_days])
    for month in set(months.tolist()):
        rows = months == month
        total = out[rows].sum()
        out[rows] = out[rows] * (visits_per_month / total) if total > 0 else 0.0
    return out


@dataclass
class NetworkRow:
    office: Office
    month: int
    fte_needed: float
    #: the active service officers assigned to the office in the registry; None when none is
    #: recorded there (not known, not a measured 0: walk F24)
    fte_available: float | None
    #: officer hours scheduled in the month (officers needed per hour × open hours, shrinkage
    #: included); fte_needed = hours_needed / the month's paid hours of one full-time officer
    hours_needed: float = 0.0
    #: the most officers the target needs at the desks at once in the month, and the desks
    #: the office has (0: none known): above them the FTE needed cannot all serve at once
    peak_at_desks: int = 0
    desks: int = 0

    @property
    def beyond_desks(self) -> bool:
        return bool(self.desks) and self.peak_at_desks > self.desks

    @property
    def difference(self) -> float | None:
        if self.fte_available is None:
            return None
        return self.fte_available - self.fte_needed


@dataclass
class NetworkPlan:
    """Figures available are None where no staff is recorded (walk F24): a county's or an
    agency's available/trained sums only the offices with staff recorded, and is None when
    none of its offices has any; ``offices_without_staff`` counts the offices planned with
    none recorded, so the page can say how much of the network the figure covers."""

    year: int
    rows: list[NetworkRow]
    by_county: dict[tuple[str, int], tuple[float, float | None]]
    #: (agency, month) -> needed, trained (None: no office there has staff recorded)
    competence: dict[tuple[int, int], tuple[float, float | None]]
    agencies: dict[int, Agency]
    skipped: list[Office]
    backtests: dict[int, forecast.Backtest] = field(default_factory=dict)

    @property
    def offices_without_staff(self) -> list[Office]:
        seen: dict[int, Office] = {}
        for r in self.rows:
            if r.fte_available is None:
                seen.setdefault(r.office.pk, r.office)
        return list(seen.values())

    @property
    def offices_planned(self) -> int:
        return len({r.office.pk for r in self.rows})

    @property
    def beyond_desks(self) -> list[NetworkRow]:
        """Office-months whose target needs more officers at once than the office has desks."""
        return [r for r in self.rows if r.beyond_desks]

    def overall_wape(self) -> tuple[float, float] | None:
        """(model, seasonal naive) WAPE over every office's held-out weeks together."""
        actual = sum(b.actual for b in self.backtests.values())
        if not actual:
            return None
        return (
            sum(b.abs_error_model for b in self.backtests.values()) / actual,
            sum(b.abs_error_naive for b in self.backtests.values()) / actual,
        )


MonthNeed = tuple[float, int, dict[int, float]]


def _office_months(
    *,
    history: list[tuple[int, np.ndarray, float]],
    start: dt.date,
    history_open_days: np.ndarray,
    schedule: opening_hours.Schedule,
    year: int,
    wanted_months: list[int],
    what_if: WhatIf,
    targets: dict[int, tuple[float, int]],
    policy: dimensioning.Policy,
) -> list[MonthNeed]:
    """One office's (officer hours needed, most officers at once, peak officers per agency)
    in each of ``wanted_months`` (`network_plan`): a pure function of its arguments,
    remembered by them (`core.memo`), as the page is opened many times on the same history."""
    inputs = (
        history,
        start,
        history_open_days,
        schedule,
        year,
        wanted_months,
        what_if,
        targets,
        policy,
    )

    def compute() -> list[MonthNeed]:
        days = (dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(366))
        year_days = [d for d in days if d.year == year]
        day_hours = {d: opening_hours.day_hours(schedule, d).intervals for d in year_days}
        return _office_months_computed(
            history, start, history_open_days, day_hours, wanted_months, what_if, targets, policy
        )

    return memo.remembered("staffing.office_months.1", inputs, compute)


def _office_months_computed(
    history: list[tuple[int, np.ndarray, float]],
    start: dt.date,
    history_open_days: np.ndarray,
    day_hours: dict[dt.date, tuple[tuple[dt.time, dt.time], ...]],
    wanted_months: list[int],
    what_if: WhatIf,
    targets: dict[int, tuple[float, int]],
    policy: dimensioning.Policy,
) -> list[MonthNeed]:
    open_days = [d for d in day_hours if day_hours[d]]
    forecasts: dict[int, np.ndarray] = {}
    for agency, counts, _minutes in history:
        try:
            model = forecast.fit_day_model(counts, start, history_open_days)
            profile = forecast.hour_profile(counts, start, history_open_days)
        except forecast.ForecastError:
            continue
        totals = model.predict(open_days)
        forecasts[agency] = totals[:, None] * np.array([profile[d.weekday()] for d in open_days])
    service_minutes = {a: m for a, _counts, m in history}
    if (what_if.add_agency_ids or what_if.added_volumes) and forecasts:
        mean = np.asarray(sum(forecasts.values())) / len(forecasts)
        for a in what_if.add_agency_ids:
            forecasts.setdefault(a, mean)
        for v in what_if.added_volumes:
            forecasts[v.agency] = forecasts.get(v.agency, 0.0) + _scaled_to_months(
                mean, open_days, v.visits_per_month
            )
            service_minutes.setdefault(v.agency, v.service_minutes)
    for a in what_if.remove_agency_ids:
        forecasts.pop(a, None)
    index = {d: i for i, d in enumerate(open_days)}
    out: list[MonthNeed] = []
    for month in wanted_months:
        month_days = [d for d in open_days if d.month == month]
        hours_needed = 0.0
        most_at_once = 0
        agency_hours: dict[int, float] = defaultdict(float)
        for weekday in range(7):
            same = [d for d in month_days if d.weekday() == weekday]
            if not same:
                continue
            rows_idx = [index[d] for d in same]
            iv = day_hours[same[0]]
            # per agency, the mean arrivals of each hour over these days
            hour_means = {a: f[rows_idx].mean(axis=0) for a, f in forecasts.items()}
            for hour in range(minutes(iv[0][0]) // 60, math.ceil(minutes(iv[-1][1]) / 60)):
                demands = [
                    dimensioning.AgencyDemand(
                        agency=a,
                        arrivals_per_hour=float(hour_means[a][hour]) * what_if.volume_factor,
                        mean_service_minutes=service_minutes.get(a, DEFAULT_SERVICE_MINUTES),
                        target_minutes=targets.get(a, (0.8, 15))[1],
                        service_level=targets.get(a, (0.8, 15))[0],
                    )
                    for a in forecasts
                ]
                need = dimensioning.hour_need(demands, policy)
                most_at_once = max(most_at_once, need.base)
                hours_needed += need.scheduled * len(same)
                for a, m in need.by_agency.items():
                    agency_hours[a] = max(agency_hours[a], m)  # peak officers trained
        out.append((hours_needed, most_at_once, dict(agency_hours)))
    return out


def network_plan(
    *,
    year: int,
    policy: dimensioning.Policy = DEFAULT_POLICY,
    what_if: WhatIf = NO_CHANGE,
    office_ids: Iterable[int] | None = None,
    months: Iterable[int] | None = None,
    history_before: dt.date | None = None,
) -> NetworkPlan:
    """FTE needed against available per office and month of ``year`` (only ``months``, 1–12,
    when given).

    Per office and agency the day model (`forecast.fit_day_model`) gives each open day's
    arrivals and the hour profile spreads them; a month's need is, per weekday and hour, the
    officers scheduled for that weekday's mean demand in the month times the number of such
    days open. FTE = `dimensioning.fte` of the month's officer hours (÷ 8 × its working days).
    Agency competence: officers needed for each agency alone (`dimensioning`) against the
    assigned officers trained for it. Offices without history are listed in ``skipped``.

    The history is the statistics before ``history_before`` (default: today or 1 January of
    ``year``, whichever is earlier). An agency of ``what_if.added_volumes`` gets, per month,
    the office's mean hour shape of one agency scaled to its stated visits (added to its own
    forecast if it is already there); ``remove_agency_ids`` drops an agency's demand.
    """
    offices_qs = Office.objects.filter(opened_on__lte=dt.date(year, 12, 31)).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=dt.date(year, 1, 1))
    )
    if office_ids is not None:
        offices_qs = offices_qs.filter(pk__in=list(office_ids))
    offices = list(with_schedules(offices_qs.order_by("code")))
    before = history_before or min(clock.local_today(), dt.date(year, 1, 1))
    wanted_months = sorted(set(months)) if months is not None else list(range(1, 13))
    agencies = {a.pk: a for a in Agency.objects.all()}
    targets = _targets(agencies.values(), what_if)
    assigned: dict[int, int] = defaultdict(int)
    for office_id in OfficeAssignment.objects.filter(
        user__is_active=True, user__role=Role.SERVICE_OFFICER
    ).values_list("office_id", flat=True):
        assigned[office_id] += 1
    trained: dict[tuple[int, int], int] = defaultdict(int)
    for office_id, agency_id in Competence.objects.filter(
        user__is_active=True, user__role=Role.SERVICE_OFFICER
    ).values_list("user__assignments__office_id", "agency_id"):
        if office_id is not None:
            trained[(office_id, agency_id)] += 1
    desks: dict[int, int] = defaultdict(int)
    for office_id in (
        ServicePoint.objects.filter(office__in=list(offices), is_active=True)
        .desks()
        .values_list("office_id", flat=True)
    ):
        desks[office_id] += 1
    rows: list[NetworkRow] = []
    competence: dict[tuple[int, int], list[float | None]] = defaultdict(lambda: [0.0, None])
    by_county: dict[tuple[str, int], list[float | None]] = defaultdict(lambda: [0.0, None])
    skipped: list[Office] = []
    backtests: dict[int, forecast.Backtest] = {}
    histories = office_histories(offices, before=before, holdout_weeks=4)
    for office in offices:
        history = histories[office.pk]
        if history is None:
            skipped.append(office)
            continue
        if history.backtest is not None:
            backtests[office.pk] = history.backtest
        months_needed = _office_months(
            history=[(a, h.counts, h.mean_service_minutes) for a, h in history.agencies.items()],
            start=history.start,
            history_open_days=history.open_days,
            schedule=schedule_of(office),
            year=year,
            wanted_months=wanted_months,
            what_if=what_if,
            targets=targets,
            policy=policy,
        )
        for month, (hours_needed, most_at_once, agency_hours) in zip(
            wanted_months, months_needed, strict=True
        ):
            needed = dimensioning.fte(
                hours_needed, working_days=dimensioning.working_days_in_month(year, month)
            )
            recorded = office.pk in assigned
            available = float(assigned[office.pk]) if recorded else None
            rows.append(
                NetworkRow(
                    office, month, needed, available, hours_needed, most_at_once, desks[office.pk]
                )
            )
            county = by_county[(office.county, month)]
            county[0] = (county[0] or 0.0) + needed
            if available is not None:
                county[1] = (county[1] or 0.0) + available
            for a, peak in agency_hours.items():
                c = competence[(a, month)]
                c[0] = (c[0] or 0.0) + peak
                if recorded:
                    c[1] = (c[1] or 0.0) + trained.get((office.pk, a), 0)
    return NetworkPlan(
        year=year,
        rows=rows,
        by_county={k: (v[0] or 0.0, v[1]) for k, v in sorted(by_county.items())},
        competence={k: (v[0] or 0.0, v[1]) for k, v in sorted(competence.items())},
        agencies=agencies,
        skipped=skipped,
        backtests=backtests,
    )
