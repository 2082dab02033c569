"""The simulation check of a staffing plan: run the simulator with the plan's officers.

No Django. One open day of one office: the expected arrivals per clock hour and agency, the
mean desk minutes and patience per agency, and the officers (shift, break, competences).
The day is simulated ``replications`` times (`simulation.model.simulate_office`, one
scenario with the day repeated under distinct ordinals, so each replication draws afresh
from the office's seeded generator) and, per arrival hour, the share of all arrivals called
within the target (abandoners and those not served count as not called, as in
`erlang.erlang_a_service_level`) and the mean wait in minutes (until called, or until they
left or the day closed) are returned.

ASSUMPTIONS: everyone walks in (bookings are part of the demand, not slots); an agency's
part of the day's visits is the same in every hour (the simulator draws the service of a
visit from the day's mix); each visit has one errand and no wrong-queue transfers (the mean
desk minutes measured per agency already include what an errand takes); walking up and
recalls as `simulation.calibration.BEHAVIOUR`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from servicekontor.simulation import calibration
from servicekontor.simulation.model import (
    Day,
    Officer,
    OfficeScenario,
    ServiceSpec,
    simulate_office,
)


@dataclass(frozen=True, slots=True)
class SimShift:
    """An officer's shift: minutes after midnight, an optional break, competences."""

    start_minute: int
    end_minute: int
    agencies: frozenset[int]
    break_minute: int | None = None
    break_minutes: int = 0


@dataclass(frozen=True, slots=True)
class HourResult:
    hour: int
    arrivals: float  # mean per replication
    service_level: float  # NaN when nobody arrived in any replication
    mean_wait: float  # minutes


def check_day(
    *,
    arrivals: Mapping[int, Mapping[int, float]],
    service_minutes: Mapping[int, float],
    open_minutes: tuple[int, int],
    shifts: Sequence[SimShift],
    target_minutes: float,
    patience_minutes: float = math.inf,
    replications: int = 20,
    seed: int = 0,
) -> list[HourResult]:
    """Simulated service level and mean wait per clock hour (module docstring).

    ``arrivals``: hour -> agency -> expected arrivals; ``service_minutes``: agency -> mean
    desk minutes; ``open_minutes``: (opening, closing) minutes after midnight. Raises
    ValueError for an empty day or a bad number of replications.
    """
    if replications < 1:
        raise ValueError("replications must be >= 1")
    by_agency: dict[int, float] = {}
    profile = [0.0] * 24
    for hour, per in arrivals.items():
        for agency, n in per.items():
            by_agency[agency] = by_agency.get(agency, 0.0) + n
            profile[hour] += n
    total = sum(by_agency.values())
    if total <= 0:
        return []
    agencies = sorted(by_agency)
    index = {a: i for i, a in enumerate(agencies)}
    services = tuple(
        ServiceSpec(
            service_id=a,
            agency=index[a],
            handling_minutes=service_minutes[a],
            share=by_agency[a] / total,
        )
        for a in agencies
    )
    officers = tuple(
        Officer(
            agencies=frozenset(index[a] for a in s.agencies if a in index),
            start=s.start_minute * 60.0,
            end=s.end_minute * 60.0,
            break_start=s.break_minute * 60.0 if s.break_minute is not None else math.inf,
            break_seconds=s.break_minutes * 60.0,
        )
        for s in shifts
    )
    interval = (open_minutes[0] * 60.0, open_minutes[1] * 60.0)
    behaviour = dataclasses.replace(
        calibration.BEHAVIOUR,
        hour_profile=tuple(profile),
        patience_minutes=patience_minutes,
        multi_errand_share=0.0,
        transfer_probability=0.0,
        priority_share=0.0,
    )
    # the hour profile is normalised over the open hours: the day's expected visits give
    # the totals of the clock hours (a partly open hour keeps its full expected count only
    # when the caller gives it for the open part)
    days = tuple(
        Day(ordinal=1 + r, intervals=(interval,), expected_visits=total, officers=officers)
        for r in range(replications)
    )
    result = simulate_office(
        OfficeScenario(office_id=0, services=services, days=days, behaviour=behaviour, seed=seed)
    )
    v = result.visits
    arrived = v["arrived"]
    left_at = np.where(np.isfinite(v["left_at"]), v["left_at"], np.nan)
    end = np.fmin(v["first_call"], left_at)
    end = np.where(np.isnan(end), interval[1], end)
    wait = np.maximum(end - arrived, 0.0) / 60.0
    called_in_time = ~np.isnan(v["first_call"]) & (
        v["first_call"] - arrived <= target_minutes * 60.0 + 1e-9
    )
    # walked away before the call: not called in time even if the desk calls the ticket later
    left = ~np.isnan(left_at) & (np.isnan(v["first_call"]) | (left_at < v["first_call"]))
    called_in_time &= ~left
    hours = (arrived // 3600).astype(int)
    out = []
    for hour in sorted(h for h in range(24) if profile[h] > 0):
        sel = hours == hour
        n = int(sel.sum())
        out.append(
            HourResult(
                hour=hour,
                arrivals=n / replications,
                service_level=float(called_in_time[sel].mean()) if n else math.nan,
                mean_wait=float(wait[sel].mean()) if n else math.nan,
            )
        )
    return out
