"""The simulator: a network year simulated and loaded on PostgreSQL, and one office against SimPy.

Run (PostgreSQL with the reference data loaded)::

    DEMO=1 DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_sim \\
        .venv/bin/python benchmarks/simulation_bench.py [--year 2025] [--no-load] [--write]

1. Simulation: every office of the registry over ``--year`` (the registry as of each day),
   in parallel processes (``--processes``, default the CPU count). Target: under 60 s.
2. Loading: the same year through `simulation.loader.load` (binary COPY), timed by phase.
   Target: under 3 minutes. Skipped with ``--no-load``.
3. One office's model side by side with the same model in SimPy (``pip install simpy``, the
   bench extra), alternating ``--rounds`` times, best CPU time of each: walk-ins by hour,
   priority, lognormal service, officers with shifts and competences over one line per agency
   in the shared call order, exponential patience, outcomes, closing; the same arrival
   generator and parameters, independent random streams, the same rows written (visit
   columns, events, errands, desk log). Statistics must agree within tolerance; target at
   least 5x faster. Also timed: SimPy's event machinery alone for the same events (how much
   of SimPy's time is SimPy's own, and how much the model's Python that any pure-Python
   engine runs too). Ours runs its day loop compiled by Numba (`simulation.dayloop`): the
   compile cost is reported separately (a fresh process with an empty cache, then with
   the cache it wrote) and the rounds start after a first call, so they measure the steady
   state. ``--only-office`` runs only this part (no database needed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import math
import os
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DOCS = REPO / "docs" / "benchmarks.md"
START, END = "<!-- simulation_bench:start -->", "<!-- simulation_bench:end -->"


# --- one office, both engines ----------------------------------------------------------------


def office_scenario(days: int = 250, seed: int = 11):
    from servicekontor.simulation import calibration
    from servicekontor.simulation.model import (
        Behaviour,
        Day,
        Officer,
        OfficeScenario,
        ServiceSpec,
    )

    services = (
        ServiceSpec(service_id=1, agency=0, handling_minutes=8, share=0.45),
        ServiceSpec(service_id=2, agency=1, handling_minutes=9, share=0.28),
        ServiceSpec(service_id=3, agency=2, handling_minutes=12, share=0.14),
        ServiceSpec(service_id=4, agency=3, handling_minutes=6, share=0.13),
    )
    comps = [frozenset({0, 1, 2, 3})] + [
        frozenset({0, 1, 2, 3} - {k % 4}) if k % 3 else frozenset({0, 1, 2, 3})
        for k in range(1, 12)
    ]
    officers = tuple(
        Officer(agencies=comps[k], start=9 * 3600.0, end=17.25 * 3600.0) for k in range(12)
    )
    behaviour = Behaviour(
        hour_profile=calibration.HOUR_PROFILE,
        service_distribution="lognormal",
        service_cv=0.7,
        patience_minutes=30.0,
        booked_no_show=0.0,
        walk_seconds=0.0,
        recall_probability=0.0,
        recall_seconds=0.0,
        transfer_probability=0.0,
        multi_errand_share=0.0,
        priority_share=0.02,
        serve_after_close_minutes=15.0,
    )
    first = dt.date(2025, 1, 1).toordinal()
    return OfficeScenario(
        office_id=1,
        services=services,
        days=tuple(
            Day(
                ordinal=first + d,
                intervals=((9 * 3600.0, 17 * 3600.0),),
                expected_visits=560.0,
                officers=officers,
            )
            for d in range(days)
        ),
        behaviour=behaviour,
        seed=seed,
    )


def day_statistics(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-day statistics from visit columns (`OfficeResult.visits`): visits, mean wait in
    minutes (to the first call, or to leaving), P(wait > 0), share who left before being
    called, share not served at closing. One row per day, in day order."""
    from servicekontor.simulation.model import STATES

    left = ~np.isnan(v["left_at"])
    called = np.where(left, v["left_at"], v["first_call"])
    closed = v["state"] == STATES.index("not_served")
    wait = np.where(closed, np.nan, called - v["queued"])
    rows = []
    for d in np.unique(v["day"]):
        m = v["day"] == d
        w = wait[m]
        w = w[~np.isnan(w)]
        rows.append((m.sum(), w.mean() / 60, np.mean(w > 1e-9), left[m].mean(), closed[m].mean()))
    return dict(zip(STAT_NAMES, np.array(rows, dtype=float).T, strict=True))


STAT_NAMES = ("visits", "mean_wait_min", "p_wait", "abandoned", "not_served")


