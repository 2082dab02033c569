"""Accessibility of a network: population-weighted distance to the nearest office.

Pure module (no Django): distances and weights in, :class:`Accessibility` out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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


# Offices whose distances to a place differ by at most this are "at the same distance" and
# share the place's demand (ASSUMPTION: registry positions are approximate — several offices
# in a city can carry the city's own point, `coordinate_source` geonames_city_fallback — so a
# difference of a few tens of metres says nothing about where people go).
TIE_KM = 0.05


@dataclass(frozen=True)
class Nearest:
    """Each demand point's nearest office among some columns: ``first`` (n,) the column;
    points at the same distance (within ``TIE_KM``) of several share their demand among
    them: ``tied`` point -> ((column, share), ...), shares summing to 1."""

    first: npt.NDArray[np.intp]
    tied: Mapping[int, tuple[tuple[int, float], ...]] = field(default_factory=dict)

    def shares(self, i: int) -> tuple[tuple[int, float], ...]:
        return self.tied.get(i, ((int(self.first[i]), 1.0),))

    def totals(self, weights: npt.ArrayLike, size: int) -> npt.NDArray[np.float64]:
        """Per column: the sum of the points' ``weights`` (population, visits) it takes."""
        w = np.asarray(weights, dtype=np.float64)
        out = np.bincount(self.first, weights=w, minlength=size).astype(np.float64)
        for i, parts in self.tied.items():
            out[self.first[i]] -= w[i]
            for j, share in parts:
                out[j] += w[i] * share
        return out


def nearest(
    d: npt.NDArray[np.float64],
    cols: npt.ArrayLike,
    *,
    weight: npt.ArrayLike | None = None,
    tie_km: float = TIE_KM,
) -> Nearest:
    """For each row of ``d`` (points × columns) its nearest column among ``cols``; a point at
    the same distance (within ``tie_km``) of several shares its demand among them in
    proportion to ``weight`` (per column of ``d``: e.g. each office's observed visits) when
    every one of them has a positive weight, else equally. So no office with demand around
    it gets nothing because another is listed first, and the total is kept."""
    c = np.asarray(cols, dtype=np.intp)
    sub = d[:, c]
    first = c[np.argmin(sub, axis=1)]
    close = sub <= sub.min(axis=1)[:, None] + tie_km
    w = None if weight is None else np.asarray(weight, dtype=np.float64)
    tied: dict[int, tuple[tuple[int, float], ...]] = {}
    for i in np.flatnonzero(close.sum(axis=1) > 1):
        js = c[close[i]]
        parts = w[js] if w is not None and np.all(w[js] > 0) else np.ones(js.size)
        tied[int(i)] = tuple(
            (int(j), float(p / parts.sum())) for j, p in zip(js, parts, strict=True)
        )
    return Nearest(first, tied)


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
