"""A simulated history of one office, made by the project's simulator (no database).

Days: expected visits = ``base x calibration.day_factor(day)`` (weekday, month and year
factors); closed on weekends, public holidays and eves as the registry's default schedule
says; open 10:00-16:00. Counted back per local day and arrival hour, as `reports` counts
`HourFigures.arrivals`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from servicekontor.network.opening_hours import eve_name, public_holiday_name
from servicekontor.simulation import calibration
from servicekontor.simulation.model import (
    Day,
    Officer,
    OfficeScenario,
    ServiceSpec,
    simulate_office,
)

OPEN = (10 * 3600.0, 16 * 3600.0)


def is_open(day: dt.date) -> bool:
    return day.weekday() < 5 and not public_holiday_name(day) and not eve_name(day)


def history(
    start: dt.date, n_days: int, *, base: float = 120.0, seed: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """(counts (n_days, 24), open flags (n_days,)) simulated for one office."""
    days = [start + dt.timedelta(days=i) for i in range(n_days)]
    officers = tuple(
        Officer(agencies=frozenset({0}), start=OPEN[0], end=OPEN[1] + 900) for _ in range(8)
    )
    sim_days = tuple(
        Day(
            ordinal=d.toordinal(),
            intervals=(OPEN,),
            expected_visits=base * calibration.day_factor(d),
            officers=officers,
        )
        for d in days
        if is_open(d)
    )
    scenario = OfficeScenario(
        office_id=1,
        services=(ServiceSpec(service_id=1, agency=0, handling_minutes=8.0, share=1.0),),
        days=sim_days,
        behaviour=calibration.BEHAVIOUR,
        seed=seed,
    )
    result = simulate_office(scenario)
    counts = np.zeros((n_days, 24))
    first = start.toordinal()
    day_idx = result.visits["day"].astype(int) - first
    hour = (result.visits["arrived"] // 3600).astype(int)
    np.add.at(counts, (day_idx, np.clip(hour, 0, 23)), 1)
    open_days = np.array([is_open(d) for d in days])
    return counts, open_days