def simpy_office(scenario):
    """The same office in SimPy, written as SimPy is meant to be used, with the same output.

    The model of `simulation.model` for the features the benchmark's office uses: walk-ins
    (the same arrival generator, `_draw_day`), priority, lognormal service, officers with
    shifts and competences over one line per agency, called in the shared call order
    (`call_order_key`); exponential patience (someone who left is still called,
    ``max_calls`` times, and marked no-show); an outcome per visit; closing (the rest "not
    served at closing"). Officers and arrivals are SimPy processes; an idle officer waits on
    an event of their own, which an arrival (for the officer idle longest who may serve it),
    their shift end or the closing triggers. Output: an `OfficeResult` with the same visit
    columns, event rows, errand rows and desk log as `simulate_office`. Bookings, recalls,
    walking to the desk, transfers, several errands and breaks are not modelled here:
    ``ValueError`` if the scenario uses any of them.
    """
    from servicekontor.simulation import model as m

    b = scenario.behaviour
    unused = {
        "bookings": any(s.booked_share > 0 or not s.walk_in for s in scenario.services),
        "recalls": b.recall_probability > 0,
        "walking": b.walk_seconds > 0,
        "transfers": b.transfer_probability > 0,
        "several errands": b.multi_errand_share > 0,
        "breaks": any(o.break_start < o.end for d in scenario.days for o in d.officers),
    }
    if any(unused.values()) or b.service_distribution != "lognormal":
        raise ValueError(f"not in the SimPy model: {[k for k, v in unused.items() if v]}")
    rng = np.random.default_rng(np.random.SeedSequence([scenario.seed + 1, 99]))
    out = _SimpyOutput()
    for day in scenario.days:
        _simpy_day(scenario, day, rng, out)
    visits = {k: np.asarray(v) for k, v in out.visits.items()}
    visits.update(
        final_service=visits["service"],
        source=np.zeros(visits["day"].size, dtype=np.int8),
        queued=visits["arrived"],
        booked=np.full(visits["day"].size, np.nan),
    )
    return m.OfficeResult(
        office_id=scenario.office_id,
        visits=visits,
        events=np.asarray(out.events, dtype=float).reshape(-1, len(m.EVENT_FIELDS)),
        errands=np.asarray(out.errands, dtype=float).reshape(-1, len(m.ERRAND_FIELDS)),
        desk=np.asarray(out.desk, dtype=float).reshape(-1, len(m.DESK_FIELDS)),
    )


def machinery_inputs(result) -> list[tuple[list[float], list[tuple[list[float], list[float]]]]]:
    """Per day of ``result`` (an `OfficeResult`): the arrival times, and per officer the
    times of their calls and of each visit leaving their desk."""
    from servicekontor.simulation import model as m

    events, visits = result.events, result.visits
    days = []
    for d in np.unique(visits["day"]):
        ids = np.flatnonzero(visits["day"] == d)
        ev = events[(events[:, 0] >= ids[0]) & (events[:, 0] <= ids[-1])]
        call = ev[:, 2] == m.CALL
        leave = np.isin(ev[:, 2], (m.FINISH, m.NO_SHOW, m.TRANSFER))
        officers = [
            (
                np.sort(ev[call & (ev[:, 5] == k), 1]).tolist(),
                np.sort(ev[leave & (ev[:, 5] == k), 1]).tolist(),
            )
            for k in np.unique(ev[call, 5])
        ]
        days.append((np.sort(visits["arrived"][ids]).tolist(), officers))
    return days


def simpy_machinery(days: list[tuple[list[float], list[tuple[list[float], list[float]]]]]):
    """SimPy's event machinery alone for ``days`` (`machinery_inputs`): per day an arrival
    process with one timeout per visit and per officer a process that waits for each of its
    calls and then for the visit to leave the desk — the timeouts and process switches the
    SimPy model needs, without the model (no line, no rows, no columns)."""
    import simpy

    for arrived, officers in days:
        env = simpy.Environment()

        def arrivals(arrived=arrived, env=env):
            for t in arrived:
                yield env.timeout(t - env.now)

        def officer(calls: list[float], leaves: list[float], env=env):
            for c, e in zip(calls, leaves, strict=True):
                yield env.timeout(c - env.now)
                yield env.timeout(e - env.now)

        env.process(arrivals())
        for calls, leaves in officers:
            env.process(officer(calls, leaves))
        env.run()


