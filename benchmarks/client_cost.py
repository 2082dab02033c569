"""The load generator's own CPU per request (benchmarks/peak_locust.py's `Browser`), alone.

    .venv/bin/python benchmarks/client_cost.py

At 10× the national peak the locust client shares the two cores with the server (about 1.6 ms
of client CPU per request, docs/benchmarks.md): what it spends is taken from the server. This
measures that cost apart from any Django: a stand-in server (gunicorn, 2 sync workers, the
WSGI app below: answers shaped like the app's — a 6 KB HTML page with the headers Django
sends, a CSRF cookie set on each answer, a 303 for a POST, a 304 for a request with
If-None-Match; each connection closed after its answer, as gunicorn's sync workers do) and a
client process that imports peak_locust.py (locust's gevent patches, its `Browser`) and sends
CLIENT_COST_N requests (default 3000) from CLIENT_COST_USERS greenlets (default 20): two GETs,
a conditional GET and a form POST in turn, each through `Browser.send` as the simulated users
send them. Reported: the client process's CPU (all its threads) per request, median and least
of CLIENT_COST_ROUNDS rounds (default 5; on a machine shared with other work the least is the
steadier figure: interference only adds).

CLIENT_COST_APP=<tree> takes peak_locust.py from another checkout (e.g. a `git archive` of
main) under this same harness, for a before/after in one session.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
APP = Path(os.environ.get("CLIENT_COST_APP") or HERE.parent).resolve()
N = int(os.environ.get("CLIENT_COST_N", "3000"))
USERS = int(os.environ.get("CLIENT_COST_USERS", "20"))
ROUNDS = int(os.environ.get("CLIENT_COST_ROUNDS", "5"))

PAGE = (
    b'<!doctype html>\n<html lang="sv"><head><meta charset="utf-8"><title>x</title></head>'
    b"<body><main>"
    + b'<p class="row">Ticket A-123 \xe2\x86\x92 desk 4</p>\n' * 140
    + b"</main></body></html>\n"
)


def app(environ: dict[str, object], start_response: object) -> list[bytes]:
    """The stand-in server: the status and headers the app's answers carry."""
    common = [
        ("Vary", "Cookie, Accept-Language"),
        ("Content-Language", "sv"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        (
            "Set-Cookie",
            "csrftoken=abcdefghijklmnopqrstuvwxyz012345; expires=Wed, 01 Dec 2027 00:00:00 GMT;"
            " Max-Age=31449600; Path=/; SameSite=Lax",
        ),
    ]
    if environ["REQUEST_METHOD"] == "POST":
        start_response("303 See Other", [*common, ("Location", "/next/"), ("Content-Length", "0")])  # type: ignore[operator]
        return [b""]
    if environ.get("HTTP_IF_NONE_MATCH"):
        start_response("304 Not Modified", [*common, ("ETag", '"v1-sv"')])  # type: ignore[operator]
        return [b""]
    start_response(  # type: ignore[operator]
        "200 OK",
        [
            *common,
            ("Content-Type", "text/html; charset=utf-8"),
            ("ETag", '"v1-sv"'),
            ("Cache-Control", "no-cache"),
            ("Content-Length", str(len(PAGE))),
        ],
    )
    return [PAGE]


def client(port: int) -> None:
    """The client process: peak_locust's Browser from APP, N requests, CPU per request."""
    sys.path.insert(0, str(APP / "benchmarks"))
    import gevent
    import peak_locust
    from locust.env import Environment

    peak_locust.WORLD.update({"base_url": f"http://127.0.0.1:{port}", "csrf": "x" * 32})
    environment = Environment(user_classes=[])
    per_user = N // USERS
    cookie = "sessionid=abcdefghijklmnopqrstuvwxyz012345; csrftoken=" + "x" * 32

    def user() -> None:
        browser = peak_locust.Browser(environment, cookie)
        for i in range(per_user):
            kind = i % 4
            if kind == 3:
                status, _t, _h = browser.send("citizen: book", "POST", "/book/", data={"a": "b c"})
            elif kind == 2:
                status, _t, _h = browser.send(
                    "lobby display poll", "GET", "/board/", headers={"If-None-Match": '"v1-sv"'}
                )
            else:
                status, _t, _h = browser.send("kiosk: ticket page", "GET", f"/page/{i}/")
            assert status in (200, 303, 304), status

    for _ in range(2):  # warm
        gevent.joinall([gevent.spawn(user) for _ in range(2)])
    started = time.process_time()
    gevent.joinall([gevent.spawn(user) for _ in range(USERS)])
    spent = time.process_time() - started
    print(f"{1000 * spent / (per_user * USERS):.4f}")


def main() -> None:
    sys.path.insert(0, str(HERE))
    from bench_harness import free_port, machine_summary

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "client_cost:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            "--chdir",
            str(HERE),
        ]
    )
    try:
        time.sleep(2)
        print(f"peak_locust.py from {APP}")
        print(machine_summary())
        results = []
        for _ in range(ROUNDS):
            out = subprocess.run(
                [sys.executable, __file__, "--client", str(port)],
                check=True,
                capture_output=True,
                text=True,
                env=os.environ | {"CLIENT_COST_APP": str(APP)},
            )
            results.append(float(out.stdout.strip().splitlines()[-1]))
        print(
            f"client CPU per request, ms: median {statistics.median(results):.3f},"
            f" least {min(results):.3f}"
            f" (rounds: {', '.join(f'{r:.3f}' for r in results)}; {N} requests each,"
            f" {USERS} users; load average {os.getloadavg()[0]:.1f})"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        client(int(sys.argv[2]))
    else:
        main()
