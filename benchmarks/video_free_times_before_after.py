"""Video meeting free times before and after the epoch-second caseworker index, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python benchmarks/video_free_times_before_after.py [BEFORE_COMMIT]

Builds the world of `booking_bench.py` (its database, reference offices, 8 weeks of bookings
and video meetings), then times, interleaved run by run in one process, an office's free
times over the whole horizon for: the plain service; the video service with today's
`caseworker_time.CaseworkerTime`; the video service with `CaseworkerTime` as it was at
BEFORE_COMMIT (default da97ec2, read with `git show`). Nothing else of booking_bench runs;
docs/benchmarks.md is not written (the figures go there by hand, with the command).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import booking_bench  # noqa: E402

BEFORE = sys.argv[1] if len(sys.argv) > 1 else "da97ec2"


class _Done(Exception):
    pass


def _before_module() -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:servicekontor/appointments/caseworker_time.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("caseworker_time_before")
    exec(compile(source, f"{BEFORE}:caseworker_time.py", "exec"), module.__dict__)
    return module


def _measure(video_list: Any, list_free: Any, runs: int) -> None:
    from servicekontor.appointments import capacity_book

    after_cls = capacity_book.CaseworkerTime
    before_cls = _before_module().CaseworkerTime
    names = ("plain", "video (after)", "video (before)")
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    load_before = os.getloadavg()[0]
    for i in range(runs):
        for name, fn, cls in (
            ("plain", list_free, after_cls),
            ("video (after)", video_list, after_cls),
            ("video (before)", video_list, before_cls),
        ):
            setattr(capacity_book, "CaseworkerTime", cls)  # noqa: B010 (mypy: a class)
            start, start_cpu = time.perf_counter(), time.process_time()
            fn(i)
            wall[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.process_time() - start_cpu) * 1000)
    setattr(capacity_book, "CaseworkerTime", after_cls)  # noqa: B010
    load_after = os.getloadavg()[0]
    print(f"{runs} runs each, interleaved; wall time and this process's CPU time, ms")
    print(f"1-minute load average before/after: {load_before:.1f} / {load_after:.1f}")
    print(
        "| listing, whole 8-week horizon | wall p50 | wall p90 | CPU p50 | wall / plain | CPU / plain |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    plain_wall, plain_cpu = statistics.median(wall["plain"]), statistics.median(cpu["plain"])
    for name in names:
        w50, c50 = statistics.median(wall[name]), statistics.median(cpu[name])
        w90 = sorted(wall[name])[round(0.9 * (runs - 1))]
        print(
            f"| {name} | {w50:.1f} | {w90:.1f} | {c50:.1f} | {w50 / plain_wall:.2f}× | "
            f"{c50 / plain_cpu:.2f}× |"
        )


def main() -> None:
    runs = booking_bench.ITERATIONS
    seen: dict[str, object] = {}

    def timed(fn: Any, n: int, before: Any = None) -> list[float]:
        # booking_bench hands every timed read to `_timed`: keep the two listings, skip the
        # rest, and measure once both are known (booking_bench's own timing never runs).
        if fn.__name__ in ("video_list", "list_free"):
            seen[fn.__name__] = fn
        if len(seen) == 2:
            _measure(seen["video_list"], seen["list_free"], runs)
            raise _Done
        return [1.0]

    setattr(booking_bench, "_timed", timed)  # noqa: B010 (a stand-in of another signature)
    sys.argv.append("--no-write")
    with contextlib.suppress(_Done):
        booking_bench.main()


if __name__ == "__main__":
    main()
