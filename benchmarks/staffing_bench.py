"""Staffing: the network's weekly plan, Erlang C against pyworkforce, one office's simulation check.

Run (any database with the reference data loaded: ``manage.py load_reference_data``)::

    DEMO=1 DEBUG=1 .venv/bin/python benchmarks/staffing_bench.py [--week 2026-W10] [--office kista]

1. The network's weekly plan: every office of the registry × every open hour of the week ×
   every agency it offers. Demand per office-day from the simulator's calibration (the same
   volumes the simulated history has), spread over the hours by its hour profile and over
   the agencies by its agency shares; `dimensioning.hour_need` per office-hour (Erlang C per
   agency and pooled; then again with Erlang A pooled, patience 60 minutes as calibrated —
   once as the plan runs, reusing Erlang A values cached for identical office-hours, and
   once with the cache cleared before every office-hour). Target: under 2 s.
2. The same Erlang C cases (every agency-hour and pooled office-hour: arrivals, mean service
   minutes, 15-minute target, 80 %) through pyworkforce 0.5.1 ``ErlangC.required_positions``
   and through `erlang.erlang_c_agents_needed_many` (and one by one); best of ``--repeat``
   runs each; answers compared. Target ≥ 10×.
3. One office's week checked by simulation: shifts proposed (HiGHS) from the office's need,
   then `simcheck.check_day` with 20 replications per day. Target: under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from servicekontor.queueing import erlang  # noqa: E402
from servicekontor.simulation import calibration, loader  # noqa: E402
from servicekontor.simulation.model import open_pieces  # noqa: E402
from servicekontor.staffing import dimensioning, shifts, simcheck  # noqa: E402
from servicekontor.staffing.queries import parse_week  # noqa: E402

SL, TARGET = 0.8, 15.0


def week_demand(monday: dt.date):
    """office code -> [(day, open minutes, {hour: {agency: arrivals}}, {agency: minutes})]."""
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    offices, services, _ = loader.registry_inputs(first=days[0], last=days[-1])
    volumes = calibration.expected_visits(offices)
    by_id = {s.service_id: s for s in services}
    out = {}
    for o in offices:
        plan_days = []
        for d in o.days:
            agencies: dict[str, list[float]] = {}
            for sid in d.service_ids:
                svc = by_id[sid]
                agencies.setdefault(svc.agency_code, []).append(
                    svc.handling_minutes * calibration.SERVICE_TIME_FACTOR
                )
            share = {
                a: calibration.AGENCY_SHARE.get(a, calibration.AGENCY_SHARE_DEFAULT)
                for a in agencies
            }
            total_share = sum(share.values())
            minutes = {a: sum(v) / len(v) for a, v in agencies.items()}
            pieces = [
                (b, e, h) for b, e, h in open_pieces(d.intervals) if calibration.HOUR_PROFILE[h] > 0
            ]
            weight = sum((e - b) / 3600 * calibration.HOUR_PROFILE[h] for b, e, h in pieces) or 1.0
            expected = volumes[o.office_id].get(d.day, 0.0)
            hours = {}
            for start, end, h in pieces:
                n = expected * calibration.HOUR_PROFILE[h] * (end - start) / 3600 / weight
                hours[h] = {a: n * share[a] / total_share for a in agencies}
            plan_days.append(
                (
                    d.day,
                    (int(d.intervals[0][0] // 60), int(d.intervals[-1][1] // 60)),
                    hours,
                    minutes,
                )
            )
        out[o.code] = plan_days
    return out


def plan(demand, patience: float, *, share_cache: bool = True):
    cases = []
    needs = {}
    for code, days in demand.items():
        for day, _open, hours, minutes in days:
            for h, per in hours.items():
                demands = [
                    dimensioning.AgencyDemand(a, n, minutes[a], TARGET, SL, patience)
                    for a_i, (a, n) in enumerate(sorted(per.items()))
                ]
                if not share_cache:  # no reuse of Erlang A values between office-hours
                    erlang._erlang_a_service_level.cache_clear()
                need = dimensioning.hour_need(demands)
                needs[(code, day, h)] = need
                if patience == float("inf"):
                    cases += [
                        (d.arrivals_per_hour, d.mean_service_minutes)
                        for d in demands
                        if d.arrivals_per_hour > 0
                    ]
    return needs, cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--week", default="2026-W10")
    parser.add_argument("--office", default="kista")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5, help="timings: best of this many runs")
    args = parser.parse_args()
    monday = parse_week(args.week)
    demand = week_demand(monday)
    hours = sum(len(h) for days in demand.values() for _d, _o, h, _m in days)
    agency_hours = sum(
        len(per) for days in demand.values() for _d, _o, h, _m in days for per in h.values()
    )
    print(
        f"network week {args.week}: {len(demand)} offices, {hours} open office-hours, {agency_hours} agency-hours"
    )

    t0 = time.perf_counter()
    needs_c, cases = plan(demand, float("inf"))
    t_c = time.perf_counter() - t0
    erlang._erlang_a_service_level.cache_clear()
    t0 = time.perf_counter()
    needs_a, _ = plan(demand, 60.0)
    t_a = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan(demand, 60.0, share_cache=False)
    t_a_alone = time.perf_counter() - t0
    total_c = sum(n.scheduled for n in needs_c.values())
    total_a = sum(n.scheduled for n in needs_a.values())
    print(
        f"1. weekly plan, Erlang C: {t_c:.3f} s ({total_c} officer-hours scheduled); "
        f"with Erlang A pooled: {t_a:.3f} s ({total_a} officer-hours; {t_a_alone:.3f} s "
        f"without reusing values between office-hours)"
    )

    import numpy as np
    from pyworkforce.queuing import ErlangC

    lam_arr = np.array([c[0] for c in cases])
    m_arr = np.array([c[1] for c in cases])

    def ours_loop() -> list[int]:
        return [
            erlang.erlang_c_agents_needed(
                arrivals_per_hour=lam,
                mean_service_minutes=m,
                target_minutes=TARGET,
                service_level=SL,
            )
            for lam, m in cases
        ]

    def ours_many() -> list[int]:
        return erlang.erlang_c_agents_needed_many(
            arrivals_per_hour=lam_arr,
            mean_service_minutes=m_arr,
            target_minutes=TARGET,
            service_level=SL,
        ).tolist()

    def pyworkforce() -> list[int]:
        return [
            ErlangC(transactions=lam, aht=m, asa=TARGET, interval=60).required_positions(
                service_level=SL
            )["raw_positions"]
            for lam, m in cases
        ]

    def best(fn, repeat: int = args.repeat) -> tuple[float, list[int]]:
        # the machine is shared: the fastest of a few runs is the least disturbed
        times, result = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        return min(times), result

    t_loop, ours = best(ours_loop)
    t_ours, many = best(ours_many)
    t_theirs, theirs = best(pyworkforce)
    assert many == ours
    agree = sum(a == b for a, b in zip(ours, theirs, strict=True))
    # where they differ: pyworkforce starts its search at round(load + 1), so it can skip a
    # smaller count that already meets the target; check ours by pyworkforce's own formula
    explained = sum(
        a < b and ErlangC(transactions=lam, aht=m, asa=TARGET, interval=60).service_level(a) >= SL
        for (lam, m), a, b in zip(cases, ours, theirs, strict=True)
        if a != b
    )
    print(
        f"2. {len(cases)} Erlang C cases: ours {t_ours:.4f} s vectorised ({t_theirs / t_ours:.1f}x), "
        f"{t_loop:.4f} s one by one ({t_theirs / t_loop:.1f}x); pyworkforce {t_theirs:.4f} s; same officer count in {agree}/{len(cases)}; where not, "
        f"ours is smaller and meets the target by pyworkforce's own service level in "
        f"{explained}/{len(cases) - agree}"
    )

    days = demand[args.office]
    t0 = time.perf_counter()
    rules = shifts.ShiftRules()
    worst = []
    for day, (open_m, close_m), hours_d, minutes in days:
        need, first = shifts.slot_need(
            {h: needs_c[(args.office, day, h)].scheduled for h in hours_d},
            open_minute=open_m,
            close_minute=close_m,
            rules=rules,
        )
        agencies = sorted(minutes)
        result = shifts.solve_day(need, profiles=[frozenset(agencies)], rules=rules)
        sim = []
        for s in result.shifts:
            p = s.pattern
            for _k in range(s.count):
                sim.append(
                    simcheck.SimShift(
                        first + 30 * p.start,
                        first + 30 * p.end,
                        frozenset(agencies),
                        first + 30 * p.break_start if p.break_end > p.break_start else None,
                        30 * (p.break_end - p.break_start),
                    )
                )
        res = simcheck.check_day(
            arrivals=hours_d,
            service_minutes=minutes,
            open_minutes=(open_m, close_m),
            shifts=sim,
            target_minutes=TARGET,
            patience_minutes=60.0,
            replications=args.replications,
            seed=day.toordinal(),
        )
        worst.append(min(r.service_level for r in res))
        print(
            f"   {day}: {result.paid_slots / 2:.1f} paid hours ({result.status}), promised SL min "
            f"{min(needs_c[(args.office, day, h)].promised_service_level for h in hours_d):.3f}, simulated SL min {worst[-1]:.3f}"
        )
    t_sim = time.perf_counter() - t0
    print(
        f"3. {args.office} week: shifts + simulation check ({args.replications} replications a day): {t_sim:.2f} s"
    )


if __name__ == "__main__":
    main()
