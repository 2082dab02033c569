"""What the queue benchmark measures with: latency samples, desks as threads over forked client
processes, CPU time of processes (Linux /proc), and a keep-alive HTTP client. No Django.
"""

from __future__ import annotations

import http.client
import multiprocessing
import multiprocessing.synchronize
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# --- measurement helpers ---------------------------------------------------------------------


@dataclass
class Samples:
    values: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float) -> None:
        with self.lock:
            self.values.append(seconds * 1000)

    def p(self, q: float) -> float:
        data = sorted(self.values)
        if not data:
            return float("nan")
        index = min(len(data) - 1, max(0, round(q / 100 * len(data)) - 1))
        return data[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def p99(self) -> float:
        return self.p(99)


def pause(think: float) -> None:
    """Think time of a paced desk: random around `think` so desks do not march in step."""
    if think:
        time.sleep(random.uniform(0.5 * think, 1.5 * think))


def run_threads(n: int, work: Callable[[int], None]) -> float:
    """Start n threads at once (barrier); return the wall time until the last one ends."""
    barrier = threading.Barrier(n + 1)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def run_desks(
    n: int,
    work: Callable[[int], None],
    *,
    procs: int,
    samples: tuple[Samples, ...],
    counters: list[int],
) -> tuple[float, float]:
    """Run desks 0..n-1 as threads spread over `procs` forked client processes.

    One Python process holding 50 client threads would make them queue for its GIL and add
    that wait to every latency, for the floor as for HTTP. Each child runs its share of the
    desks, then sends back what `work` recorded into `samples` and `counters` (its own
    copies after the fork) and the CPU time it used. Returns the wall time from the common
    start to the last desk's end, and the client's CPU milliseconds per request measured.
    """
    procs = max(1, min(procs, n))
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(procs + 1)
    results = ctx.SimpleQueue()

    def child(desks: list[int]) -> None:
        cpu = time.process_time()
        try:
            run_threads_after(barrier, desks, work)
            error = ""
        except BaseException as exc:
            error = repr(exc)
        results.put(([s.values for s in samples], counters, time.process_time() - cpu, error))

    children = [ctx.Process(target=child, args=(list(range(k, n, procs)),)) for k in range(procs)]
    for c in children:
        c.start()
    barrier.wait()
    started = time.perf_counter()
    received = [results.get() for _ in children]
    wall = time.perf_counter() - started
    for c in children:
        c.join()
    client_cpu = 0.0
    for values, counts, cpu, error in received:
        if error:
            raise RuntimeError(f"a client process failed: {error}")
        for target, got in zip(samples, values, strict=True):
            target.values.extend(got)
        for k, count in enumerate(counts):
            counters[k] += count
        client_cpu += cpu
    requests = sum(len(s.values) for s in samples)
    return wall, 1000 * client_cpu / max(1, requests)


def run_threads_after(
    barrier: multiprocessing.synchronize.Barrier, desks: list[int], work: Callable[[int], None]
) -> None:
    """In a client process: one thread per desk, all released when every process is ready."""
    go = threading.Event()
    errors: list[BaseException] = []

    def run(i: int) -> None:
        go.wait()
        try:
            work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in desks]
    for t in threads:
        t.start()
    barrier.wait()
    go.set()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


# --- where the CPU goes ----------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time each process has used so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used in between; a process born in between counts from zero."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def children_of(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def machine_speed() -> float:
    """CPU seconds this machine's Python takes for a loop of 10,000,000 integer additions
    (the least of three runs): a yardstick to compare figures measured on different machines.
    The machines of this project's sessions differed by up to 3× in CPU per request for the
    same code (docs/benchmarks.md, "Per-request floor")."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return best


def machine_summary() -> str:
    """One line for a report: the machine's yardstick and its CPU model."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: {os.cpu_count()} cores ({model}), a Python loop of 10 M additions "
        f"{machine_speed():.2f} CPU s (`bench_harness.machine_speed`)"
    )


# --- HTTP -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def push_server_command(*, port: int, graceful_seconds: int) -> list[str]:
    """The push server's command line (decision 0026, config/push_asgi.py): uvicorn, one
    process on 127.0.0.1:`port`, no access log, open streams given `graceful_seconds` to
    close when it is stopped. Run it with the checkout as its working directory."""
    return [
        str(Path(sys.executable).parent / "uvicorn"),
        "config.push_asgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        str(graceful_seconds),
    ]


def wait_for_port(
    process: subprocess.Popen[bytes], port: int, what: str, *, seconds: float
) -> None:
    """Returns once 127.0.0.1:`port` takes a connection (tried every 0.2 s). After `seconds`
    without one: kills `process` (the server that should listen there) and raises
    RuntimeError("`what` did not start")."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{what} did not start")


# --- the report -------------------------------------------------------------------------------


def write_docs_section(path: Path, section: str, start: str, end: str) -> None:
    """Puts `section` between the marker lines `start` and `end` in the Markdown file `path`
    (docs/benchmarks.md), in place of what stood between them; without the markers, at the
    end after a blank line. A file not there yet begins with "# Benchmarks"."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{section.rstrip()}\n{end}"
    if start in text and end in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.DOTALL
        )
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


class Client:
    """One keep-alive HTTP connection, like one browser tab."""

    def __init__(self, port: int, cookie: str, csrf: str) -> None:
        self.port = port
        self.cookie = cookie
        self.csrf = csrf
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self,
        method: str,
        path: str,
        fields: Mapping[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        body = None
        hdrs = {"Cookie": self.cookie, **(headers or {})}
        if fields is not None:
            body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf})
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body, hdrs)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, response, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")
