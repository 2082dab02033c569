"""One planning question answered end to end: sites, distances, solver, measures before/after.

Pure module (no Django): the registry's offices come in as :class:`Site` values (see
``queries.existing_sites``), the demand as GeoNames localities.
"""

from __future__ import annotations

import csv
import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from servicekontor.core.geography import Locality, distance_matrix_km
from servicekontor.core.spreadsheets import parse_decimal, read_csv_rows
from servicekontor.planning import heuristics, optimize, outreach
from servicekontor.planning.measures import THRESHOLDS_KM, Accessibility, accessibility, nearest


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
    """The request cannot be answered as asked (the message says why and what to change).

    `message` is an English message id with %(name)s placeholders and `params` its values,
    so that a page can show it in its language (`gettext(message) % params`; the Swedish
    text is in locale/sv); `str(error)` is the English text (the command line).
    """

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    latitude: float
    longitude: float
    county: str = ""
    # Share of working days the site is open: 1 for an office, visit days per week / 5 for an
    # outreach stop (planning/outreach.py).
    frequency: float = 1.0


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
    stops: int = 0  # PROPOSE: outreach stops to propose besides the K offices
    stop_days: float = 1.0  # visit days per week of each proposed stop

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
        stops: int | None = None,
        stop_days: float | None = None,
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
            stops=stops or 0,
            stop_days=stop_days or 1.0,
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
            "stops": self.stops,
            "stop_days": self.stop_days,
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
            stops=int(data.get("stops", 0)),
            stop_days=float(data.get("stop_days", 1.0)),
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
    # Localities (of those with people) no office or served outreach stop reaches within
    # radius_km, before and after (walk F14: the answer's effect on access in places).
    beyond_before: int = 0
    beyond_after: int = 0
    solution: optimize.Solution | None = None
    served: tuple[int, ...] = field(default=())  # population nearest to each of after_sites
    demand_names: tuple[str, ...] = field(default=(), repr=False)
    # Set covering: localities no site (existing or candidate) reaches within the radius, so
    # no plan covers them; (name, county, population), most populous first.
    uncoverable: tuple[tuple[str, str, int], ...] = field(default=())
    stops: tuple[Site, ...] = ()  # the outreach stops already served (kept as they are)
    opened_stops: tuple[Site, ...] = ()  # proposed stops
    #: per office of `closed`, in its order: what closing it does (walk F21)
    moved: tuple[Moved, ...] = ()


@dataclass(frozen=True)
class Moved:
    """What closing one office does to the people it served (walk F21: "close N offices"
    under the distance objective closed the busiest office, and nothing said why). The
    distance objective counts residents' distance, not an office's visits: an office with
    another close by is closed although busy, because its people's distance grows little.

    ``people``: residents whose nearest office it was (ties shared, `measures.nearest`);
    ``to``: the kept office most of them now have nearest; ``added_km``: their mean added
    distance (km, population-weighted); ``person_km``: people × added km, the office's part
    of the objective's increase."""

    people: int
    to: str
    added_km: float
    person_km: float


def moved_by_closing(
    d: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    before_cols: Sequence[int],
    after_cols: Sequence[int],
    closed_cols: Sequence[int],
    names: Sequence[str],
) -> tuple[Moved, ...]:
    """`Moved` for each of `closed_cols` (columns of `d`, localities × sites; `names` the
    sites' names): the people whose nearest site among `before_cols` it was, where they go
    among `after_cols` and how much farther they travel."""
    if not closed_cols or not after_cols:
        return ()
    was = nearest(d, before_cols)
    now = nearest(d, after_cols)
    d_before = d[:, list(before_cols)].min(axis=1)
    d_after = d[:, list(after_cols)].min(axis=1)
    out = []
    for j in closed_cols:
        share = (was.first == j).astype(np.float64)
        for i, parts in was.tied.items():
            share[i] = sum(part for col, part in parts if col == j)
        people = w * share
        total = float(people.sum())
        to = now.totals(people, d.shape[1])
        person_km = float(people @ (d_after - d_before))
        out.append(
            Moved(
                people=round(total),
                to=names[int(np.argmax(to))] if total > 0 else "",
                added_km=person_km / total if total > 0 else 0.0,
                person_km=person_km,
            )
        )
    return tuple(out)


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
        raise PlanInputError("The sites CSV cannot be read: %(error)s.", error=exc) from None