class _SimpyOutput:
    """What the SimPy model writes: rows as `simulate_office` writes them, visit columns."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.errands: list[tuple] = []
        self.desk: list[tuple] = []
        names = ["day", "service", "priority", "ticket", "arrived", "first_call", "last_call"]
        names += ["call_count", "state", "outcome", "officer", "left_at"]
        self.visits: dict[str, list] = {k: [] for k in names}


def _simpy_day(scenario, day, rng: np.random.Generator, out: _SimpyOutput) -> None:
    """One day of the SimPy model (see `simpy_office`), appended to ``out``."""
    import simpy

    from servicekontor.queueing.call_order import call_order_key
    from servicekontor.simulation import model as m
    from servicekontor.simulation.model import _draw_day

    b = scenario.behaviour
    agency = [s.agency for s in scenario.services]
    seconds = np.array([s.handling_minutes * 60.0 for s in scenario.services])
    sigma = math.sqrt(math.log(1.0 + b.service_cv**2))
    cdf = np.cumsum(b.outcome_weights) / np.sum(b.outcome_weights)
    env = simpy.Environment()
    times, svcs, _booked, _no_show = _draw_day(rng, scenario, day)
    n = times.size
    base = len(out.visits["day"])
    t_list, s_list = times.tolist(), svcs.tolist()
    prio = np.where(rng.random(n) < b.priority_share, 10, 0).tolist()
    left_at = (times + rng.exponential(b.patience_minutes * 60.0, n)).tolist()
    duration = (seconds[svcs] * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)).tolist()
    outcome = (m.FIRST_FINISH_OUTCOME + np.searchsorted(cdf, rng.random(n))).tolist()
    first, last = [math.nan] * n, [math.nan] * n
    calls, state, result, officer = [0] * n, [m.WAITING] * n, [0] * n, [-1] * n
    lines: list[list[tuple]] = [[] for _ in range(max(agency) + 1)]
    waiting: set[int] = set()
    idle: list[tuple[int, simpy.Event]] = []  # longest idle first
    close_at = day.intervals[-1][1] + b.serve_after_close_minutes * 60.0
    closed = False
    comps = [o.agencies for o in day.officers]
    ordinal = day.ordinal
    events, errands, desk = out.events, out.errands, out.desk

    def arrivals():
        for i in range(n):
            yield env.timeout(t_list[i] - env.now)
            ag = agency[s_list[i]]
            events.append((base + i, env.now, m.ISSUE, -1, m.WAITING, -1, s_list[i], 0))
            for j, (k, wake) in enumerate(idle):
                if ag in comps[k]:
                    del idle[j]
                    wake.succeed(i)
                    break
            else:
                key = call_order_key(
                    booked_start=None, priority=prio[i], queued_at=env.now, visit_id=i, now=env.now
                )
                heapq.heappush(lines[ag], key)
                waiting.add(i)

    def pick(k: int) -> int:
        best = None
        for ag in comps[k]:
            line = lines[ag]
            if line and (best is None or line[0] < best[0]):
                best = line
        if best is None:
            return -1
        i = heapq.heappop(best)[4]
        waiting.discard(i)
        return i

    def officer_process(k: int, start: float, end: float):
        yield env.timeout(start)
        desk.append((ordinal, k, env.now, m.READY))
        while True:
            i = pick(k)
            if i < 0:
                if closed or env.now >= end:
                    break
                wake = env.event()
                idle.append((k, wake))
                i = yield wake
                if i is None:  # the shift is over or the line closed
                    break
            vid, svc, now = base + i, s_list[i], env.now
            events.append((vid, now, m.CALL, m.WAITING, m.CALLED, k, svc, 0))
            desk.append((ordinal, k, now, m.BUSY))
            first[i] = last[i] = now
            officer[i], calls[i] = k, 1
            if left_at[i] <= now:  # left already: called max_calls times, then no-show
                for c in range(1, b.max_calls):
                    last[i], calls[i] = now + c * b.recall_seconds, c + 1
                    events.append((vid, last[i], m.RECALL, m.CALLED, m.CALLED, k, svc, 0))
                yield env.timeout(b.max_calls * b.recall_seconds)
                events.append(
                    (vid, env.now, m.NO_SHOW, m.CALLED, m.NO_SHOW_STATE, k, svc, m.OUT_NO_SHOW)
                )
                state[i], result[i] = m.NO_SHOW_STATE, m.OUT_NO_SHOW
            else:
                left_at[i] = math.nan  # called in time: does not leave any more
                events.append((vid, now, m.START, m.CALLED, m.SERVING, k, svc, 0))
                yield env.timeout(duration[i])
                events.append((vid, env.now, m.FINISH, m.SERVING, m.FINISHED, k, svc, outcome[i]))
                errands.append((vid, svc, k, now, env.now, outcome[i]))
                state[i], result[i] = m.FINISHED, outcome[i]
            desk.append((ordinal, k, env.now, m.READY))
            if env.now >= end:
                break
        desk.append((ordinal, k, env.now, m.SIGNED_OUT))

    def shift_end(k: int, end: float):
        yield env.timeout(end)
        for j, (other, wake) in enumerate(idle):
            if other == k:
                del idle[j]
                wake.succeed(None)
                break

    def closing():
        nonlocal closed
        yield env.timeout(close_at)
        closed = True
        for i in sorted(waiting):
            events.append(
                (base + i, env.now, m.CLOSE, m.WAITING, m.NOT_SERVED, -1, s_list[i], m.OUT_CLOSED)
            )
            state[i], result[i] = m.NOT_SERVED, m.OUT_CLOSED
        waiting.clear()
        for _k, wake in idle:
            wake.succeed(None)
        idle.clear()

    env.process(arrivals())
    env.process(closing())
    for k, o in enumerate(day.officers):
        end = min(o.end, close_at)
        env.process(officer_process(k, o.start, end))
        env.process(shift_end(k, end))
    env.run()
    v = out.visits
    v["day"] += [ordinal] * n
    v["service"] += s_list
    v["priority"] += prio
    v["ticket"] += range(1, n + 1)
    v["arrived"] += t_list
    v["first_call"] += first
    v["last_call"] += last
    v["call_count"] += calls
    v["state"] += state
    v["outcome"] += result
    v["officer"] += officer
    v["left_at"] += left_at


# --- the network ---------------------------------------------------------------------------


def network(
    year: int,
    processes: int | None,
    load: bool,
    skip_fk_checks: bool | None = None,
    rollups: bool = True,
) -> dict[str, object]:
    import django

    django.setup()
    from django.db import connection

    from servicekontor.simulation import calibration, loader
    from servicekontor.simulation.model import simulate_offices

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: dict[str, object] = {"vendor": connection.vendor}
    t0 = time.perf_counter()
    net, services, _offices = loader.registry_inputs(first=first, last=last)
    scenarios = calibration.build_scenarios(net, services, seed=0)
    out["prepare_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    own0 = time.process_time()
    results = simulate_offices(scenarios, processes=processes)
    out["simulate_s"] = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["simulate_cpu_s"] = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    # this process: the results unpickled, and (compiled loop) Numba imported and the loop
    # loaded or compiled once before the pool forks
    out["simulate_parent_cpu_s"] = time.process_time() - own0
    out["offices"] = len(scenarios)
    out["visits"] = sum(r.visit_count for r in results)
    out["events"] = sum(int(r.events.shape[0]) for r in results)
    del results
    if load:
        backend = None
        if out["vendor"] == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
        server0 = _process_cpu(backend)
        report = loader.load(
            first=first,
            last=last,
            seed=0,
            processes=processes,
            log=print,
            skip_fk_checks=skip_fk_checks,
            rebuild_statistics=rollups,
        )
        server1 = _process_cpu(backend)
        out["server_cpu_s"] = None if server0 is None or server1 is None else server1 - server0
        out["load_rollup_s"] = report.rollup_seconds
        out["load_copy_s"] = report.copy_seconds
        out["load_check_s"] = report.key_check_seconds
        out["load_index_s"] = report.index_seconds
        out["load_indexes"] = report.indexes_rebuilt
        out["load_analyze_s"] = report.analyze_seconds
        out["load_avg"] = os.getloadavg()[0]
        out["load_total_s"] = report.simulate_seconds + report.write_seconds
        out["load_write_s"] = report.write_seconds
        out["load_simulate_s"] = report.simulate_seconds
        out["loaded_visits"] = report.visits
        out["load_encode_s"] = report.encode_seconds
        out["load_commit_s"] = report.commit_seconds
    return out


def _process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a local process (the PostgreSQL backend of this run's
    connection, from /proc; None when the server is not on this machine). Parallel workers of
    an index build are other processes and are not counted."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(run) -> float:
    """CPU seconds of this process: both engines run here, one thread each, and CPU time is
    far less disturbed than wall time by other work on a shared machine."""
    started = time.process_time()
    run()
    return time.process_time() - started


_COMPILE_PROBE = """
import json, sys, time
sys.path[:0] = [{repo!r}, {bench!r}]
t0 = time.process_time()
import numba
t1 = time.process_time()
from servicekontor.simulation import dayloop, model
from simulation_bench import office_scenario
t2 = time.process_time()
one_day = office_scenario(days=1)
model.simulate_office(one_day)
t3 = time.process_time()
model.simulate_office(one_day)
t4 = time.process_time()
print(json.dumps(dict(numba=t1 - t0, setup=t2 - t1, first=t3 - t2, again=t4 - t3,
                      cache=str(dayloop.CACHE_DIR))))
