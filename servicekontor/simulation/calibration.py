"""Calibration of the simulator: every number as data, with its source or marked ASSUMPTION.

Pure (no Django): the loader passes the registry as plain data (`OfficeInput`, `ServiceInput`)
and gets `model.OfficeScenario`s back. `docs/simulation.md` explains each figure; keep the two
in step.

How an office-day's expected visits are made: ``weight(office) x year factor x month factor x
weekday factor``. ``weight`` is the office's visits on an ordinary day of `REFERENCE_YEAR`: its
public figure where there is one, else its desks (service points) raised to `DESK_EXPONENT`,
scaled so that the anchor group (Linköping) gets its public figure (ASSUMPTION: demand grows
with the desks an office was given, somewhat more than proportionally). The national totals
(`NATIONAL_VISITS`) set the year factor and are the cross-check: the registry's offices are
part of the real network, so their sum must come out below the national figure
(docs/simulation.md gives the comparison).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from servicekontor.queueing.erlang import erlang_c_agents_needed
from servicekontor.simulation.model import (
    Behaviour,
    Day,
    Officer,
    OfficeScenario,
    ServiceSpec,
    open_pieces,
)

# --- public figures (sources: docs/simulation.md, ../shared/research/visit_figures.md) -------

#: Visits a year across the network. 2020: "drygt 2,4 miljoner" (pandemic year; minister's
#: op-ed 2021, SSC staff in Corren). 2021: "2,2 miljoner" (SSC regional head, May 2022; year
#: not explicit). 2023: derived (2024 = +4 %). 2024: 2.8 million (TT / DG Åsa Lindh,
#: 2025-02-20). 2019: "omkring 3 miljoner" (Ds 2020:29, base year unclear).
NATIONAL_VISITS: dict[int, float] = {
    2019: 3_000_000,
    2020: 2_400_000,
    2021: 2_200_000,
    2023: 2_700_000,
    2024: 2_800_000,
}
#: ASSUMPTION: years without a figure take the nearest known year (2022: the mean of 2021
#: and 2023; 2025 and later: 2024's 2.8 million).
NATIONAL_VISITS_ASSUMED: dict[int, float] = {2022: 2_450_000}

#: The year the per-office figures below stand for; other years scale by `national_visits`.
REFERENCE_YEAR = 2024

#: Visits on an ordinary open day at offices with a public figure (used as they are):
#: skelleftea about 95 a day (Arbetet 2023); brandbergen about 100 a day (Arbetet 2025).
ANCHOR_VISITS_PER_DAY: dict[str, float] = {"skelleftea": 95.0, "brandbergen": 100.0}
#: Groups of offices with one public figure, which set the scale of every other office:
#: Linköping's offices 250-300 visits a day (Corren 2022) -> 275 for the two offices.
ANCHOR_GROUPS: dict[tuple[str, ...], float] = {("linkoping", "skaggetorp"): 275.0}
#: ASSUMPTION: an unanchored office's visits per day = scale x desks ** DESK_EXPONENT; the
#: scale comes from ANCHOR_GROUPS. With 1.3 the 2-desk offices get a few dozen visits a day
#: and Kista (12 desks, "the busiest office in the country", SSC 2023-10-02) about 490.
DESK_EXPONENT = 1.3
#: ASSUMPTION: time at the desk is this share of the catalogue's handling minutes (which are
#: allowances per errand, after-work included). Linköping's 275 visits on 9 desks in a 6-hour
#: day leave at most ~12 minutes per visit at full occupancy; the catalogue's mix averages
#: ~14 minutes.
SERVICE_TIME_FACTOR = 0.6

# --- assumptions on the shape of demand ------------------------------------------------------

#: ASSUMPTION: share of an office's visits per agency (where the agency is offered; shares are
#: renormalised over the agencies an office offers). Skatteverket largest (ID cards,
#: population registration, tax return help).
AGENCY_SHARE: dict[str, float] = {
    "skatteverket": 0.45,
    "forsakringskassan": 0.28,
    "pensionsmyndigheten": 0.14,
    "arbetsformedlingen": 0.08,
    "migrationsverket": 0.05,
}
AGENCY_SHARE_DEFAULT = 0.05

#: ASSUMPTION: month factors (mean 1): the tax-return period (declarations open in March,
#: deadline 2 May) raises March–May; July is the summer low; December has the holidays.
MONTH_FACTOR: tuple[float, ...] = (
    1.00,
    0.98,
    1.15,
    1.25,
    1.15,
    0.95,
    0.65,
    0.92,
    1.05,
    1.05,
    1.00,
    0.85,
)
#: ASSUMPTION: weekday factors Monday..Sunday (Monday busiest, Friday quietest).
WEEKDAY_FACTOR: tuple[float, ...] = (1.20, 1.00, 0.95, 0.95, 0.90, 0.80, 0.80)
#: ASSUMPTION: relative arrivals per clock hour (the lunch hour busy, the last hour quiet).
HOUR_PROFILE: tuple[float, ...] = (
    0, 0, 0, 0, 0, 0, 0, 0.3, 0.6, 0.9, 1.2, 1.3, 1.3, 1.15, 1.05, 0.95, 0.75, 0.5,
    0.3, 0.2, 0, 0, 0, 0,
)  # fmt: skip
#: ASSUMPTION: share of a "both" service that comes by appointment.
BOOKED_SHARE_BOTH = 0.25

#: ASSUMPTION: citizens and the desk. See docs/simulation.md.
BEHAVIOUR = Behaviour(
    hour_profile=HOUR_PROFILE,
    service_distribution="lognormal",
    service_cv=0.7,
    patience_minutes=60.0,
    slot_minutes=15.0,
    lateness_mean_minutes=-4.0,
    lateness_sd_minutes=6.0,
    booked_no_show=0.08,
    walk_seconds=40.0,
    recall_probability=0.05,
    recall_seconds=30.0,
    max_calls=3,
    transfer_probability=0.03,
    triage_share=0.3,
    multi_errand_share=0.12,
    priority_share=0.02,
    serve_after_close_minutes=15.0,
)

#: ASSUMPTION: staffing. Officers on duty = the Erlang C need of the office's busiest hour
#: (80 % called within 15 minutes) times STAFF_FACTOR, at least MIN_OFFICERS and at most the
#: desks; each officer is trained for each agency with COMPETENCE_PROBABILITY (the first
#: officer for all); a 30-minute break between 11:00 and 13:30, staggered.
STAFF_FACTOR = 1.0
MIN_OFFICERS = 2
COMPETENCE_PROBABILITY = 0.85
BREAK_MINUTES = 30.0
BREAK_WINDOW = (11 * 3600.0, 13.5 * 3600.0)
SERVICE_LEVEL_TARGET = (0.8, 15.0)


@dataclass(frozen=True, slots=True)
class ServiceInput:
    """A catalogue service: its id, agency code, mode and handling minutes."""

    service_id: int
    agency_code: str
    handling_minutes: float
    mode: str  # "walk_in", "both", "appointment_only"


@dataclass(frozen=True, slots=True)
class OfficeDay:
    """One open day of an office, as the registry says (intervals in seconds since midnight)."""

    day: dt.date
    intervals: tuple[tuple[float, float], ...]
    service_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class OfficeInput:
    office_id: int
    code: str
    desks: int
    days: tuple[OfficeDay, ...]


def national_visits(year: int) -> float:
    """Visits across the network in ``year`` (figures above; nearest known year otherwise)."""
    known = {**NATIONAL_VISITS, **NATIONAL_VISITS_ASSUMED}
    if year in known:
        return known[year]
    nearest = min(known, key=lambda y: (abs(y - year), -y))
    return known[nearest]


def year_factor(year: int) -> float:
    """The national volume of ``year`` relative to `REFERENCE_YEAR`."""
    return national_visits(year) / national_visits(REFERENCE_YEAR)


def day_factor(day: dt.date) -> float:
    return year_factor(day.year) * MONTH_FACTOR[day.month - 1] * WEEKDAY_FACTOR[day.weekday()]


def office_weights(desks: dict[str, int]) -> dict[str, float]:
    """Visits on an ordinary open day of the reference year, per office code.

    ``desks``: office code -> desks in use. Anchored offices get their figure; the others
    ``scale x desks ** DESK_EXPONENT`` with the scale that gives each anchor group its figure
    (mean over the groups present; 1 without any).
    """
    raw = {code: max(1, n) ** DESK_EXPONENT for code, n in desks.items()}
    ratios = [
        visits / sum(raw[c] for c in group)
        for group, visits in ANCHOR_GROUPS.items()
        if all(c in raw for c in group)
    ]
    scale = float(np.mean(ratios)) if ratios else 1.0
    weights = {code: w * scale for code, w in raw.items()}
    for code, visits in ANCHOR_VISITS_PER_DAY.items():
        if code in weights:
            weights[code] = visits
    return weights


def expected_visits(offices: Sequence[OfficeInput]) -> dict[int, dict[dt.date, float]]:
    """Expected visits per office and open day: weight x year, month and weekday factors.

    The weights are set against the whole of ``offices`` (pass the network), so the anchor
    groups must be in it for the scale to hold.
    """
    weights = office_weights({o.code: o.desks for o in offices})
    return {
        o.office_id: {d.day: weights[o.code] * day_factor(d.day) for d in o.days} for o in offices
    }


def _service_specs(
    services: Sequence[ServiceInput], offered: set[int]
) -> tuple[tuple[ServiceSpec, ...], dict[int, int], list[str]]:
    agencies = sorted({s.agency_code for s in services if s.service_id in offered})
    agency_index = {a: i for i, a in enumerate(agencies)}
    per_agency: dict[str, int] = {}
    for s in services:
        if s.service_id in offered:
            per_agency[s.agency_code] = per_agency.get(s.agency_code, 0) + 1
    specs: list[ServiceSpec] = []
    index: dict[int, int] = {}
    for s in services:
        if s.service_id not in offered:
            continue
        share = AGENCY_SHARE.get(s.agency_code, AGENCY_SHARE_DEFAULT) / per_agency[s.agency_code]
        booked = {"walk_in": 0.0, "both": BOOKED_SHARE_BOTH, "appointment_only": 1.0}[s.mode]
        index[s.service_id] = len(specs)
        specs.append(
            ServiceSpec(
                service_id=s.service_id,
                agency=agency_index[s.agency_code],
                handling_minutes=s.handling_minutes * SERVICE_TIME_FACTOR,
                share=share,
                booked_share=booked,
                walk_in=s.mode != "appointment_only",
            )
        )
    return tuple(specs), index, agencies


def _officers(
    rng: np.random.Generator,
    n_agencies: int,
    count: int,
    intervals: tuple[tuple[float, float], ...],
    competences: list[frozenset[int]],
) -> tuple[Officer, ...]:
    start = intervals[0][0]
    end = intervals[-1][1] + BEHAVIOUR.serve_after_close_minutes * 60.0
    lo, hi = BREAK_WINDOW
    lo, hi = max(lo, start), min(hi, end - BREAK_MINUTES * 60.0)
    officers = []
    for k in range(count):
        long_day = end - start > 5 * 3600
        at = lo + (hi - lo) * (k + 0.5) / count if long_day and hi > lo else math.inf
        officers.append(
            Officer(
                agencies=competences[k],
                start=start,
                end=end,
                break_start=at,
                break_seconds=BREAK_MINUTES * 60.0 if long_day else 0.0,
            )
        )
    return tuple(officers)


def build_scenarios(
    offices: Sequence[OfficeInput],
    services: Sequence[ServiceInput],
    *,
    seed: int = 0,
    behaviour: Behaviour = BEHAVIOUR,
    network: Sequence[OfficeInput] | None = None,
) -> list[OfficeScenario]:
    """One scenario per office: services, days with volumes and rosters, the behaviour.

    ``network``: every office of the network over the same days (default: ``offices``) — the
    national volume is spread over it, so simulating a few offices gives them their share,
    not the whole country's.
    """
    volumes = expected_visits(network if network is not None else offices)
    scenarios = []
    for o in offices:
        offered = {s for d in o.days for s in d.service_ids}
        specs, index, agencies = _service_specs(services, offered)
        rng = np.random.default_rng(np.random.SeedSequence([seed, o.office_id, 1]))
        staff_max = max(MIN_OFFICERS, o.desks)
        competences = [frozenset(range(len(agencies)))] + [
            frozenset(a for a in range(len(agencies)) if rng.random() < COMPETENCE_PROBABILITY)
            or frozenset({int(rng.integers(len(agencies)))})
            for _ in range(staff_max - 1)
        ]
        # desk time per visit: the errand mix, extra errands and transfers, walking up
        mean_minutes = (
            sum(s.share * s.handling_minutes for s in specs) / sum(s.share for s in specs)
            if specs
            else 10.0
        ) * (1 + behaviour.multi_errand_share + behaviour.transfer_probability) + (
            behaviour.walk_seconds / 60.0
        )
        days = []
        for d in o.days:
            if not d.intervals:
                continue
            expected = volumes[o.office_id].get(d.day, 0.0)
            open_hours = [(s, e, h) for s, e, h in open_pieces(d.intervals) if HOUR_PROFILE[h] > 0]
            total = sum((e - s) / 3600 * HOUR_PROFILE[h] for s, e, h in open_hours) or 1.0
            peak = max((HOUR_PROFILE[h] for _s, _e, h in open_hours), default=1.0)
            peak_rate = expected * peak / total
            need = erlang_c_agents_needed(
                arrivals_per_hour=peak_rate,
                mean_service_minutes=mean_minutes,
                target_minutes=SERVICE_LEVEL_TARGET[1],
                service_level=SERVICE_LEVEL_TARGET[0],
            )
            count = min(staff_max, max(MIN_OFFICERS, round(need * STAFF_FACTOR)))
            days.append(
                Day(
                    ordinal=d.day.toordinal(),
                    intervals=d.intervals,
                    expected_visits=expected,
                    officers=_officers(rng, len(agencies), count, d.intervals, competences),
                    services=tuple(sorted(index[s] for s in d.service_ids if s in index)),
                )
            )
        scenarios.append(
            OfficeScenario(
                office_id=o.office_id,
                services=specs,
                days=tuple(days),
                behaviour=behaviour,
                seed=seed,
            )
        )
    return scenarios
