"""Demand forecast per hour: arrays in, arrays out. No Django.

A series is the arrivals of one office (and one agency, or any grouping the caller sums) per
local day and clock hour: ``counts`` of shape ``(n_days, 24)`` for the consecutive days
``start, start + 1, …``. A day the office was closed is a row of zeros and is marked in
``open_days`` (shape ``(n_days,)``, bool); closed days are left out of every fit and every
error.

Two methods, both giving ``(len(target_days), 24)`` expected arrivals:

- `seasonal_naive` (the baseline every method must beat): each hour of a target day gets the
  count of the same weekday and hour in the last open week of the history (Hyndman &
  Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §5.2 "seasonal naïve").
- `forecast` (the method used): the day's total × the weekday's hour profile.

  * Day totals: a Poisson GLM (statsmodels; log link) on the open days with weekday dummies,
    yearly seasonality as Fourier terms (two harmonics; only when the history covers at least
    a year, else no yearly terms), Swedish calendar effects from the `holidays` library as the
    project reads them (`network.opening_hours`: public holidays, the de-facto eves
    midsommarafton/julafton/nyårsafton, and *bridge days* — a weekday between a holiday and
    the weekend, "klämdag"), the first open day after a closed weekday, and a linear trend
    in time (weighted towards recent weeks: observation weights halve every
    ``half_life_weeks``). A calendar column that never occurs in the fitted history is dropped
    (its effect cannot be estimated; ASSUMPTION: such a day then behaves like an ordinary
    day of its weekday).
  * Hour profile: per weekday, the share of the day's arrivals in each clock hour over the
    last ``profile_weeks`` open weeks (pooled over weekdays for a weekday with too few
    arrivals).

`wape` is the weighted absolute percentage error ``Σ|y - ŷ| / Σ y`` (Hyndman & Koehler 2006
call it the MAD/mean ratio); `backtest` holds out the last ``holdout_weeks`` whole weeks, fits
on what is before them and reports both methods' WAPE.

Booked visits are known ahead: `with_bookings` combines a forecast of all arrivals with the
bookings already made for the target hours (see its docstring).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from servicekontor.network.opening_hours import eve_name, public_holiday_name

HOURS = 24


class ForecastError(ValueError):
    """The history cannot support a forecast (too short, wrong shape)."""


def _check(counts: np.ndarray, open_days: np.ndarray) -> None:
    if counts.ndim != 2 or counts.shape[1] != HOURS:
        raise ForecastError(f"counts must have shape (n_days, 24), not {counts.shape}")
    if open_days.shape != (counts.shape[0],):
        raise ForecastError("open_days must have one flag per day of counts")
    if np.any(counts < 0) or not np.all(np.isfinite(counts)):
        raise ForecastError("counts must be finite and >= 0")


def _closed_weekday(day: dt.date) -> bool:
    return day.weekday() < 5 and bool(public_holiday_name(day) or eve_name(day))


def calendar_flags(day: dt.date) -> dict[str, float]:
    """The calendar effects of one day as 0/1 flags (see the module docstring)."""
    holiday = public_holiday_name(day) is not None
    eve = eve_name(day) is not None
    one = dt.timedelta(days=1)
    # a bridge day ("klämdag"): a Friday after a closed Thursday (the Friday after Ascension
    # Day) or a Monday before a closed Tuesday
    bridge = (day.weekday() == 4 and _closed_weekday(day - one)) or (
        day.weekday() == 0 and _closed_weekday(day + one)
    )
    after = not holiday and not eve and _closed_weekday(day - one)
    return {
        "holiday": float(holiday),
        "eve": float(eve),
        "bridge": float(bridge and not holiday and not eve),
        "after_closed": float(after and not bridge),
    }


_FLAG_NAMES = ("holiday", "eve", "bridge", "after_closed")


@functools.lru_cache(maxsize=8192)
def _flag_row(day: dt.date) -> tuple[float, float, float, float]:
    """`calendar_flags(day)` as a row in `_FLAG_NAMES` order, remembered per date (a pure
    function of the date: a network's forecasts ask for the same days office after office)."""
    flags = calendar_flags(day)
    return (flags["holiday"], flags["eve"], flags["bridge"], flags["after_closed"])


def _design(days: Sequence[dt.date], origin: dt.date, yearly: bool) -> tuple[np.ndarray, list[str]]:
    cols: list[np.ndarray] = [np.ones(len(days))]
    names = ["const"]
    wd = np.array([d.weekday() for d in days])
    for k in range(1, 7):
        cols.append((wd == k).astype(float))
        names.append(f"weekday_{k}")
    if yearly:
        doy = np.array([d.timetuple().tm_yday for d in days], dtype=float)
        for k in (1, 2):
            cols.append(np.sin(2 * math.pi * k * doy / 365.25))
            cols.append(np.cos(2 * math.pi * k * doy / 365.25))
            names += [f"sin_{k}", f"cos_{k}"]
    flags = np.array([_flag_row(d) for d in days], dtype=float).reshape(len(days), 4)
    for i, name in enumerate(_FLAG_NAMES):
        cols.append(flags[:, i])
        names.append(name)
    cols.append(np.array([(d - origin).days / 365.25 for d in days]))
    names.append("trend")
    return np.column_stack(cols), names


def _days(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def hour_profile(
    counts: np.ndarray, start: dt.date, open_days: np.ndarray, *, profile_weeks: int = 8
) -> np.ndarray:
    """Share of a day's arrivals per clock hour, per weekday: shape (7, 24), rows sum to 1
    (or 0 for a weekday never open). From the last ``profile_weeks`` weeks of open days."""
    _check(counts, open_days)
    n = counts.shape[0]
    first = max(0, n - 7 * profile_weeks)
    sums = np.zeros((7, HOURS))
    for i in range(first, n):
        if open_days[i]:
            sums[(start + dt.timedelta(days=i)).weekday()] += counts[i]
    pooled = sums.sum(axis=0)
    out = np.zeros((7, HOURS))
    for w in range(7):
        total = sums[w].sum()
        if total >= 50:
            out[w] = sums[w] / total
        elif total > 0 and pooled.sum() > 0:
            # few arrivals: the pooled shape restricted to the hours this weekday had any
            shape = pooled * (sums[w] > 0)
            out[w] = shape / shape.sum() if shape.sum() else sums[w] / total
    return out


def seasonal_naive(
    counts: np.ndarray, start: dt.date, open_days: np.ndarray, target_days: Sequence[dt.date]
) -> np.ndarray:
    """The same weekday and hour of the last open such weekday in the history; shape
    (len(target_days), 24). A weekday never open in the history gets zeros."""
    _check(counts, open_days)
    last: dict[int, np.ndarray] = {}
    for i in range(counts.shape[0]):
        if open_days[i]:
            last[(start + dt.timedelta(days=i)).weekday()] = counts[i]
    zero = np.zeros(HOURS)
    return np.array([last.get(d.weekday(), zero) for d in target_days], dtype=float).reshape(
        len(target_days), HOURS
    )


@dataclass(frozen=True)
class DayModel:
    """A fitted model of the day totals: coefficient per column name (log scale)."""

    names: tuple[str, ...]
    params: np.ndarray
    origin: dt.date
    yearly: bool

    def predict(self, days: Sequence[dt.date]) -> np.ndarray:
        """Expected arrivals per day (shape (len(days),))."""
        if not days:
            return np.zeros(0)
        x, names = _design(days, self.origin, self.yearly)
        keep = [names.index(n) for n in self.names]
        return np.exp(np.clip(x[:, keep] @ self.params, -50, 50))


def warm_up() -> None:
    """Import what a fit needs (statsmodels' GLM) now: a server's start calls it
    (config/wsgi.py), so the first staffing page of a worker does not pay the import."""
    import statsmodels.genmod.families
    import statsmodels.genmod.generalized_linear_model  # noqa: F401


def fit_day_model(
    counts: np.ndarray, start: dt.date, open_days: np.ndarray, *, half_life_weeks: float = 26.0
) -> DayModel:
    """Fit the Poisson GLM of the day totals (module docstring). Raises ForecastError with
    fewer than 14 open days or no arrivals."""
    # Heavy: only where a fit is made, and only the GLM (statsmodels.api pulled in its
    # whole tree: 0.8 CPU s against 0.5). Production imports it at start (config/wsgi.py,
    # decision 0097), so no staffing request pays it.
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    _check(counts, open_days)
    days = _days(start, counts.shape[0])
    idx = np.flatnonzero(open_days)
    if idx.size < 14 or counts[idx].sum() == 0:
        raise ForecastError("at least 14 open days with arrivals are needed for a forecast")
    fit_days = [days[i] for i in idx]
    y = counts[idx].sum(axis=1)
    yearly = (fit_days[-1] - fit_days[0]).days >= 365
    x, names = _design(fit_days, start, yearly)
    # drop columns that never vary over the fitted days (a weekday never open, a calendar
    # effect absent from the history), the constant excepted
    keep = [0] + [j for j in range(1, x.shape[1]) if np.ptp(x[:, j]) > 0]
    x = x[:, keep]
    kept = tuple(names[j] for j in keep)
    age_weeks = (fit_days[-1] - np.array(fit_days)).astype("timedelta64[D]").astype(float) / 7.0
    weights = 0.5 ** (age_weeks / half_life_weeks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # perfect-separation/convergence chatter
        model = GLM(y, x, family=Poisson(), var_weights=weights)
        result = model.fit(method="irls", maxiter=100)
    params = np.asarray(result.params, dtype=float)
    if not np.all(np.isfinite(params)):
        raise ForecastError("the day model did not converge")
    return DayModel(names=kept, params=params, origin=start, yearly=yearly)


def forecast(
    counts: np.ndarray,
    start: dt.date,
    open_days: np.ndarray,
    target_days: Sequence[dt.date],
    *,
    profile_weeks: int = 8,
    half_life_weeks: float = 26.0,
) -> np.ndarray:
    """Expected arrivals per target day and clock hour, shape (len(target_days), 24).

    The caller zeroes the hours the office is closed (the profile already gives ~0 to hours
    never open in the history). Raises ForecastError for a history too short to fit.
    """
    model = fit_day_model(counts, start, open_days, half_life_weeks=half_life_weeks)
    profile = hour_profile(counts, start, open_days, profile_weeks=profile_weeks)
    totals = model.predict(list(target_days))
    rows = np.array([profile[d.weekday()] for d in target_days]).reshape(len(target_days), HOURS)
    return totals[:, None] * rows


def with_bookings(
    total: np.ndarray, booked_share: np.ndarray | float, booked_known: np.ndarray
) -> np.ndarray:
    """All arrivals expected, with the bookings already made taken into account.

    ``total``: forecast of all arrivals per hour; ``booked_share``: the part of arrivals that
    came booked in the history (scalar or same shape); ``booked_known``: bookings already made
    for each target hour. Walk-ins are ``total × (1 - booked_share)``; booked arrivals are the
    larger of the bookings already made and the forecast booked part (ASSUMPTION: bookings
    still to be made fill up to the usual booked part, never remove any already made).
    """
    share = np.clip(np.asarray(booked_share, dtype=float), 0.0, 1.0)
    walk_in = total * (1.0 - share)
    return walk_in + np.maximum(booked_known, total * share)


def wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Σ|actual - predicted| / Σ actual; NaN when nothing arrived."""
    total = float(np.sum(actual))
    if total <= 0:
        return math.nan
    return float(np.sum(np.abs(actual - predicted)) / total)


@dataclass(frozen=True)
class Backtest:
    """WAPE of both methods on the held-out weeks, and the totals they are computed over."""

    wape_model: float
    wape_naive: float
    actual: float  # arrivals in the held-out open days
    abs_error_model: float
    abs_error_naive: float

    @property
    def improvement(self) -> float:
        """Relative reduction of WAPE against seasonal naive (0.2: 20 % lower)."""
        if not self.wape_naive or math.isnan(self.wape_naive):
            return math.nan
        return 1.0 - self.wape_model / self.wape_naive


def backtest(
    counts: np.ndarray,
    start: dt.date,
    open_days: np.ndarray,
    *,
    holdout_weeks: int = 4,
    **kwargs: float,
) -> Backtest:
    """Fit on everything before the last ``holdout_weeks`` × 7 days, forecast those days with
    both methods, and compare on the open days. Raises ForecastError if too little is left
    to fit."""
    _check(counts, open_days)
    cut = counts.shape[0] - 7 * holdout_weeks
    if cut < 14:
        raise ForecastError("the history is too short for the held-out weeks")
    target = _days(start + dt.timedelta(days=cut), 7 * holdout_weeks)
    mask = open_days[cut:]
    actual = counts[cut:][mask]
    model = forecast(counts[:cut], start, open_days[:cut], target, **kwargs)[mask]  # type: ignore[arg-type]
    naive = seasonal_naive(counts[:cut], start, open_days[:cut], target)[mask]
    total = float(actual.sum())
    return Backtest(
        wape_model=wape(actual, model),
        wape_naive=wape(actual, naive),
        actual=total,
        abs_error_model=float(np.abs(actual - model).sum()),
        abs_error_naive=float(np.abs(actual - naive).sum()),
    )
