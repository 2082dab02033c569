"""Accessibility of a network: population-weighted distance to the nearest office.

Pure module (no Django): distances and weights in, :class:`Accessibility` out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

THRESHOLDS_KM = (10.0, 25.0, 50.0)
# Service Canada reports 97 % of Canadians within 50 km of a point of service.
REFERENCE_SHARE_WITHIN_50_KM = 0.97


@dataclass(frozen=True)
class CountyAccessibility:
    county: str
    population: int
    mean_km: float
    max_km: float
    share_within: tuple[float, ...]  # one per THRESHOLDS_KM


@dataclass(frozen=True)
class Accessibility:
    population: int
    offices: int
    mean_km: float
    median_km: float
    p90_km: float
    p99_km: float
    max_km: float
    thresholds_km: tuple[float, ...]
    share_within: tuple[float, ...]
    counties: tuple[CountyAccessibility, ...]
    worst: tuple[int, ...]  # demand indices, farthest first

    def share_within_km(self, km: float) -> float:
        return self.share_within[self.thresholds_km.index(km)]


def weighted_quantile(values: npt.ArrayLike, weights: npt.ArrayLike, q: float) -> float:
    """The smallest value v with at least a share q of the weight at or below v."""
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if v.size == 0 or w.sum() <= 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    cumulative = np.cumsum(w[order])
    idx = int(np.searchsorted(cumulative, q * cumulative[-1] - 1e-9 * cumulative[-1]))
    return float(v[order][min(idx, v.size - 1)])


def accessibility(
    nearest_km: npt.ArrayLike,
    weights: npt.ArrayLike,
    counties: Sequence[str],
    *,
    offices: int,
    thresholds_km: tuple[float, ...] = THRESHOLDS_KM,
    worst: int = 10,
    reach: npt.ArrayLike | None = None,
) -> Accessibility:
    """`nearest_km` (n,) per demand, `weights` (n,) people. With outreach stops,
    `nearest_km` is the expected distance and `reach` (n, len(thresholds_km)) the
    probability of an open site within each threshold (`planning/outreach.py`); without,
    "within t" is nearest ≤ t."""
    d = np.asarray(nearest_km, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    within = (
        np.column_stack([d <= t for t in thresholds_km]).astype(np.float64)
        if reach is None
        else np.asarray(reach, dtype=np.float64).reshape(d.size, len(thresholds_km))
    )
    if not np.isfinite(d).all():
        # No office at all (distance infinite): a mean or quantile is undefined, not a number;
        # inf × a zero weight would be NaN with a warning. Callers show "–" (plans.finite).
        d = np.where(np.isfinite(d), d, np.inf)
        with np.errstate(invalid="ignore"):
            return _accessibility(d, w, within, total, counties, offices, thresholds_km, worst)
    return _accessibility(d, w, within, total, counties, offices, thresholds_km, worst)


def _accessibility(
    d: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    within: npt.NDArray[np.float64],
    total: float,
    counties: Sequence[str],
    offices: int,
    thresholds_km: tuple[float, ...],
    worst: int,
) -> Accessibility:
    def shares(mask: npt.NDArray[np.bool_]) -> tuple[float, ...]:
        sub = float(w[mask].sum())
        if sub <= 0:
            return tuple(0.0 for _ in thresholds_km)
        return tuple(float(w[mask] @ within[mask, k]) / sub for k in range(len(thresholds_km)))

    everyone = np.ones(d.size, dtype=bool)
    county_arr = np.asarray(list(counties), dtype=object)
    per_county = []
    for county in sorted(set(counties)):
        mask = county_arr == county
        cw = w[mask]
        per_county.append(
            CountyAccessibility(
                county=county,
                population=int(cw.sum()),
                mean_km=float(cw @ d[mask] / cw.sum()) if cw.sum() > 0 else 0.0,
                max_km=float(d[mask].max()) if mask.any() else 0.0,
                share_within=shares(mask),
            )
        )
    order = np.lexsort((-w, -d))  # farthest first, then the more populous
    return Accessibility(
        population=int(total),
        offices=offices,
        mean_km=float(w @ d / total) if total > 0 else float("nan"),
        median_km=weighted_quantile(d, w, 0.5),
        p90_km=weighted_quantile(d, w, 0.9),
        p99_km=weighted_quantile(d, w, 0.99),
        max_km=float(d.max()) if d.size else float("nan"),
        thresholds_km=thresholds_km,
        share_within=shares(everyone),
        counties=tuple(per_county),
        worst=tuple(int(i) for i in order[:worst]),
    )