def _read_sites(text: str) -> tuple[Site, ...]:
    rows = read_csv_rows(text)
    fieldnames = [name.strip() for name in rows[0]] if rows else []
    required = ("code", "name", "latitude", "longitude")
    missing = set(required) - set(fieldnames)
    if missing:
        raise PlanInputError(
            "The sites CSV lacks the column(s): %(columns)s.", columns=", ".join(sorted(missing))
        )
    sites = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = dict(zip(fieldnames, cells, strict=False))
        if any(row.get(column) is None for column in required):
            raise PlanInputError(
                "Line %(line)s: every row needs a value for %(columns)s.",
                line=line,
                columns=", ".join(required),
            )
        try:
            lat, lon = parse_decimal(row["latitude"]), parse_decimal(row["longitude"])
        except (TypeError, ValueError):
            raise PlanInputError(
                "Line %(line)s: latitude and longitude must be numbers.", line=line
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PlanInputError("Line %(line)s: coordinates out of range.", line=line)
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
        for line, row in enumerate(read_csv_rows(text), start=1):
            if not row or (line == 1 and not _is_number(row[-1])):
                continue  # header
            if len(row) != 3 or not _is_number(row[2]):
                raise PlanInputError(
                    "Line %(line)s: expected demand_id,site_code,value.", line=line
                )
            value = parse_decimal(row[2])
            if value < 0:  # was taken, and made that site the nearest of all
                raise PlanInputError(
                    "Line %(line)s: a distance or travel time cannot be negative.", line=line
                )
            values[(row[0].strip(), row[1].strip())] = value
    except csv.Error as exc:
        raise PlanInputError("The matrix CSV cannot be read: %(error)s.", error=exc) from None
    return values


def check_matrix(
    matrix: dict[tuple[str, str], float] | None,
    localities: Sequence[Locality],
    sites: Iterable[Site],
) -> None:
    """Raise PlanInputError when not one row of an imported matrix names a locality and a
    site of the question: the file would be ignored and the answer silently use great-circle
    km (walk finding, 2026-11-30: columns in another order gave a result "with" the matrix)."""
    if not matrix:
        return
    ids = {str(loc.geonameid) for loc in localities}
    codes = {s.code for s in sites}  # as `distances` reads them
    if not any(demand in ids and code in codes for demand, code in matrix):
        raise PlanInputError(
            "None of the matrix's %(rows)s rows names a locality (GeoNames id) and a site of "
            "this question: check that the columns are demand_id,site_code,value.",
            rows=len(matrix),
        )


def _is_number(text: str) -> bool:
    try:
        parse_decimal(text)
    except ValueError:
        return False
    return True


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


@dataclass(frozen=True)
class _Stops:
    """Outreach stops beside the offices: their distance columns and open shares."""

    d: npt.NDArray[np.float64]
    freq: npt.NDArray[np.float64]

    @classmethod
    def none(cls, rows: int) -> _Stops:
        return cls(np.zeros((rows, 0)), np.zeros(0))

    def plus(self, d: npt.NDArray[np.float64], freq: float) -> _Stops:
        return _Stops(
            np.hstack([self.d, d]), np.concatenate([self.freq, np.full(d.shape[1], freq)])
        )

    def with_offices(
        self, d: npt.NDArray[np.float64], open_cols: Sequence[int]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        cols = list(open_cols)
        return (
            np.hstack([d[:, cols], self.d]),
            np.concatenate([np.ones(len(cols)), self.freq]),
        )


def _measure(
    d: npt.NDArray[np.float64],
    open_cols: Sequence[int],
    w: npt.NDArray[np.float64],
    counties: list[str],
    stops: _Stops | None = None,
) -> Accessibility:
    if stops is not None and stops.freq.size:
        # Stops count weighted by how often they are served (planning/outreach.py).
        both, freq = stops.with_offices(d, open_cols)
        reach = np.column_stack([outreach.reach_probability(both, freq, t) for t in THRESHOLDS_KM])
        nearest = outreach.expected_nearest_km(both, freq)
        return accessibility(nearest, w, counties, offices=len(open_cols), reach=reach)
    nearest = d[:, list(open_cols)].min(axis=1) if len(open_cols) else np.full(d.shape[0], np.inf)
    return accessibility(nearest, w, counties, offices=len(open_cols))


def covered_population(
    d: npt.NDArray[np.float64],
    cols: Sequence[int],
    w: npt.NDArray[np.float64],
    r: float,
    stops: _Stops | None = None,
) -> int:
    """People within ``r`` km of an office among the columns ``cols`` of ``d`` (demand × site
    km, ``w`` people per demand), "within" being d ≤ r; with outreach stops, the expected
    people (each stop counted by its open share, `outreach.reach_probability`). Rounded to
    a whole person. The one computation of "Population within R": the table's before and
    after, and (coverage objective) the solver's objective on the page and in the files."""
    if stops is not None and stops.freq.size:
        both, freq = stops.with_offices(d, cols)
        return round(float(w @ outreach.reach_probability(both, freq, r)))
    if not len(cols):
        return 0
    return round(float(w[(d[:, list(cols)] <= r).any(axis=1)].sum()))


def localities_beyond(
    d: npt.NDArray[np.float64],
    cols: Sequence[int],
    w: npt.NDArray[np.float64],
    r: float,
    stops: _Stops | None = None,
) -> int:
    """Localities with people that no office among the columns ``cols`` of ``d`` and no
    outreach stop reaches within ``r`` km ("within" being d ≤ r, as `covered_population`).
    A locality a stop reaches on some days is not counted: it has a service within R."""
    within = np.zeros(d.shape[0], dtype=bool)
    if len(cols):
        within |= (d[:, list(cols)] <= r).any(axis=1)
    if stops is not None and stops.freq.size:
        within |= (stops.d <= r).any(axis=1)
    return int(((~within) & (w > 0)).sum())


def plan(
    request: PlanRequest,
    *,
    localities: Sequence[Locality],
    existing: Sequence[Site],
    candidates: Sequence[Site] | None = None,
    matrix: dict[tuple[str, str], float] | None = None,
    stops: Sequence[Site] = (),
    progress: optimize.ProgressCallback | None = None,
) -> PlanResult:
    """Answer ``request`` for the network ``existing`` (the offices operating on a date) and
    its outreach ``stops`` (counted in the measures by their `frequency`; the optimisation
    models place offices, and PROPOSE adds ``request.stops`` new stops greedily).

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
    stop_sites = tuple(stops)
    have_stops = _Stops(
        distances(localities, stop_sites, matrix) if stop_sites else np.zeros((len(w), 0)),
        np.array([s.frequency for s in stop_sites], dtype=np.float64),
    )
    after_stops = have_stops
    new_stop_cols: list[int] = []
    fixed = list(range(len(existing)))
    before = _measure(d, fixed, w, counties, have_stops)
    solution = None
    chosen: list[int] = fixed
    if request.action == Question.PROPOSE:
        if request.k >= 1:
            solution = _solve(request, d, w, len(existing) + request.k, fixed, progress, have_stops)
            chosen = list(solution.chosen)
        if request.stops >= 1:
            stop_freq = outreach.frequency_of(request.stop_days)
            both = np.hstack([d, have_stops.d])
            new_stop_cols = outreach.greedy_stops(
                both,
                w,
                open_cols=[*chosen, *range(len(sites), len(sites) + len(stop_sites))],
                freq=np.concatenate([np.ones(len(sites)), have_stops.freq]),
                candidates=range(len(existing), len(sites)),
                k=request.stops,
                stop_freq=stop_freq,
                radius_km=r,
            )
            after_stops = have_stops.plus(d[:, new_stop_cols], stop_freq)
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
        solution = _solve(request, d, w, len(existing) - request.n, keep, progress, have_stops)
        chosen = list(solution.chosen)
    chosen_set = set(chosen)
    after_cols = sorted(chosen_set)
    after_sites = tuple(sites[j] for j in after_cols)
    # people at the same distance of several sites are shared among them (measures.nearest)
    served = nearest(d, after_cols).totals(w, d.shape[1])[after_cols] if after_cols else np.zeros(0)
    return PlanResult(
        request=request,
        existing=existing,
        after_sites=after_sites,
        opened=tuple(sites[j] for j in sorted(chosen_set) if j >= len(existing)),
        closed=tuple(s for j, s in enumerate(existing) if j not in chosen_set),
        before=before,
        after=_measure(d, sorted(chosen_set), w, counties, after_stops)
        if solution or new_stop_cols
        else before,
        covered_before=covered_population(d, fixed, w, r, have_stops),
        covered_after=covered_population(d, sorted(chosen_set), w, r, after_stops),
        beyond_before=localities_beyond(d, fixed, w, r, have_stops),
        beyond_after=localities_beyond(d, sorted(chosen_set), w, r, after_stops),
        solution=solution,
        served=tuple(round(float(v)) for v in served),
        demand_names=tuple(loc.name for loc in localities),
        uncoverable=tuple(
            sorted(
                (
                    (localities[i].name, localities[i].county, localities[i].population)
                    for i in (solution.uncoverable if solution else ())
                ),
                key=lambda item: (-item[2], item[0]),
            )
        ),
        stops=stop_sites,
        opened_stops=tuple(
            replace(sites[j], frequency=outreach.frequency_of(request.stop_days))
            for j in new_stop_cols
        ),
        moved=moved_by_closing(
            d,
            w,
            fixed,
            after_cols,
            [j for j in range(len(existing)) if j not in chosen_set],
            [site.name for site in sites],
        ),
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
        if request.k < 1 and request.stops < 1:
            raise PlanInputError("Propose at least one new office or outreach stop.")
        if candidates is not None and request.k + request.stops > candidates:
            raise PlanInputError("K is larger than the number of candidate sites.")
    elif request.action == Question.CLOSE:
        unknown = set(request.keep) - {s.code for s in existing}
        if unknown:
            raise PlanInputError(
                "Not operating on that date: %(codes)s.", codes=", ".join(sorted(unknown))
            )
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
    stops: _Stops | None = None,
) -> optimize.Solution:
    """Greedy + interchange first (the warm start and the instant answer), then HiGHS unless
    the request asks for the instant answer only.

    Coverage with outreach ``stops``: a demand an office covers counts w, one it does not
    counts w · P (P: the stops' reach within R), so the objective is Σ w·P (a constant,
    the solver's ``offset``) + Σ_covered w·(1 − P): the model weighs each demand by
    w·(1 − P) and its objective is `covered_population` of the answer, the page's
    "Population within R", not a second figure. Its objective is then set to that
    function's value (equal but for float rounding), so every place shows one number."""
    if request.objective == Objective.COVERAGE:
        r = request.radius_km
        reach = (
            outreach.reach_probability(stops.d, stops.freq, r)
            if stops is not None and stops.freq.size
            else np.zeros(w.size)
        )
        # solve_mclp starts from its own greedy + interchange on the sparse coverage matrix
        # and reports that heuristic's objective.
        s = optimize.solve_mclp(
            optimize.coverage_matrix(d, r),
            w * (1.0 - reach),
            p,
            fixed=fixed,
            time_limit=request.time_limit,
            exact=request.exact,
            progress=progress,
            offset=float(w @ reach),
        )
        objective = float(covered_population(d, list(s.chosen), w, r, stops))
        return replace(s, objective=objective, bound=max(s.bound, objective))
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
        "frequency": site.frequency,
    }


def finite(value: float) -> float | None:
    """None for NaN and infinity (no office at all: no distance to measure), else the value.
    JSON has no NaN or Infinity (PostgreSQL's jsonb refuses them), and a page shows "–"."""
    return value if math.isfinite(value) else None


def _measures_dict(a: Accessibility, names: Sequence[str]) -> dict[str, object]:
    return {
        "offices": a.offices,
        "population": a.population,
        "mean_km": finite(a.mean_km),
        "median_km": finite(a.median_km),
        "p90_km": finite(a.p90_km),
        "p99_km": finite(a.p99_km),
        "max_km": finite(a.max_km),
        "thresholds_km": list(a.thresholds_km),
        "share_within": list(a.share_within),
        "counties": [
            {
                "county": c.county,
                "population": c.population,
                "mean_km": finite(c.mean_km),
                "max_km": finite(c.max_km),
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
            "stops": result.request.stops,
            "stop_days": result.request.stop_days,
        },
        "before": _measures_dict(result.before, result.demand_names),
        "after": _measures_dict(result.after, result.demand_names),
        "covered_before": result.covered_before,
        "covered_after": result.covered_after,
        "beyond_before": result.beyond_before,
        "beyond_after": result.beyond_after,
        "people_beyond_before": result.before.population - result.covered_before,
        "people_beyond_after": result.after.population - result.covered_after,
        "uncoverable": [
            {"name": name, "county": county, "population": population}
            for name, county, population in result.uncoverable
        ],
        "uncoverable_population": sum(item[2] for item in result.uncoverable),
        "existing": [_site_dict(site) for site in result.existing],
        "opened": [_site_dict(site) for site in result.opened],
        "closed": [
            dict(
                _site_dict(site),
                **(
                    {
                        "people": m.people,
                        "to": m.to,
                        "added_km": finite(m.added_km),
                        "person_km": finite(m.person_km),
                    }
                    if m is not None
                    else {}
                ),
            )
            for site, m in zip(
                result.closed,
                result.moved or (None,) * len(result.closed),
                strict=True,
            )
        ],
        "stops": [_site_dict(site) for site in result.stops],
        "opened_stops": [_site_dict(site) for site in result.opened_stops],
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


CHANGES = ("open", "keep", "close")


def summary_rows(summary: dict[str, object]) -> list[list[object]]:
    """The network after the plan, one site per row: [change, code, name, county,
    latitude, longitude, served population]; change is "open", "keep" or "close" (offices;
    a closed office serves 0), "stop" (an outreach stop already served) or "open_stop" (a
    proposed stop; served population left empty: people go to stops only on some days)."""
    opened = {site["code"] for site in _sites(summary, "opened")}
    rows: list[list[object]] = []
    for site in _sites(summary, "sites"):
        change = "open" if site["code"] in opened else "keep"
        rows.append(
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
    for key, change in (("stops", "stop"), ("opened_stops", "open_stop")):
        for site in _sites(summary, key):
            rows.append(
                [
                    change,
                    site["code"],
                    site["name"],
                    site["county"],
                    site["latitude"],
                    site["longitude"],
                    "",
                ]
            )
    for site in _sites(summary, "closed"):
        rows.append(
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
    return rows


def _sites(summary: dict[str, object], key: str) -> list[dict[str, object]]:
    value = summary.get(key, [])
    return value if isinstance(value, list) else []
