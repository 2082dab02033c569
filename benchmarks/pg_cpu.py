"""Run a command and account its CPU: the command's own process tree and the PostgreSQL
backends of one database (parallel workers included), line by line of its output.

    .venv/bin/python benchmarks/pg_cpu.py sk_db -- .venv/bin/python manage.py simulate ...

Every output line of the command is printed with, in front of it, the wall seconds since the
start, the client's CPU seconds so far (the command, its reaped children — the simulation's
worker processes — and its live children) and the PostgreSQL CPU seconds so far (every
backend and parallel worker connected to the database, sampled from ``/proc/<pid>/stat``
every ``--interval`` seconds; a worker that lives shorter than that is missed, so the
PostgreSQL figure is a lower bound). The difference between two lines is the CPU of the
phase between them. At the end the load average is printed. PostgreSQL must run on this
machine (its pids are read from ``pg_stat_activity``); ``pg_stat_statements`` is not needed.
Other sessions' backends of the same database are counted too: use a database of your own.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time

import psycopg

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[float, float] | None:
    """(own CPU, reaped children's CPU) of a process in seconds, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # after the command name: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
    return (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class Sampler(threading.Thread):
    def __init__(self, database: str, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.database, self.root, self.interval = database, root, interval
        self.pg: dict[int, float] = {}  # pid -> last CPU seen
        self.kinds: dict[int, str] = {}
        self.client_live: dict[int, float] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.connection = psycopg.connect(
            "host=127.0.0.1 user=postgres dbname=postgres",
            autocommit=True,  # the database may be recreated
        )
        self.own = self.connection.info.backend_pid

    def sample(self) -> None:
        rows = self.connection.execute(
            "SELECT pid, backend_type FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
            [self.database, self.own],
        ).fetchall()
        with self.lock:
            for pid, kind in rows:
                found = _stat(pid)
                if found is not None:
                    self.pg[pid] = max(self.pg.get(pid, 0.0), found[0])
                    self.kinds[pid] = kind
            live: dict[int, float] = {}
            todo = _children(self.root)
            while todo:
                pid = todo.pop()
                found = _stat(pid)
                if found is not None:
                    live[pid] = found[0] + found[1]
                todo += _children(pid)
            self.client_live = live

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def totals(self) -> tuple[float, float, float]:
        """(client CPU, PostgreSQL backends' CPU, of which parallel workers)."""
        with self.lock:
            own = _stat(self.root)
            client = (own[0] + own[1]) if own else 0.0
            client += sum(self.client_live.values())
            workers = sum(c for p, c in self.pg.items() if self.kinds[p] == "parallel worker")
            return client, sum(self.pg.values()), workers


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    sampler = Sampler(args.database, proc.pid, args.interval)
    sampler.start()
    print("wall_s client_cpu_s pg_cpu_s (of which parallel workers) | output", flush=True)
    assert proc.stdout is not None
    last = (0.0, 0.0, 0.0)
    for line in proc.stdout:
        sampler.sample()
        last = sampler.totals()
        wall = time.perf_counter() - started
        print(f"{wall:8.1f} {last[0]:8.1f} {last[1]:8.1f} ({last[2]:.1f}) | {line}", end="")
        sys.stdout.flush()
    code = proc.wait()
    # the client's final CPU: the exited process's rusage as seen by its parent
    sampler.stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"{wall:8.1f} {children.ru_utime + children.ru_stime:8.1f} {last[1]:8.1f} ({last[2]:.1f})"
        f" | exit {code}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
