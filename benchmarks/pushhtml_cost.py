"""Django CPU the screens cost per change: each screen asking (0026/0027) against the push
server asking once per office and part (decision 0062), in-process, alternated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_pushhtml \\
        PEAK_REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python benchmarks/pushhtml_cost.py

Drops and recreates the database, builds one office with DESKS desks (one officer each, the
peak-load network has 227 desks in 63 offices: 3.6 an office) and DISPLAYS lobby displays,
and walks visits through issue → call → start → finish. After each action, outside the
timing, the screens that action concerns fetch what they would, through Django's test client
(no HTTP, no gunicorn), and this process's CPU time is summed per mode:

- "asks" (decisions 0026/0027, main): on a change of the queue ("desk") every desk asks for
  its list with the tag it holds; on a change of the board every display asks for the board;
  after the officer's own action (call, finish) that desk asks for its list at once
  (desk.js's "sk:desk-acted"). The first asker of a version renders, the others read the
  shared entry (the production cache, Redis, when PEAK_REDIS_URL is set).
- "pushed" (0062): the push server's requests: one `/push-fragments/desk/<office>/` for all
  the office's desks when the message names "desk" or "own", one `/push-fragments/board/…`
  when it names "board" (`push.parts_for`); no screen asks.

The modes alternate visit by visit (ABAB) in one process, each on its own new versions (a
change makes new keys, so each mode pays its own first render). Every change is assumed to
reach every screen: the screens' minimum gaps (a desk asks at most every 3 s, a display every
1 s; the push server 0.5 s per office and part) coalesce some asks at high change rates, which
favours "asks" a little at 10× (an office changes about every 1.8 s there).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from servicekontor.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DEMO", "1")
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("REDIS_URL", os.environ.get("PEAK_REDIS_URL", "redis://127.0.0.1:6379/13"))

import django  # noqa: E402

VISITS = int(os.environ.get("PUSHHTML_VISITS", "200"))  # per mode
DESKS = int(os.environ.get("PUSHHTML_DESKS", "4"))
DISPLAYS = int(os.environ.get("PUSHHTML_DISPLAYS", "2"))
WAITING = 8  # visits kept waiting, so each list has rows
PEAK_VISITS = 0.89  # per second at 1× the national peak (peak_budget.py)


def main() -> None:
    from peak_load import recreate_database

    recreate_database()
    django.setup()
    from django.core.cache import cache

    cache.clear()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from servicekontor.queueing import push, services
    from tests.factories import (
        make_agency,
        make_offering,
        make_office,
        make_service,
        make_user,
        open_around_the_clock,
    )

    office = make_office(code="pushhtml", counters=DESKS)
    open_around_the_clock(office)
    agency = make_agency(code="pushhtml-s", name_sv="Skatteverket")
    service = make_service(agency=agency, handling_minutes=12)
    make_offering(office=office, service=service)
    officers = []
    for point in office.service_points.order_by("number")[:DESKS]:
        officer = make_user(offices=[office], agencies=[agency])
        services.sign_in_at_desk(officer=officer, service_point=point)
        officers.append(officer)
    for _ in range(WAITING):
        services.issue_ticket(office=office, service=service)

    desks = []
    for officer in officers:
        client = Client()
        client.force_login(officer)
        desks.append(client)
    displays = [Client() for _ in range(DISPLAYS)]
    panel = f"/desk/{office.code}/panel/"
    board = f"/display/{office.code}/board/"
    tags: dict[int, str] = {}
    server = Client()
    ids = ",".join(str(o.pk) for o in officers)
    push_desk = f"/push-fragments/desk/{office.pk}/?lang=sv&officers={ids}"
    push_board = f"/push-fragments/board/{office.pk}/?lang=sv"

    def ask(client: Client, url: str) -> int:
        key = id(client)
        headers = {"if-none-match": tags[key]} if key in tags else {}
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 304), (url, response.status_code)
        tags[key] = response["ETag"]
        return 1

    for client in desks:  # the tags the screens hold
        ask(client, panel)
    for client in displays:
        ask(client, board)

    def screens(mode: str, parts: frozenset[str], actor: int) -> tuple[float, int]:
        """CPU seconds and requests for the screens after a change naming `parts`."""
        requests = 0
        cpu = time.process_time()
        if mode == "asks":
            if "desk" in parts:
                for client in desks:
                    requests += ask(client, panel)
            elif "own" in parts:
                requests += ask(desks[actor], panel)
            if "board" in parts:
                for client in displays:
                    requests += ask(client, board)
        else:
            key = {push.FETCH_HEADER: push.fetch_key()}
            if parts & {"desk", "own"}:
                assert server.get(push_desk, headers=key).status_code == 200
                requests += 1
            if "board" in parts:
                assert server.get(push_board, headers=key).status_code == 200
                requests += 1
        return time.process_time() - cpu, requests

    spent: dict[str, list[float]] = {"asks": [], "pushed": []}
    asked: dict[str, int] = {"asks": 0, "pushed": 0}
    by_action: dict[tuple[str, str], list[float]] = {}
    for i in range(2 * VISITS + 10):
        mode = ("asks", "pushed")[i % 2]
        actor = i % DESKS
        officer = officers[actor]
        visit_cpu = 0.0
        steps: list[tuple[str, Callable[[], object]]] = [
            ("issue", lambda: services.issue_ticket(office=office, service=service)),
            ("call", partial(services.call_next, officer=officer)),
            ("start", partial(start, officer)),
            ("finish", partial(finish, officer)),
        ]
        for action, do in steps:
            do()
            cpu, requests = screens(mode, push.parts_for(action), actor)
            if i >= 10:  # warm-up visits not counted
                visit_cpu += cpu
                asked[mode] += requests
                by_action.setdefault((mode, action), []).append(cpu)
        if i >= 10:
            spent[mode].append(visit_cpu)

    print(f"{DESKS} desks, {DISPLAYS} displays, {VISITS} visits per mode, alternated")
    print("| screens' Django CPU per visit | asks (0026/0027) | pushed (0062) |")
    print("|---|---:|---:|")
    for action in ("issue", "call", "start", "finish"):
        a = statistics.mean(by_action[("asks", action)]) * 1000
        p = statistics.mean(by_action[("pushed", action)]) * 1000
        print(f"| after {action} | {a:.2f} ms | {p:.2f} ms |")
    a, p = statistics.mean(spent["asks"]) * 1000, statistics.mean(spent["pushed"]) * 1000
    print(f"| a visit (4 changes) | {a:.2f} ms | {p:.2f} ms |")
    print(f"| requests per visit | {asked['asks'] / VISITS:.2f} | {asked['pushed'] / VISITS:.2f} |")
    for m in (1, 10):
        v = PEAK_VISITS * m
        print(
            f"| at {m}× the peak ({v:.2f} visits/s): s of Django CPU per s | {a * v / 1000:.3f}"
            f" | {p * v / 1000:.3f} |"
        )
    print(f"load average: {os.getloadavg()}")


def start(officer: User) -> object:
    from servicekontor.queueing import services

    return services.start_service(officer=officer, visit_id=current(officer))


def finish(officer: User) -> object:
    from servicekontor.queueing import services

    return services.finish_visit(officer=officer, visit_id=current(officer), outcome="resolved")


def current(officer: User) -> int:
    """The officer's own visit (called or being served)."""
    from servicekontor.queueing.models import Visit, VisitState

    return Visit.objects.filter(
        officer=officer, state__in=[VisitState.CALLED, VisitState.SERVING]
    ).values_list("pk", flat=True)[0]


if __name__ == "__main__":
    main()
