"""Outreach stops in the accessibility measures and in proposals: sites open only on some days.

Pure module (no Django): arrays in, arrays out.

A site j is open on a share `f_j` of working days: 1 for an office, (visit days per week) / 5
for an outreach stop (`network.outreach.visits_per_week`). On a random working day demand i
goes to the nearest site open that day. Assuming the days different stops are served are
independent (an assumption: real rounds are coordinated, which only helps), with i's sites
sorted by distance d_(1) ≤ d_(2) ≤ …:

* expected distance  E_i = Σ_k d_(k) f_(k) Π_{l<k} (1 − f_(l))   (stops at the first office,
  whose f = 1; if no site is open every day, the remainder is infinite: nobody to go to);
* reach within t km  P_i(t) = 1 − Π_{j: d_ij ≤ t} (1 − f_j).

With every f = 1 these are the nearest distance and "within t km" of `measures.py`, so the
measures with and without stops are the same definitions.

Proposing stops (`greedy_stops`) maximises the expected covered population Σ_i w_i P_i(R)
greedily. That function is monotone and submodular in the set of stops, so greedy is within
(1 − 1/e) of the optimum (Nemhauser, Wolsey & Fisher 1978); the gain of a stop is
f · Σ_{i: d_ij ≤ R} w_i Π(1 − f) over i's open sites within R.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
WORKING_DAYS_PER_WEEK = 5.0


def frequency_of(visit_days_per_week: float) -> float:
    """Share of working days a site is open: days per week / 5, capped at 1."""
    if visit_days_per_week <= 0:
        raise ValueError("a stop must be served at least sometimes")
    return min(1.0, visit_days_per_week / WORKING_DAYS_PER_WEEK)


def expected_nearest_km(d: FloatArray, freq: FloatArray) -> FloatArray:
    """E_i for the demand × site distances `d` (km) and the sites' open shares `freq` (0–1].

    Shape: d (n, m), freq (m,) → (n,). Cost O(n · m log m)."""
    if d.shape[1] == 0:
        return np.full(d.shape[0], np.inf)
    order = np.argsort(d, axis=1, kind="stable")
    ds = np.take_along_axis(d, order, axis=1)
    fs = np.asarray(freq, dtype=np.float64)[order]
    closed_so_far = np.cumprod(1.0 - fs, axis=1)
    before = np.hstack([np.ones((d.shape[0], 1)), closed_so_far[:, :-1]])
    expected = (ds * fs * before).sum(axis=1)
    return np.where(closed_so_far[:, -1] > 1e-12, np.inf, expected)


def reach_probability(d: FloatArray, freq: FloatArray, km: float) -> FloatArray:
    """P_i(km): probability that a site within `km` is open on a random working day. (n,)"""
    f = np.asarray(freq, dtype=np.float64)
    closed = np.where(d <= km, 1.0 - f[np.newaxis, :], 1.0)
    return 1.0 - closed.prod(axis=1)


def greedy_stops(
    d: FloatArray,
    w: FloatArray,
    open_cols: Sequence[int],
    freq: FloatArray,
    candidates: Sequence[int],
    k: int,
    stop_freq: float,
    radius_km: float,
) -> list[int]:
    """K candidate columns to serve as stops (open share `stop_freq`), chosen greedily to
    maximise the expected population within `radius_km`; `open_cols` (with `freq`) are the
    sites already there. Fewer than K when no further stop adds anything."""
    uncovered = np.ones(d.shape[0])
    for j in open_cols:
        uncovered *= np.where(d[:, j] <= radius_km, 1.0 - freq[j], 1.0)
    pool = [j for j in candidates if j not in set(open_cols)]
    if not pool:
        return []
    near = d[:, pool] <= radius_km  # (n, candidates)
    chosen: list[int] = []
    for _ in range(k):
        gains = stop_freq * ((w * uncovered) @ near)
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        chosen.append(pool[best])
        uncovered = uncovered * np.where(near[:, best], 1.0 - stop_freq, 1.0)
        near[:, best] = False
    return chosen
