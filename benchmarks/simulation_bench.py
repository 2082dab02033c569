"""The simulator: a network year simulated and loaded on PostgreSQL, and one office against SimPy.

Run (PostgreSQL with the reference data loaded)::

    DEMO=1 DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_sim \\
        .venv/bin/python benchmarks/simulation_bench.py [--year 2025] [--no-load] [--write]

1. Simulation: every office of the registry over ``--year`` (the registry as of each day),
   in parallel processes (``--processes``, default the CPU count). Target: under 60 s.
2. Loading: the same year through `simulation.loader.load` (binary COPY), timed by phase.
   Target: under 3 minutes. Skipped with ``--no-load``.
3. One office's model side by side with the same model in SimPy (``pip install simpy``, the
   bench extra): walk-ins by hour, lognormal service, officers with competences and one queue
   per agency, exponential patience; the same arrival process and parameters, independent
   random streams. Statistics must agree within tolerance; target at least 5x faster.
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


def ours(scenario) -> dict[str, np.ndarray]:
    """Per-day statistics of our engine: visits, mean wait, P(wait), abandoned, not served."""
    from servicekontor.simulation.model import STATES, simulate_office

    v = simulate_office(scenario).visits
    left = ~np.isnan(v["left_at"])
    called = np.where(left, v["left_at"], v["first_call"])
    closed = v["state"] == STATES.index("not_served")
    wait = np.where(closed, np.nan, called - v["queued"])
    days = np.unique(v["day"])
    rows = []
    for d in days:
        m = v["day"] == d
        w = wait[m]
        w = w[~np.isnan(w)]
        rows.append((m.sum(), w.mean() / 60, np.mean(w > 1e-9), left[m].mean(), closed[m].mean()))
    return dict(zip(STAT_NAMES, np.array(rows, dtype=float).T, strict=True))


STAT_NAMES = ("visits", "mean_wait_min", "p_wait", "abandoned", "not_served")


def simpy_office(scenario) -> dict[str, np.ndarray]:
    """The same office day by day in SimPy: officer processes, arrivals as a process.

    It records the same state changes as ours (issue, call, start, finish; call and no-show
    for someone who left; close) so both engines produce the same output.
    """
    import simpy

    from servicekontor.simulation.model import _draw_day, _service_seconds

    b = scenario.behaviour
    rng = np.random.default_rng(np.random.SeedSequence([scenario.seed + 1, 99]))
    agency = [s.agency for s in scenario.services]
    minutes = [s.handling_minutes for s in scenario.services]
    rows = []
    for day in scenario.days:
        env = simpy.Environment(initial_time=0.0)
        times, svcs, _booked, _ns = _draw_day(rng, scenario, day)
        n = times.size
        patience = rng.exponential(b.patience_minutes * 60.0, n)
        prio = np.where(rng.random(n) < b.priority_share, 10, 0)
        z = rng.standard_normal(n)
        u = rng.random(n)
        queues: list[list[tuple[int, float, int]]] = [[] for _ in range(max(agency) + 1)]
        waiting: set[int] = set()
        wake = {"event": env.event()}
        close_at = day.intervals[-1][1] + b.serve_after_close_minutes * 60.0
        events: list[tuple[int, float, str]] = []
        waits: list[float] = []
        left = [0]

        def arrivals(
            env,
            times=times,
            svcs=svcs,
            prio=prio,
            queues=queues,
            waiting=waiting,
            wake=wake,
            events=events,
        ):
            for i in range(times.size):
                yield env.timeout(times[i] - env.now)
                heapq.heappush(queues[agency[svcs[i]]], (-int(prio[i]), float(times[i]), i))
                waiting.add(i)
                events.append((i, env.now, "issue"))
                if not wake["event"].triggered:
                    wake["event"].succeed()
                    wake["event"] = env.event()

        def officer(
            env,
            comps,
            start,
            end,
            times=times,
            svcs=svcs,
            patience=patience,
            z=z,
            u=u,
            queues=queues,
            waiting=waiting,
            wake=wake,
            close_at=close_at,
            events=events,
            waits=waits,
            left=left,
        ):
            yield env.timeout(start)
            while env.now < min(end, close_at):
                best = None
                for ag in comps:
                    q = queues[ag]
                    while q and q[0][2] not in waiting:
                        heapq.heappop(q)
                    if q and (best is None or q[0] < best[0]):
                        best = (q[0], ag)
                if best is None:
                    yield wake["event"] | env.timeout(min(end, close_at) - env.now)
                    continue
                (_p, queued, i), ag = best
                heapq.heappop(queues[ag])
                waiting.discard(i)
                events.append((i, env.now, "call"))
                if queued + patience[i] <= env.now:  # left: called, then no-show (no time)
                    left[0] += 1
                    waits.append(patience[i])
                    events.append((i, env.now, "no_show"))
                    continue
                waits.append(env.now - queued)
                events.append((i, env.now, "start"))
                yield env.timeout(_service_seconds(minutes[svcs[i]], b, z[i], u[i]))
                events.append((i, env.now, "finish"))

        env.process(arrivals(env))
        for o in day.officers:
            env.process(officer(env, sorted(o.agencies), o.start, o.end))
        env.run(until=close_at + 4 * 3600)
        for i in sorted(waiting):
            events.append((i, close_at, "close"))
        w = np.array(waits)
        rows.append((n, w.mean() / 60, np.mean(w > 1e-9), left[0] / n, len(waiting) / n))
    return dict(zip(STAT_NAMES, np.array(rows, dtype=float).T, strict=True))


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
    results = simulate_offices(scenarios, processes=processes)
    out["simulate_s"] = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["simulate_cpu_s"] = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--office-days", type=int, default=250)
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

    lines = []
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
        f"{args.processes or os.cpu_count()} processes using {net['simulate_cpu_s']:.1f} s of CPU; "
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
    scenario = office_scenario(days=args.office_days)
    from servicekontor.simulation.model import simulate_office

    t_ours = min(_timed(lambda: simulate_office(scenario)) for _ in range(3))
    t_simpy = min(_timed(lambda: simpy_office(scenario)) for _ in range(2))
    a = ours(scenario)
    s = simpy_office(scenario)
    lines.append(
        f"One office, {args.office_days} days (~560 visits a day, 12 officers, 4 agency queues): "
        f"ours {t_ours:.2f} s, SimPy {t_simpy:.2f} s of CPU (best of 3 and 2 runs): "
        f"{t_simpy / t_ours:.1f}x (target >= 5x)"
    )
    lines.append("| statistic (mean of the days) | ours | SimPy | difference / its s.e. |")
    lines.append("|---|---|---|---|")
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
