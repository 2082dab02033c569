"""One planning question answered end to end: sites, distances, solver, measures before/after.

Pure module (no Django): the registry's offices come in as :class:`Site` values (see
``queries.existing_sites``), the demand as GeoNames localities.
"""

from __future__ import annotations

import csv
import enum
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from servicekontor.core.geography import Locality, distance_matrix_km
from servicekontor.planning import heuristics, optimize
from servicekontor.planning.measures import Accessibility, accessibility


class Question(enum.StrEnum):
    """What a plan answers (the page's "Question", the field and parameter `action`; its
    labelled database form is `models.PlanQuestion`)."""

    MEASURE = "measure"
    PROPOSE = "propose"
    COVER = "cover"
    CLOSE = "close"


class Objective(enum.StrEnum):
    COVERAGE = "coverage"  # maximal covering within R
    DISTANCE = "distance"  # p-median: population-weighted distance


class PlanInputError(ValueError):
    """The request cannot be answered as asked (the message says why and what to change)."""


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    latitude: float
    longitude: float
    county: str = ""


@dataclass(frozen=True)
class PlanRequest:
    action: Question
    objective: Objective = Objective.COVERAGE
    k: int = 10
    n: int = 0
    radius_km: float = 25.0
    keep: tuple[str, ...] = ()
    time_limit: float = 60.0
    exact: bool = True  # False: the instant answer (heuristic with its bound)

    @classmethod
    def from_fields(
        cls,
        *,
        action: str,
        objective: str | None,
        k: int | None,
        n: int | None,
        radius_km: float,
        keep: str | None,
        time_limit: float,
        quick: bool,
    ) -> PlanRequest:
        """The request as the planning page's form and the `plan` command give it: an empty
        K or N is 0, no objective is coverage, `keep` is comma-separated office codes.
        Raises ValueError for an unknown action or objective."""
        return cls(
            action=Question(action),
            objective=Objective(objective or Objective.COVERAGE),
            k=k or 0,
            n=n or 0,
            radius_km=radius_km,
            keep=parse_codes(keep or ""),
            time_limit=time_limit,
            exact=not quick,
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-ready; :meth:`from_dict` reads it back (a background run stores it)."""
        return {
            "action": str(self.action),
            "objective": str(self.objective),
            "k": self.k,
            "n": self.n,
            "radius_km": self.radius_km,
            "keep": list(self.keep),
            "time_limit": self.time_limit,
            "exact": self.exact,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanRequest:
        """Raises ValueError (or KeyError) for a dict that :meth:`as_dict` did not write."""
        return cls(
            action=Question(data["action"]),
            objective=Objective(data["objective"]),
            k=int(data["k"]),
            n=int(data["n"]),
            radius_km=float(data["radius_km"]),
            keep=tuple(str(code) for code in data["keep"]),
            time_limit=float(data["time_limit"]),
            exact=bool(data["exact"]),
        )


def parse_codes(text: str) -> tuple[str, ...]:
    """Office codes from "a, b,,c": stripped, empty ones dropped, in order."""
    return tuple(code.strip() for code in text.split(",") if code.strip())


@dataclass(frozen=True)
class PlanResult:
    request: PlanRequest
    existing: tuple[Site, ...]
    after_sites: tuple[Site, ...]
    opened: tuple[Site, ...]
    closed: tuple[Site, ...]
    before: Accessibility
    after: Accessibility
    covered_before: int  # population within radius_km of an office
    covered_after: int
    solution: optimize.Solution | None = None
    served: tuple[int, ...] = field(default=())  # population nearest to each of after_sites
    demand_names: tuple[str, ...] = field(default=(), repr=False)


def locality_sites(localities: Iterable[Locality]) -> tuple[Site, ...]:
    """Every locality as a candidate site (code = GeoNames id)."""
    return tuple(
        Site(str(loc.geonameid), loc.name, loc.latitude, loc.longitude, loc.county)
        for loc in localities
    )


def read_sites_csv(text: str) -> tuple[Site, ...]:
    """Candidate sites from CSV with the header ``code,name,latitude,longitude[,county]``.

    Raises PlanInputError naming the line for a short row, a NUL byte, or bad coordinates."""
    try:
        return _read_sites(text)
    except csv.Error as exc:  # e.g. a NUL byte ("line contains NUL")
        raise PlanInputError(f"The sites CSV cannot be read: {exc}.") from None


def _read_sites(text: str) -> tuple[Site, ...]:
    reader = csv.DictReader(io.StringIO(text))
    required = ("code", "name", "latitude", "longitude")
    missing = set(required) - set(reader.fieldnames or ())
    if missing:
        raise PlanInputError(f"The sites CSV lacks the column(s): {', '.join(sorted(missing))}.")
    sites = []
    for row in reader:
        line = reader.line_num
        if any(row.get(column) is None for column in required):
            raise PlanInputError(f"Line {line}: every row needs a value for {', '.join(required)}.")
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (TypeError, ValueError):
            raise PlanInputError(f"Line {line}: latitude and longitude must be numbers.") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PlanInputError(f"Line {line}: coordinates out of range.")
        sites.append(
            Site(row["code"].strip(), row["name"].strip(), lat, lon, row.get("county") or "")
        )
    if not sites:
        raise PlanInputError("The sites CSV has no rows.")
    return tuple(sites)


def read_matrix_csv(text: str) -> dict[tuple[str, str], float]:
    """An imported distance or travel-time matrix: ``demand_id,site_code,value`` rows
    (demand_id = GeoNames id). Pairs not listed fall back to great-circle km."""
    values: dict[tuple[str, str], float] = {}
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or (line == 1 and not _is_number(row[-1])):
                continue  # header
            if len(row) != 3 or not _is_number(row[2]):
                raise PlanInputError(f"Line {line}: expected demand_id,site_code,value.")
            values[(row[0].strip(), row[1].strip())] = float(row[2])
    except csv.Error as exc:
        raise PlanInputError(f"The matrix CSV cannot be read: {exc}.") from None
    return values


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def distances(
    localities: Sequence[Locality],
    sites: Sequence[Site],
    matrix: dict[tuple[str, str], float] | None = None,
) -> npt.NDArray[np.float64]:
    """Demand × site distances: great-circle km, overridden by an imported matrix."""
    d = distance_matrix_km(
        [loc.latitude for loc in localities],
        [loc.longitude for loc in localities],
        [s.latitude for s in sites],
        [s.longitude for s in sites],
    )
    if matrix:
        row_of = {str(loc.geonameid): i for i, loc in enumerate(localities)}
        col_of = {s.code: j for j, s in enumerate(sites)}
        for (demand_id, code), value in matrix.items():
            i, j = row_of.get(demand_id), col_of.get(code)
            if i is not None and j is not None:
                d[i, j] = value
    return d


def _measure(
    d: npt.NDArray[np.float64],
    open_cols: Sequence[int],
    w: npt.NDArray[np.float64],
    counties: list[str],
) -> Accessibility:
    nearest = d[:, list(open_cols)].min(axis=1) if len(open_cols) else np.full(d.shape[0], np.inf)
    return accessibility(nearest, w, counties, offices=len(open_cols))


def _covered(
    d: npt.NDArray[np.float64], cols: Sequence[int], w: npt.NDArray[np.float64], r: float
) -> int:
    if not len(cols):
        return 0
    return int(w[(d[:, list(cols)] <= r).any(axis=1)].sum())


def plan(
    request: PlanRequest,
    *,
    localities: Sequence[Locality],
    existing: Sequence[Site],
    candidates: Sequence[Site] | None = None,
    matrix: dict[tuple[str, str], float] | None = None,
    progress: optimize.ProgressCallback | None = None,
) -> PlanResult:
    """Answer ``request`` for the network ``existing`` (the offices operating on a date).

    ``progress`` is handed to the solver (see :func:`optimize.solve_mclp`): it sees the
    incumbent and bound as they improve and may stop the solve, which keeps its best answer.
    Raises PlanInputError for a question that cannot be answered as asked."""
    existing = tuple(existing)
    w = np.array([loc.population for loc in localities], dtype=np.float64)
    counties = [loc.county for loc in localities]
    r = request.radius_km
    existing_codes = {s.code for s in existing}
    if request.action in (Question.PROPOSE, Question.COVER):
        pool = [
            s
            for s in (candidates if candidates is not None else locality_sites(localities))
            if s.code not in existing_codes
        ]
        sites = list(existing) + pool
    else:
        sites = list(existing)
    check_request(request, existing=existing, candidates=len(sites) - len(existing))
    d = distances(localities, sites, matrix)
    fixed = list(range(len(existing)))
    before = _measure(d, fixed, w, counties)
    solution = None
    chosen: list[int] = fixed
    if request.action == Question.PROPOSE:
        solution = _solve(request, d, w, len(existing) + request.k, fixed, progress)
        chosen = list(solution.chosen)
    elif request.action == Question.COVER:
        covers = optimize.coverage_matrix(d, r)
        start = heuristics.greedy_cover(covers, fixed)
        solution = optimize.solve_lscp(
            covers,
            fixed=fixed,
            start=start,
            time_limit=request.time_limit,
            exact=request.exact,
            progress=progress,
        )
        chosen = list(solution.chosen)
    elif request.action == Question.CLOSE:
        keep = [i for i, s in enumerate(existing) if s.code in request.keep]
        solution = _solve(request, d, w, len(existing) - request.n, keep, progress)
        chosen = list(solution.chosen)
    chosen_set = set(chosen)
    after_cols = sorted(chosen_set)
    after_sites = tuple(sites[j] for j in after_cols)
    served = (
        np.bincount(d[:, after_cols].argmin(axis=1), weights=w, minlength=len(after_cols))
        if after_cols
        else np.zeros(0)
    )
    return PlanResult(
        request=request,
        existing=existing,
        after_sites=after_sites,
        opened=tuple(sites[j] for j in sorted(chosen_set) if j >= len(existing)),
        closed=tuple(s for j, s in enumerate(existing) if j not in chosen_set),
        before=before,
        after=_measure(d, sorted(chosen_set), w, counties) if solution else before,
        covered_before=_covered(d, fixed, w, r),
        covered_after=_covered(d, sorted(chosen_set), w, r),
        solution=solution,
        served=tuple(round(float(v)) for v in served),
        demand_names=tuple(loc.name for loc in localities),
    )


def check_request(
    request: PlanRequest, *, existing: Sequence[Site], candidates: int | None
) -> None:
    """The rules a question must meet to be answered, in one place (``plan`` applies them;
    the planning page applies them before it queues a background solve). ``candidates``:
    the number of candidate sites not already offices (None: not known yet, e.g. the
    localities). Raises PlanInputError saying what to change."""
    if request.radius_km <= 0:
        raise PlanInputError("The radius must be a positive number of km.")
    if request.action == Question.PROPOSE:
        if request.k < 1:
            raise PlanInputError("Propose at least one new office (K >= 1).")
        if candidates is not None and request.k > candidates:
            raise PlanInputError("K is larger than the number of candidate sites.")
    elif request.action == Question.CLOSE:
        unknown = set(request.keep) - {s.code for s in existing}
        if unknown:
            raise PlanInputError(f"Not operating on that date: {', '.join(sorted(unknown))}.")
        if request.n < 1 or request.n > len(existing) - max(1, len(request.keep)):
            raise PlanInputError(
                "N must be at least 1 and leave at least one office and every office to keep."
            )


def _solve(
    request: PlanRequest,
    d: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    p: int,
    fixed: list[int],
    progress: optimize.ProgressCallback | None = None,
) -> optimize.Solution:
    """Greedy + interchange first (the warm start and the instant answer), then HiGHS unless
    the request asks for the instant answer only."""
    if request.objective == Objective.COVERAGE:
        # solve_mclp starts from its own greedy + interchange on the sparse coverage matrix
        # and reports that heuristic's objective.
        return optimize.solve_mclp(
            optimize.coverage_matrix(d, request.radius_km),
            w,
            p,
            fixed=fixed,
            time_limit=request.time_limit,
            exact=request.exact,
            progress=progress,
        )
    h = heuristics.greedy_interchange(d, w, p, fixed, time_limit=request.time_limit / 4)
    s = optimize.solve_pmedian(
        d,
        w,
        p,
        fixed=fixed,
        start=h.chosen,
        time_limit=request.time_limit,
        exact=request.exact,
        progress=progress,
    )
    return _with_heuristic(s, h.objective)


def _with_heuristic(s: optimize.Solution, value: float) -> optimize.Solution:
    return replace(s, heuristic_objective=value)


def _site_dict(site: Site) -> dict[str, object]:
    return {
        "code": site.code,
        "name": site.name,
        "county": site.county,
        "latitude": site.latitude,
        "longitude": site.longitude,
    }


def _measures_dict(a: Accessibility, names: Sequence[str]) -> dict[str, object]:
    return {
        "offices": a.offices,
        "population": a.population,
        "mean_km": a.mean_km,
        "median_km": a.median_km,
        "p90_km": a.p90_km,
        "p99_km": a.p99_km,
        "max_km": a.max_km,
        "thresholds_km": list(a.thresholds_km),
        "share_within": list(a.share_within),
        "counties": [
            {
                "county": c.county,
                "population": c.population,
                "mean_km": c.mean_km,
                "max_km": c.max_km,
                "share_within": list(c.share_within),
            }
            for c in a.counties
        ],
        "worst": [names[i] for i in a.worst] if names else [],
    }


def result_to_dict(result: PlanResult) -> dict[str, object]:
    """A JSON-ready summary of a result: what a saved scenario keeps."""
    s = result.solution
    return {
        "request": {
            "action": str(result.request.action),
            "objective": str(result.request.objective),
            "k": result.request.k,
            "n": result.request.n,
            "radius_km": result.request.radius_km,
            "keep": list(result.request.keep),
            "exact": result.request.exact,
        },
        "before": _measures_dict(result.before, result.demand_names),
        "after": _measures_dict(result.after, result.demand_names),
        "covered_before": result.covered_before,
        "covered_after": result.covered_after,
        "existing": [_site_dict(site) for site in result.existing],
        "opened": [_site_dict(site) for site in result.opened],
        "closed": [_site_dict(site) for site in result.closed],
        "sites": [
            dict(_site_dict(site), served=served)
            for site, served in zip(result.after_sites, result.served, strict=True)
        ],
        "solution": None
        if s is None
        else {
            "problem": s.problem,
            "method": s.method,
            "objective": s.objective,
            "bound": s.bound,
            "gap": s.gap,
            "optimal": s.optimal,
            "seconds": s.seconds,
            "heuristic_objective": s.heuristic_objective,
            "heuristic_gap": s.heuristic_gap,
            "status": s.status,
        },
    }


CSV_COLUMNS = ["change", "code", "name", "county", "latitude", "longitude", "served_population"]


def summary_csv(summary: dict[str, object]) -> str:
    """The network after the plan, one office per row (change = open, keep or close)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    opened = {site["code"] for site in _sites(summary, "opened")}
    for site in _sites(summary, "sites"):
        change = "open" if site["code"] in opened else "keep"
        writer.writerow(
            [
                change,
                site["code"],
                site["name"],
                site["county"],
                site["latitude"],
                site["longitude"],
                site["served"],
            ]
        )
    for site in _sites(summary, "closed"):
        writer.writerow(
            [
                "close",
                site["code"],
                site["name"],
                site["county"],
                site["latitude"],
                site["longitude"],
                0,
            ]
        )
    return out.getvalue()


def _sites(summary: dict[str, object], key: str) -> list[dict[str, object]]:
    value = summary.get(key, [])
    return value if isinstance(value, list) else []
