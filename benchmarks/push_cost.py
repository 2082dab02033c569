"""What server push costs, per change and per idle screen (decision 0026).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_push .venv/bin/python benchmarks/push_cost.py

Three measurements, on this machine, each against its baseline in the same run:

1. The publisher's price per change (in the app worker, after commit): a Redis PUBLISH
   (what `queueing.push.publish` does) against PostgreSQL's `pg_notify` inside the change's
   transaction (the LISTEN/NOTIFY option) against nothing (an empty committed transaction),
   wall time per change, N each.
2. Fan-out: the push server (uvicorn, `config/push_asgi.py`) with S open streams spread over
   offices; a message published for one office: the delay until each of that office's
   streams has the event, p50/p99, and the push server's CPU per message and per idle stream
   and second (heartbeats only).
3. The idle price of a screen: a stream held open costs no request; a polling screen costs
   one conditional request per interval (figures from benchmarks/poll_cost.py).

Figures go to stdout (copied into docs/benchmarks.md by hand with the load average).
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
REDIS_URL = os.environ.get("PEAK_REDIS_URL", "redis://127.0.0.1:6379/13")
PREFIX = f"pushcost-{secrets.token_hex(4)}:"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "DEMO": "1",
        "PUSH_REDIS_URL": REDIS_URL,
        "PUSH_CHANNEL_PREFIX": PREFIX,
        "PUSH_URL": "http://127.0.0.1/push/",
    }
)

import psycopg  # noqa: E402
import redis  # noqa: E402
from bench_harness import cpu_seconds, cpu_used, free_port, push_server_command  # noqa: E402

N = int(os.environ.get("PUSH_COST_N", "2000"))
STREAMS = int(os.environ.get("PUSH_COST_STREAMS", "420"))  # ≈ the national peak's screens
OFFICES = 63


def pct(data: list[float], q: float) -> float:
    data = sorted(data)
    return data[min(len(data) - 1, max(0, round(q / 100 * len(data)) - 1))]


def publisher_price() -> list[str]:
    client = redis.Redis.from_url(REDIS_URL)
    dsn = os.environ["DATABASE_URL"]
    out = []
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TEMP TABLE t (x int)")
        conn.commit()
        runs: dict[str, list[float]] = {"empty": [], "notify": [], "redis": []}
        for i in range(N):
            for kind in ("empty", "notify", "redis"):
                t0 = time.perf_counter()
                conn.execute("INSERT INTO t VALUES (%s)", (i,))
                if kind == "notify":
                    conn.execute(
                        "SELECT pg_notify(%s, %s)", (PREFIX + "office.1", "board desk live")
                    )
                conn.commit()
                if kind == "redis":
                    client.publish(PREFIX + "office.1", "board desk live")
                runs[kind].append(1000 * (time.perf_counter() - t0))
    base = statistics.median(runs["empty"])
    out.append("| change + announcement | p50 ms | p99 ms | p50 − bare commit ms |")
    out.append("|---|---:|---:|---:|")
    for kind, label in (
        ("empty", "a committed insert, nothing announced (baseline)"),
        ("notify", "the same with pg_notify in the transaction"),
        ("redis", "the same, then Redis PUBLISH after commit"),
    ):
        p50 = statistics.median(runs[kind])
        out.append(f"| {label} | {p50:.3f} | {pct(runs[kind], 99):.3f} | {p50 - base:+.3f} |")
    return out


def fan_out() -> list[str]:
    from django.conf import settings

    from servicekontor.queueing import push

    port = free_port()
    server = subprocess.Popen(
        push_server_command(port=port, graceful_seconds=1), cwd=ROOT, env=os.environ.copy()
    )
    assert settings.PUSH_CHANNEL_PREFIX == PREFIX
    try:
        deadline = time.time() + 30  # noqa: TID251
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:  # noqa: TID251
                    raise
                time.sleep(0.2)
        received: dict[int, list[float]] = {}  # office → receipt times
        sent: dict[int, list[float]] = {}  # office → publish times
        counting = threading.Event()
        lock = threading.Lock()
        socks = []
        for i in range(STREAMS):
            office = 1 + i % OFFICES
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(
                f"GET /push/office/{office}/?t={push.stream_token(office)} HTTP/1.1\r\n"
                "Host: x\r\n\r\n".encode()
            )
            socks.append((office, s))
        time.sleep(2)

        def reader(office: int, s: socket.socket) -> None:
            buf = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if line.startswith(b"data: ") and counting.is_set():
                        with lock:
                            received.setdefault(office, []).append(time.time())  # noqa: TID251

        for office, s in socks:
            threading.Thread(target=reader, args=(office, s), daemon=True).start()
        time.sleep(1)
        idle_before = cpu_seconds([server.pid])
        time.sleep(10)
        idle_cpu = cpu_used(idle_before, cpu_seconds([server.pid]))
        client = redis.Redis.from_url(REDIS_URL)
        messages = 300
        counting.set()
        before = cpu_seconds([server.pid])
        for m in range(messages):
            office = 1 + m % OFFICES
            sent.setdefault(office, []).append(time.time())  # noqa: TID251
            client.publish(f"{PREFIX}office.{office}", "board")
            time.sleep(0.01)  # an office gets a message every 0.63 s: no coalescing
        time.sleep(2)
        busy_cpu = cpu_used(before, cpu_seconds([server.pid]))
        delays = []
        for office, times in received.items():
            for t in times:  # the latest publish to this office before the receipt
                earlier = [p for p in sent.get(office, []) if p <= t]
                if earlier:
                    delays.append(1000 * (t - max(earlier)))
        per_office = STREAMS / OFFICES
        return [
            f"{STREAMS} streams over {OFFICES} offices ({per_office:.1f} per office); "
            f"{messages} messages, {len(delays)} deliveries "
            f"(expected ≈ {messages * per_office:.0f}): publish → event at the client p50 "
            f"{statistics.median(delays):.1f} ms, p99 {pct(delays, 99):.1f} ms; push server "
            f"CPU {1000 * busy_cpu / messages:.2f} ms per message ({1000 * busy_cpu / max(1, len(delays)):.3f} ms "
            f"per delivery); idle: {1000 * idle_cpu / 10:.1f} ms of CPU per second for all "
            f"{STREAMS} open streams (heartbeats every 25 s)."
        ]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    import django

    django.setup()
    load = os.getloadavg()
    lines = [f"Load average at the start: {load[0]:.1f}", "", *publisher_price(), "", *fan_out()]
    lines.append(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
