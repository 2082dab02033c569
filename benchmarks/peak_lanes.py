"""The national peak under several lane configurations, alternated, on one world (issue 13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_peak \\
    PEAK_REDIS_URL=redis://127.0.0.1:6379/5 \\
      .venv/bin/python benchmarks/peak_lanes.py --multiple 10 --seconds 90 --rounds 2 \\
      --config 'two=workers:8 screens:4@10' \\
      --config 'three=workers:8 screens:4@10 public:4@5' [--route-cpu] [--out DIR]

peak_load.py measures one configuration per process, and most of its time goes into building
the network (drop the database, migrate, load the registry, sign the staff in). Here the
network is built once (or taken from `--world`, a saved world and a template database) and
each configuration is started, loaded for --seconds at --multiple × the busiest hour with
peak_load's own `run_once` (the same load generator, warm-up, CPU accounting and top-up), and
stopped; the configurations are alternated (A B A B …) --rounds times, so that what the
machine does meanwhile falls on all of them alike.

A configuration is a name and space-separated lanes, each `lane:workers@priority`:
`workers` (the actions' pool: desks, kiosks, and the citizens without a `public` lane),
`screens` (decision 0031), `public` (decision 0045); `push@priority` and `tasks@priority`
(the push server and the task worker, decision 0044) take a priority only. A priority is a
niceness (`10`, `-5`), `batch` or `batch:N` (SCHED_BATCH at niceness N), `idle`
(SCHED_IDLE) or `group:N` (a session, so a scheduler task group, of its own at niceness N:
what a systemd service with its own cgroup and CPUWeight= gets). Defaults as peak_load.py: actions 0, push 0, tasks 10.
`tree:PATH` runs the configuration's servers (gunicorn, push, task worker) on the code of
another worktree (its directory first on their PYTHONPATH and their working directory): two
versions of the code alternated on one world, e.g. `--config 'A=tree:/work/wt/base'
--config 'B=tree:/work/wt/mine'` (the migrations must be the same). Each run prints which
`servicekontor` its servers import.

Every run's samples go to --out (JSON, one file per run); the end prints, per configuration,
call-next p50 / p99 of each run and of all its runs' calls together.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peak_load  # sets the server's environment on import
from bench_harness import free_port, push_server_command, wait_for_port

LANE = re.compile(r"^(workers|screens|public|push|tasks|postgres)(?::(\d+))?(?:@(\S+))?$")


@dataclass
class Config:
    name: str
    workers: int = 8
    screens: int = 0
    public: int = 0
    priority: dict[str, str] = field(
        default_factory=lambda: {
            "workers": "0",
            "screens": str(peak_load.SCREEN_NICE),
            "public": str(peak_load.PUBLIC_NICE),
            "push": "0",
            "tasks": str(peak_load.TASKS_NICE),
            "postgres": "",  # left as it is
        }
    )
    tree: str = ""  # the code's worktree (default: this one's)

    @property
    def root(self) -> Path:
        return Path(self.tree) if self.tree else peak_load.ROOT


def parse_config(text: str) -> Config:
    """'name=lane:workers@priority …' → Config; ValueError on anything else."""
    name, _, spec = text.partition("=")
    if not name or not spec:
        raise ValueError(f"a configuration is name=lanes: {text!r}")
    config = Config(name.strip())
    for part in spec.split():
        if part.startswith("tree:"):
            config.tree = str(Path(part[len("tree:") :]).resolve())
            if not (Path(config.tree) / "servicekontor").is_dir():
                raise ValueError(f"not a worktree of the project: {part!r}")
            continue
        found = LANE.match(part)
        if not found:
            raise ValueError(f"not a lane (lane:workers@priority): {part!r}")
        lane, workers, priority = found.groups()
        if workers is not None:
            if lane in ("push", "tasks", "postgres"):
                raise ValueError(f"{lane} takes a priority only: {part!r}")
            setattr(config, lane, int(workers))
        if priority is not None:
            if lane == "postgres" and not re.fullmatch(r"group:-?\d+", priority):
                raise ValueError(f"postgres takes group:N only: {part!r}")
            check_priority(priority)
            config.priority[lane] = priority
    return config


def launch(command: list[str], priority: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    """`command` at `priority` (see the module docstring; peak_load.launch)."""
    if found := re.fullmatch(r"group:(-?\d+)", priority):
        return peak_load.launch(command, nice=int(found.group(1)), group=True, **kwargs)
    if re.fullmatch(r"-?\d+", priority):
        return peak_load.launch(command, nice=int(priority), group=False, **kwargs)
    if priority == "idle":
        return peak_load.launch(command, group=False, prefix=("chrt", "--idle", "0"), **kwargs)
    if found := re.fullmatch(r"batch(?::(-?\d+))?", priority):
        nice = int(found.group(1) or 0)
        prefix = ("chrt", "--batch", "0")
        return peak_load.launch(command, nice=nice, group=False, prefix=prefix, **kwargs)
    raise ValueError(f"not a priority (niceness, batch[:N], idle, group:N): {priority!r}")


def check_priority(priority: str) -> None:
    if not re.fullmatch(r"group:-?\d+|-?\d+|idle|batch(:-?\d+)?", priority):
        raise ValueError(f"not a priority (niceness, batch[:N], idle, group:N): {priority!r}")


# a low-weight lane starts slowly on a busy machine
START_SECONDS = 120


def code_env(root: Path) -> dict[str, str]:
    """The environment that makes a server import the code of `root` (first on its path)."""
    return {"PYTHONPATH": os.pathsep.join([str(root), str(Path(__file__).parent)])}


def imported_code(root: Path) -> str:
    """The `servicekontor` package a server started on `root` imports (printed per run)."""
    found = subprocess.run(
        [sys.executable, "-c", "import servicekontor; print(servicekontor.__file__)"],
        cwd=root,
        env=os.environ | code_env(root),
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


def start_gunicorn(
    workers: int, port: int, priority: str, root: Path | None = None
) -> subprocess.Popen[bytes]:
    """peak_load.start_server with a priority prefix instead of a niceness."""
    root = root or peak_load.ROOT
    command = peak_load.server_command(workers=workers, port=port, root=root)
    process = launch(command, priority, env=peak_load.server_env() | code_env(root))
    wait_for_port(process, port, "gunicorn", seconds=START_SECONDS)
    return process


def start_push(port: int, priority: str, root: Path | None = None) -> subprocess.Popen[bytes]:
    root = root or peak_load.ROOT
    process = launch(
        push_server_command(port=port, graceful_seconds=2),
        priority,
        env=os.environ | peak_load.SERVER_ENV | code_env(root),
        cwd=root,
    )
    wait_for_port(process, port, "the push server", seconds=START_SECONDS)
    return process


class TaskWorker(peak_load.TaskWorker):
    def __init__(self, priority: str, root: Path | None = None) -> None:
        super().__init__()
        self.priority = priority
        self.root = root or peak_load.ROOT

    def _spawn(self) -> None:
        self.process = launch(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--verbosity",
                "0",
            ],
            self.priority,
            cwd=self.root,
            env=os.environ | peak_load.SERVER_ENV | code_env(self.root),
        )


def stop(process: subprocess.Popen[bytes], grace: float) -> None:
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def run_config(
    config: Config, world: dict[str, Any], *, multiple: float, seconds: float, route_cpu: bool
) -> peak_load.Run:
    """Starts the configuration's servers, one peak_load run, stops them."""
    port, push_port = free_port(), free_port()
    screens_port = free_port() if config.screens else 0
    public_port = free_port() if config.public else 0
    peak_load.SERVER_ENV["PUSH_URL"] = f"http://127.0.0.1:{push_port}/push/"
    peak_load.SERVER_ENV["PUSH_APP_URL"] = f"http://127.0.0.1:{screens_port or port}"
    os.environ.update(peak_load.SERVER_ENV)
    peak_load.ROUTE_CPU_DIR = tempfile.mkdtemp(prefix="peak-lanes-cpu-") if route_cpu else ""
    world = world | {
        "base_url": f"http://127.0.0.1:{port}",
        "screens_url": f"http://127.0.0.1:{screens_port or port}",
        "public_url": f"http://127.0.0.1:{public_port or port}",
        "push_port": push_port,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(world, f)
        world_file = f.name
    p = config.priority
    started: list[subprocess.Popen[bytes]] = []  # stopped at the end, whatever happens
    root = config.root
    print(f"{config.name}: the servers import {imported_code(root)}", flush=True)
    task_worker = TaskWorker(p["tasks"], root)
    database = int(p["postgres"].split(":")[1]) if p["postgres"] else None
    peak_load.LANE_SERVERS.clear()
    try:
        server = start_gunicorn(config.workers, port, p["workers"], root)
        started.append(server)
        if config.screens:
            started.append(start_gunicorn(config.screens, screens_port, p["screens"], root))
            peak_load.LANE_SERVERS.append(started[-1])
        if config.public:
            started.append(start_gunicorn(config.public, public_port, p["public"], root))
            peak_load.LANE_SERVERS.append(started[-1])
        started.append(start_push(push_port, p["push"], root))
        task_worker.start()
        with peak_load.postgres_nice(database):
            return peak_load.run_once(
                world_file,
                server,
                multiple=multiple,
                seconds=seconds,
                kill=False,
                pusher=started[-1],
                task_worker=task_worker,
            )
    finally:
        if task_worker.thread.is_alive():
            task_worker.stop()
        for process in started:
            stop(process, 30)
        peak_load.LANE_SERVERS.clear()
        os.unlink(world_file)


def template_name() -> str:
    return f"{peak_load.db_name()}_world"


def prepare_world(world_path: str) -> dict[str, Any]:
    """The network: from `world_path` and its template database if both exist (the same
    secret key, so its sessions and stream tokens hold), else built and saved there."""
    import psycopg

    saved = Path(world_path)
    with psycopg.connect(peak_load.admin_dsn(), autocommit=True) as conn:
        has_template = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (template_name(),)
        ).fetchone()
        world = json.loads(saved.read_text()) if saved.exists() else {}
        if has_template and world and not _streamless(world):
            conn.execute(f'DROP DATABASE IF EXISTS "{peak_load.db_name()}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{peak_load.db_name()}" TEMPLATE "{template_name()}"')
            peak_load.SERVER_ENV.update(world["server_env"])
            os.environ.update(peak_load.SERVER_ENV)
            _setup()
            return world
    peak_load.recreate_database()
    peak_load.SERVER_ENV["PUSH_CHANNEL_PREFIX"] = f"peak-{secrets.token_hex(4)}:"
    # push on while the world is built, or the desks' and displays' stream URLs are "" (the
    # run's own push server's port is set per run; the paths do not name it)
    peak_load.SERVER_ENV["PUSH_URL"] = "http://127.0.0.1:9/push/"
    os.environ.update(peak_load.SERVER_ENV)
    _setup()
    world = peak_load.build_world(0)
    world["server_env"] = {
        k: peak_load.SERVER_ENV[k] for k in ("SECRET_KEY", "PUSH_CHANNEL_PREFIX")
    }
    from django.db import connections

    connections.close_all()
    with psycopg.connect(peak_load.admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{template_name()}"')
        conn.execute(f'CREATE DATABASE "{template_name()}" TEMPLATE "{peak_load.db_name()}"')
    saved.write_text(json.dumps(world))
    return world


def _streamless(world: dict[str, Any]) -> bool:
    """A world built with push off (before the fix above): its desks' and displays' streams
    have no path, each of their connections a 404 counted as an error. Built again."""
    return any(
        path in ("", "?")
        for office in world["offices"]
        for path in [*office.get("desk_push_paths", []), office.get("board_push_path", "")]
    )


def _setup() -> None:
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()


def pooled(runs: list[peak_load.Run], action: str = "desk: call next") -> tuple[int, float, float]:
    data = sorted(x for r in runs for x in r.samples(action))
    return len(data), peak_load.percentile(data, 50), peak_load.percentile(data, 99)


def wait_line(run: peak_load.Run) -> str:
    """desk:act's CPU / waiting for a core / blocked, means in ms (--route-cpu)."""
    got = run.route_cpu.get("desk:act")
    if not got:
        return ""
    n, cpu, walls, queue = got
    blocked = (sum(walls) - cpu - queue) / n
    return (
        f"; desk:act in the worker CPU / core wait / blocked {1000 * cpu / n:.1f} / "
        f"{1000 * queue / n:.1f} / {1000 * blocked:.1f} ms"
    )


def detail_line(route_dir: str, route: str = "desk:act") -> str:
    """PEAK_ROUTE_CPU_DETAIL's means for `route` over the run, warm-up included (ms)."""
    rows = [
        line.split("\t")
        for path in Path(route_dir).glob("*.detail")
        for line in path.read_text().splitlines()
    ]
    rows = [r for r in rows if r[1] == route]
    if not rows:
        return ""
    n = len(rows)
    mean = [sum(float(r[i]) for r in rows) / n for i in range(2, 9)]
    return (
        f"; {route} ({n}) mean: {mean[0]:.1f} statements {1000 * mean[1]:.1f} ms, "
        f"{mean[2]:.1f} commits {1000 * mean[3]:.1f} ms, {mean[4]:.1f} Redis commands "
        f"{1000 * mean[5]:.1f} ms, accept → request start {1000 * mean[6]:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--multiple", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--config", action="append", default=[], required=True)
    parser.add_argument("--world", default="/tmp/peak_lanes_world.json")
    parser.add_argument("--route-cpu", action="store_true")
    parser.add_argument("--out", default="/tmp/peak_lanes")
    parser.add_argument(
        "--until",
        default="",
        help="HH:MM:SS UTC: start no run that would end after it (a run takes about "
        "--seconds + 60 s with the warm-up, start and stop)",
    )
    parser.add_argument(
        "--sequence",
        default="",
        help="the configurations' names in the order to run (instead of --rounds), e.g. 'A B B A'",
    )
    args = parser.parse_args()
    if not peak_load.DATABASE_URL.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database this may drop and recreate.")
    configs = [parse_config(c) for c in args.config]
    world = prepare_world(args.world)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[peak_load.Run]] = {c.name: [] for c in configs}
    by_name = {c.name: c for c in configs}
    order = (
        [by_name[name] for name in args.sequence.split()]
        if args.sequence
        else [
            c
            for round_ in range(args.rounds)
            for c in (configs if round_ % 2 == 0 else list(reversed(configs)))
        ]
    )
    for config in order:
        if args.until:
            ends = time.gmtime(time.time() + args.seconds + 60)  # noqa: TID251
            if time.strftime("%H:%M:%S", ends) > args.until:
                print(f"not started: {config.name} (would end after {args.until} UTC)")
                break
        started = time.strftime("%H:%M:%S", time.gmtime())
        run = run_config(
            config,
            world,
            multiple=args.multiple,
            seconds=args.seconds,
            route_cpu=args.route_cpu,
        )
        route_dir = peak_load.ROUTE_CPU_DIR
        runs[config.name].append(run)
        stamp = time.strftime("%H%M%S", time.gmtime())
        (out / f"{config.name}-{stamp}.json").write_text(
            json.dumps(
                {
                    "config": config.name,
                    "started": started,
                    "multiple": args.multiple,
                    "seconds": args.seconds,
                    "samples": run.result["samples"],
                    "failures": run.result["failures"],
                    "loop_lag_ms": run.result.get("loop_lag_ms", []),
                    "django_ms": run.django_ms,
                    "postgres_ms": run.postgres_ms,
                    "push_ms": run.push_ms,
                    "client_ms": run.client_ms,
                    "task_worker_ms": run.task_worker_ms,
                    "load": run.load,
                    "route_cpu": {
                        k: [n, cpu, walls, queue]
                        for k, (n, cpu, walls, queue) in run.route_cpu.items()
                    },
                }
            )
        )
        n = len(run.samples("desk: call next"))
        print(
            f"[{started}–{time.strftime('%H:%M:%S', time.gmtime())} UTC] {config.name}: "
            f"call next n {n} p50 {run.p('desk: call next', 50):.1f} p99 "
            f"{run.p('desk: call next', 99):.1f} ms; "
            + peak_load.summary(run)
            + wait_line(run)
            + (detail_line(route_dir) if route_dir else ""),
            flush=True,
        )
        if run.route_cpu:
            print("\n".join(peak_load.route_cpu_table(run)), flush=True)
    print("\n| configuration | runs: call-next p50 / p99 ms (calls) | all calls: n, p50 / p99 ms |")
    print("|---|---|---|")
    for config in configs:
        each = ", ".join(
            f"{r.p('desk: call next', 50):.1f} / {r.p('desk: call next', 99):.1f} "
            f"({len(r.samples('desk: call next'))})"
            for r in runs[config.name]
        )
        n, p50, p99 = pooled(runs[config.name])
        print(f"| {config.name} | {each} | {n}, {p50:.1f} / {p99:.1f} |")


if __name__ == "__main__":
    main()