"""


def compile_cost() -> list[dict[str, float | str]]:
    """CPU seconds of the compiled loop's start-up, each in a fresh process with an empty
    Numba cache directory of its own: the first run (cold: the loop is compiled and written
    to the cache), then the same directory again (warm: loaded from the cache). Per run:
    importing Numba, importing the simulator (decorating the compiled functions), the first
    `simulate_office` of a one-day office and a second one (the compile or cache load is the
    difference)."""
    import json
    import subprocess
    import tempfile

    code = _COMPILE_PROBE.format(repo=str(REPO), bench=str(REPO / "benchmarks"))
    runs = []
    with tempfile.TemporaryDirectory(prefix="sk-numba-bench-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for _ in ("cold", "warm"):
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return runs


def office_comparison(days: int, rounds: int) -> list[str]:
    """Ours and SimPy on the same office, alternating ``rounds`` times in this process (best
    CPU time of each), then the per-day statistics of one run of each compared by a z-test.
    Before: the compiled loop's start-up (`compile_cost`), and the first call in this
    process, which the rounds then do not include."""
    from servicekontor.simulation.model import simulate_office

    cold, warm = compile_cost()
    scenario = office_scenario(days=days)
    t_first = _timed(lambda: simulate_office(office_scenario(days=1)))
    t_ours, t_simpy = math.inf, math.inf
    for _ in range(rounds):
        t_ours = min(t_ours, _timed(lambda: simulate_office(scenario)))
        t_simpy = min(t_simpy, _timed(lambda: simpy_office(scenario)))
    ours, simpy = simulate_office(scenario), simpy_office(scenario)
    machinery = machinery_inputs(simpy)
    t_machinery = min(_timed(lambda: simpy_machinery(machinery)) for _ in range(rounds))
    a, s = day_statistics(ours.visits), day_statistics(simpy.visits)
    visits = ours.visit_count
    lines = [
        f"One office, {days} days (~560 visits a day, 12 officers, 4 agency queues): "
        f"ours {t_ours:.2f} s ({t_ours / visits * 1e6:.1f} µs a visit), "
        f"SimPy {t_simpy:.2f} s ({t_simpy / simpy.visit_count * 1e6:.1f} µs a visit) of CPU "
        f"(best of {rounds} alternating runs; load average {os.getloadavg()[0]:.1f}): "
        f"{t_simpy / t_ours:.1f}x (target >= 5x)",
        f"SimPy's event machinery alone (`simpy_machinery`: the same timeouts and process "
        f"switches, no model) {t_machinery:.2f} s of it, so the model's own Python in the "
        f"SimPy version {t_simpy - t_machinery:.2f} s; ours at 5x would have to be "
        f"{t_simpy / 5:.2f} s",
        "Rows written, ours / SimPy: "
        f"events {ours.events.shape[0]:,} / {simpy.events.shape[0]:,}, "
        f"errands {ours.errands.shape[0]:,} / {simpy.errands.shape[0]:,}, "
        f"desk log {ours.desk.shape[0]:,} / {simpy.desk.shape[0]:,}",
        "Compiled day loop, CPU s in a fresh process with an empty cache directory (cold) "
        "and again with that directory (warm): "
        + "; ".join(
            f"{name}: import numba {r['numba']:.2f}, import the simulator {r['setup']:.2f}, "
            f"first one-day office {r['first']:.2f} (second {r['again']:.3f}, so compile or "
            f"cache load {float(r['first']) - float(r['again']):.2f})"
            for name, r in (("cold", cold), ("warm", warm))
        )
        + f"; first call in this process (imports numba, loads its cache) {t_first:.2f}",
        "| statistic (mean of the days) | ours | SimPy | difference / its s.e. |",
        "|---|---|---|---|",
    ]
    agree = True
    for key in STAT_NAMES:
        x, y = a[key], s[key]
        se = math.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
        z = (x.mean() - y.mean()) / se if se > 0 else 0.0
        lines.append(f"| {key} | {x.mean():.4f} | {y.mean():.4f} | {z:+.2f} |")
        agree &= abs(z) <= 3.3
    lines.append(
        "Same statistics within tolerance (|difference| <= 3.3 standard errors of the day means): "
        + ("yes" if agree else "NO")
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--office-days", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs of each engine")
    parser.add_argument("--only-office", action="store_true", help="only ours against SimPy")
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--skip-fk-checks",
        action="store_const",
        const=True,
        default=None,
        help="see loader.load (the default: set-based checks when the role is a superuser)",
    )
    parser.add_argument(
        "--fk-checks-per-row",
        dest="skip_fk_checks",
        action="store_const",
        const=False,
        help="PostgreSQL checks every row's keys at commit",
    )
    parser.add_argument("--only-load", action="store_true", help="skip the SimPy comparison")
    parser.add_argument(
        "--no-rollups", action="store_true", help="leave the statistics' rollups stale"
    )
    args = parser.parse_args()

    lines: list[str] = []
    if args.only_office:
        print("\n".join(office_comparison(args.office_days, args.rounds)))
        return
    net = network(
        args.year,
        args.processes,
        load=not args.no_load,
        skip_fk_checks=args.skip_fk_checks,
        rollups=not args.no_rollups,
    )
    rate = net["visits"] / net["simulate_s"]  # type: ignore[operator]
    lines.append(
        f"Network {args.year}: {net['offices']} offices, {net['visits']:,} visits, "
        f"{net['events']:,} events; registry read and scenarios {net['prepare_s']:.1f} s; "
        f"simulated in {net['simulate_s']:.1f} s ({rate:,.0f} visits/s, "
        f"{args.processes or os.cpu_count()} processes using {net['simulate_cpu_s']:.1f} s of CPU "
        f"+ {net['simulate_parent_cpu_s']:.1f} s in the parent; "
        f"load average {os.getloadavg()[0]:.1f}; target < 60 s)"
    )
    if "load_total_s" in net:
        lines.append(
            f"Loaded on {net['vendor']}: {net['load_total_s']:.1f} s in all "
            f"(simulation {net['load_simulate_s']:.1f} s, writing {net['load_write_s']:.1f} s "
            "including "
            f"which encoding {net['load_encode_s']:.1f} s and the commit "
            f"{net['load_commit_s']:.1f} s; statistics' rollups rebuilt in "
            f"{net['load_rollup_s']:.1f} s; "
            + ("per-row foreign-key checks; " if args.skip_fk_checks is False else "")
            + f"load average {net['load_avg']:.1f}; target < 180 s)"
        )
        server = net["server_cpu_s"]
        lines.append(
            "| phase of the load | seconds |\n|---|---:|\n"
            f"| simulation (again, inside the load) | {net['load_simulate_s']:.1f} |\n"
            f"| rows built and written (COPY), of which encoding {net['load_encode_s']:.1f} s"
            f" | {net['load_copy_s']:.1f} |\n"
            f"| key checks (set-based) | {net['load_check_s']:.1f} |\n"
            f"| {net['load_indexes']} secondary indexes built after the COPY"
            f" | {net['load_index_s']:.1f} |\n"
            f"| ANALYZE | {net['load_analyze_s']:.1f} |\n"
            f"| commit | {net['load_commit_s']:.1f} |\n"
            f"| statistics' rollups rebuilt | {net['load_rollup_s']:.1f} |\n"
            f"| **in all (wall)** | **{net['load_total_s']:.1f}** |\n"
            + (
                f"| PostgreSQL backend CPU (user + system) | {server:.1f} |"
                if isinstance(server, float)
                else ""
            )
        )
    if args.only_load:
        print("\n".join(lines))
        return
    lines += office_comparison(args.office_days, args.rounds)
    text = "\n".join(lines)
    print(text)
    if args.write:
        command = (
            "DEMO=1 DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_sim "
            f".venv/bin/python benchmarks/simulation_bench.py --year {args.year}"
            + (" --no-load" if args.no_load else "")
        )
        section = f"{START}\n```\n$ {command}\n{text}\n```\n{END}"
        doc = DOCS.read_text()
        if START in doc:
            doc = re.sub(re.escape(START) + ".*?" + re.escape(END), section, doc, flags=re.S)
        else:
            doc += "\n" + section + "\n"
        DOCS.write_text(doc)


if __name__ == "__main__":
    main()
