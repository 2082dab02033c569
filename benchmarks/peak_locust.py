"""The national busiest hour as locust users (run by benchmarks/peak_load.py, not alone).

    python benchmarks/peak_locust.py WORLD.json MULTIPLE WARMUP SECONDS OUT.json [MODE]
      [HANDOVER_SHARE]

WORLD.json (written by peak_load.py) lists the operating offices with their desks' session
cookies, walk-in services, bookable services and the pace of the real peak (`rates`, per
second, national). MULTIPLE scales every arrival (kiosk tickets, desk visits, searches,
bookings); the screens (desks polling, lobby displays, managers' live views) are as many as
the network has. Traffic goes to 127.0.0.1 only. Writes per-action latencies (every sample,
ms), statuses and the times of failures to OUT.json.

MODE "poll" (decision 0017, the screens as they were): every desk polls its waiting list and
its own visit every 3 s, displays every 1 s, live views every 5 s, and each desk action is
followed by the desk page (the browser follows the 303). MODE "push" (decision 0026, the
default): every screen holds a server-sent-events stream to the push server and asks for its
fragment (the same conditional request) when a change names its part, and once a minute as
a safety net; desk actions are sent as desk.js sends them (X-Desk-Fragment: the answer is the
changed parts, no second request) and the parts are fetched beside the officer's clicks, one
request in flight (`Desk.poller`), so a slow list never holds up a call, as in a browser.

HANDOVER_SHARE (0 to 1, default 0; peak_load.py --handovers): that share of the desks'
finishes end with an outcome the agency must pick up, through the desk's handover form as an
officer fills it (`HandoverDesk`).

Kept apart from peak_load.py because locust patches the standard library (gevent) on import.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import socket
import sys
import time
from collections import defaultdict
from typing import Any

import gevent
import gevent.event
from locust import User, constant, task
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment
from locust.event import EventHook

# Every connection (gunicorn's sync workers close each after its answer) first resolves its
# host, and gevent's default resolver does that in a thread pool, handing each lookup to a
# thread and back. The hosts here are the address 127.0.0.1, which the blocking resolver
# reads without any lookup: the same connections, none of the hand-overs.
gevent.config.resolver = "block"

WORLD: dict[str, Any] = {}
MULTIPLE = 1.0
MODE = "push"
SAFETY_SECONDS = 60.0  # with push: the screens' slow safety poll (as the pages' scripts do)
PUSH_EVENTS: dict[str, int] = defaultdict(int)  # events received per screen kind
SAMPLES: dict[str, list[float]] = defaultdict(list)
STATUSES: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # whole run
MEASURED: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # after warm-up
FAILURES: list[tuple[float, str, int]] = []  # (time, action, status)
RECORD_FROM = [float("inf")]  # wall time (time.time) after the warm-up: record from then on
STOPPING = gevent.event.Event()  # the end: no new request; those under way finish
LOOP_LAG_MS: list[float] = []  # how late the client's event loop woke a 5 ms sleep (recorded)
LAG_PROBE_SECONDS = 0.005
EXPECTED = {
    # 303: a plain form; 200: desk.js's request answered with the parts (push mode);
    # 409: the desk's queue is empty (not an error)
    "desk: call next": {303, 200, 409},
    "desk: start": {303, 200},
    "desk: finish": {303, 200},
    "desk: desk page after an action": {200},
    "desk: waiting list poll": {200, 304},
    "desk: own visit poll": {200, 304},
    "push: stream opened": {200},
    "live view poll": {200, 304},
    "lobby display poll": {200, 304},
    "kiosk: issue ticket": {303},
    "kiosk: ticket page": {200},
    "citizen: search offices near a place": {200},
    "citizen: free times of an office": {200},
    "citizen: contact form": {200},
    "citizen: book": {302, 409},  # 409: someone took the time meanwhile (not an error)
    "citizen: booking confirmation": {200},
    # HandoverDesk (HANDOVER_SHARE > 0): the finish that opens the form, its submission
    # (303 to the reference slip), the slip, and the desk page the officer goes back to
    "desk: finish → handover form": {200},
    "desk: hand over and finish": {303},
    "desk: handover reference slip": {200},
}
HANDOVER_SHARE = [0.0]  # set in main from argv
CONTACT_LINK = re.compile(r'href="(/book/service/\d+/[\w-]+/\d+/)"')


def record(action: str, started: float, status: int) -> None:
    """Statuses and failures from the first request (the database counts cover the whole
    run, warm-up included); latencies only after the warm-up."""
    STATUSES[action][status] += 1
    if status not in EXPECTED[action]:
        FAILURES.append((time.time(), action, status))  # noqa: TID251 (shared with the driver)
    if time.time() >= RECORD_FROM[0]:  # noqa: TID251
        SAMPLES[action].append(1000 * (time.perf_counter() - started))
        MEASURED[action][status] += 1


class Browser:
    """One keep-alive connection with cookies of our own (no redirects followed)."""

    def __init__(self, environment: Environment, cookie: str = "", base_url: str = "") -> None:
        self.base_url = base_url or WORLD["base_url"]
        self.session = FastHttpSession(
            self.base_url,
            # locust's statistics are not read (`record` keeps every sample): a hook that
            # nobody listens to, not the environment's, whose listener files every request
            # in locust's own tables
            EventHook(),
            None,
            max_redirects=0,
            connection_timeout=30,
            network_timeout=30,
        )
        # The Cookie header is ours (`send`), so the session's cookie jar never sent a cookie:
        # it only parsed every Set-Cookie and matched its cookies to every request. Off.
        self.session.client.cookiejar = None
        self.cookie = cookie

    def send(
        self,
        action: str,
        method: str,
        path: str,
        *,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, dict[str, str]]:
        if STOPPING.is_set():
            raise gevent.GreenletExit
        hdrs = {"Cookie": self.cookie, **(headers or {})}
        body = None
        if data is not None:
            body = "&".join(
                f"{k}={_quote(str(v))}"
                for k, v in {**data, "csrfmiddlewaretoken": WORLD["csrf"]}.items()
            )
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs["Referer"] = self.base_url + path
        started = time.perf_counter()
        try:
            with self.session.request(
                method, path, data=body, headers=hdrs, catch_response=True, allow_redirects=False
            ) as response:
                status = int(response.status_code or 0)
                text = response.text or "" if status == 200 else ""
                got = {k.lower(): v for k, v in (response.headers or {}).items()}
                # A refused desk action redirects (303) like any other; the refusal's status
                # (409: the queue is empty) is in X-Refused.
                status = int(got.get("x-refused", status))
                response.success()
        except Exception:  # connection refused/reset: a failed request, status 0
            status, text, got = 0, "", {}
        record(action, started, status)
        return status, text, got


def _quote(value: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(value)


def jittered(mean: float) -> float:
    return random.uniform(0.5 * mean, 1.5 * mean)


WAITING_ETAG = re.compile(r'id="waiting-panel"[^>]*data-poll-etag="([^"]*)"')
CURRENT_ETAG = re.compile(r'id="current-panel"[^>]*data-poll-etag="([^"]*)"')


class Desk(User):
    """An officer at a desk: the waiting list polled every 3 s (If-None-Match), and visits
    called, started and finished at the pace of the hour (exponential service times)."""

    wait_time = constant(0)
    desks: list[dict[str, Any]] = []

    def on_start(self) -> None:
        me = Desk.desks.pop()
        self.office = me["office"]
        self.browser = Browser(self.environment, me["cookie"])
        # the screens' lane (decision 0031): the list and own-visit fragments; the same
        # address as the actions unless peak_load.py runs a second pool for the screens
        self.screens = Browser(self.environment, me["cookie"], WORLD["screens_url"])
        self.etag = ""
        self.own_etag = ""
        self.last_poll = 0.0
        self.wake = gevent.event.Event()
        self.next_safety = time.monotonic() + random.uniform(0, SAFETY_SECONDS)
        self.forced = False  # the officer's own action changed the list: ask at once
        self.pushed = [False]  # the stream is open (it brings the list: no ask after an action)
        if MODE == "push":
            gevent.spawn(stream, me["push_path"], {"desk"}, self.wake, "desk", self)
            # desk.js fetches the parts beside the officer's clicks, one request in flight:
            # a list that is slow to come never holds up a call (its own greenlet)
            gevent.spawn(self.poller)

    def visit_seconds(self) -> float:
        return random.expovariate(MULTIPLE * WORLD["rates"]["visits"] / WORLD["desk_count"])

    def act(self, action: str, fields: dict[str, object]) -> tuple[int, dict[str, str]]:
        if MODE == "push":  # desk.js: the answer is the changed parts, no second request
            status, text, headers = self.browser.send(
                action,
                "POST",
                f"/desk/{self.office}/act/",
                data=fields,
                headers={"X-Desk-Fragment": "1"},
            )
            # desk.js takes the own visit's version from the answer (the panel it puts in
            # place carries it): the next own-visit poll is a 304 unless another tab acted
            if found := CURRENT_ETAG.search(text):
                self.own_etag = html.unescape(found.group(1))
            # desk.js takes the list's version from the answer: the next poll is a 304
            # unless something else changed since
            if found := WAITING_ETAG.search(text):
                self.etag = html.unescape(found.group(1))
            elif status == 200 and not self.pushed[0]:
                # the own visit only (decision 0035): desk.js asks for the list, unless its
                # stream is open, which brings it (decision 0062)
                self.forced = True
                self.wake.set()
            return (303 if status == 200 else status), headers
        status, _t, headers = self.browser.send(
            action, "POST", f"/desk/{self.office}/act/", data=fields
        )
        if status == 303:
            self.browser.send("desk: desk page after an action", "GET", f"/desk/{self.office}/")
        return status, headers

    def poll(self) -> None:
        self.last_poll = time.monotonic()
        status, _t, headers = self.screens.send(
            "desk: waiting list poll",
            "GET",
            f"/desk/{self.office}/panel/",
            headers={"If-None-Match": self.etag} if self.etag else {},
        )
        if status == 200:
            self.etag = headers.get("etag", "")

    def poll_own(self) -> None:
        status, _t, headers = self.screens.send(
            "desk: own visit poll",
            "GET",
            f"/desk/{self.office}/current/",
            headers={"If-None-Match": self.own_etag} if self.own_etag else {},
        )
        if status == 200:
            self.own_etag = headers.get("etag", "")

    def poller(self) -> None:
        """desk.js with push (decision 0026): the list when a change names the desk's part
        (never more often than the old 3 s poll, unless the officer's own action changed it),
        list and own visit once a minute; one request at a time."""
        while True:
            safety = max(0.0, self.next_safety - time.monotonic())
            if self.wake.wait(timeout=safety):
                if not self.forced:
                    gevent.sleep(max(0.0, self.last_poll + 3.0 - time.monotonic()))
                self.forced = False
                self.wake.clear()
                self.poll()
            elif time.monotonic() >= self.next_safety:
                self.next_safety = time.monotonic() + SAFETY_SECONDS
                self.poll()
                self.poll_own()

    def sleep_polling(self, seconds: float) -> None:
        """Wait `seconds` between the desk's actions; with push the parts are fetched by
        `poller` meanwhile, with polling here every 3 s (the baseline, decision 0017)."""
        end = time.monotonic() + seconds
        if MODE == "push":
            gevent.sleep(seconds)
            return
        while (left := end - time.monotonic()) > 0:
            gevent.sleep(min(left, jittered(3.0)))
            if time.monotonic() < end:
                self.poll()
                self.poll_own()

    @task
    def work(self) -> None:
        """The desk's whole hour (one task that never returns; User.run calls on_start)."""
        self.sleep_polling(random.uniform(0, 3) + self.visit_seconds() * random.random())
        while True:
            status, headers = self.act("desk: call next", {"action": "call_next"})
            if status != 303:
                self.sleep_polling(jittered(10.0))
                continue
            visit = headers.get("x-visit-id", "")
            total = self.visit_seconds()
            self.sleep_polling(min(total * 0.1, 20.0))  # the citizen walks to the desk
            self.act("desk: start", {"action": "start", "visit": visit})
            self.sleep_polling(total * 0.9)
            self.act("desk: finish", {"action": "finish", "visit": visit, "outcome": "resolved"})


class HandoverDesk(Desk):
    """A desk whose finishes end with a handover to the agency in HANDOVER_SHARE of the
    cases: the finish opens the handover form (with push desk.js's request is answered
    X-Desk-Form and the browser posts the same form again to show the page), the officer
    submits it (303 to the reference slip), the slip is shown and the officer goes back to
    the desk page. Every other action as Desk."""

    def act(self, action: str, fields: dict[str, object]) -> tuple[int, dict[str, str]]:
        if action != "desk: finish" or random.random() >= HANDOVER_SHARE[0]:
            return super().act(action, fields)
        # here, not at the top: it imports the standard library before locust patches it
        from handover_load import HANDOVER_OUTCOMES, handover_fields

        path = f"/desk/{self.office}/act/"
        outcome = random.choice(HANDOVER_OUTCOMES)
        first = {**fields, "outcome": outcome}
        if MODE == "push":
            status, _t, headers = self.browser.send(
                "desk: finish → handover form",
                "POST",
                path,
                data=first,
                headers={"X-Desk-Fragment": "1"},
            )
            if status != 200 or headers.get("x-desk-form") != "1":
                return status, headers
        status, text, headers = self.browser.send(
            "desk: finish → handover form", "POST", path, data=first
        )
        data = (
            handover_fields(text, visit=str(fields.get("visit", "")), outcome=outcome)
            if status == 200
            else None
        )
        if data is None:
            return status, headers
        status, _t, headers = self.browser.send(
            "desk: hand over and finish", "POST", path, data=data
        )
        if status == 303 and headers.get("location"):
            self.browser.send("desk: handover reference slip", "GET", headers["location"])
            self.browser.send("desk: desk page after an action", "GET", f"/desk/{self.office}/")
        return status, headers


class Screen(User):
    """A lobby display (every 1 s) or a manager's live view (every 5 s), If-None-Match; with
    push, when its stream names its part ("board", "live") and once a minute."""

    wait_time = constant(0)
    # action, path, interval, cookie, stream path, part
    screens: list[tuple[str, str, float, str, str, str]] = []

    def on_start(self) -> None:
        self.action, self.path, self.interval, cookie, push_path, part = Screen.screens.pop()
        self.browser = Browser(self.environment, cookie, WORLD["screens_url"])
        self.etag = ""
        self.wake = gevent.event.Event()
        self.pushed = [False]
        if MODE == "push":
            gevent.spawn(stream, push_path, {part}, self.wake, part, self)

    def ask(self) -> None:
        status, _t, headers = self.browser.send(
            self.action,
            "GET",
            self.path,
            headers={"If-None-Match": self.etag} if self.etag else {},
        )
        if status == 200:
            self.etag = headers.get("etag", "")

    @task
    def work(self) -> None:
        gevent.sleep(random.uniform(0, self.interval))
        if MODE == "push":
            # as the pages' scripts: ask when told, never more often than the old poll
            # interval (changes within it make one request), and once a minute regardless
            self.ask()
            while True:
                asked = time.monotonic()
                if self.wake.wait(timeout=jittered(SAFETY_SECONDS)):
                    gevent.sleep(max(0.0, asked + self.interval - time.monotonic()))
                    self.wake.clear()
                self.ask()
        while True:
            self.ask()
            gevent.sleep(self.interval)


def stream(
    path: str, wanted: set[str], wake: gevent.event.Event, kind: str, owner: Any = None
) -> None:
    """One server-sent-events stream (a plain socket; locust has no SSE client): sets `wake`
    when a change notice names a part in `wanted`; a fragment's own event (decision 0062:
    "board", "desk" with {etag, html}) is taken as the screens' scripts take it: the owner's
    tag becomes its version, no request. `owner.pushed[0]`: the stream is open. Reconnects
    after a second if the stream ends."""
    while not STOPPING.is_set():
        started = time.perf_counter()
        try:
            sock = socket.create_connection(("127.0.0.1", WORLD["push_port"]), timeout=120)
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            buffer = b""
            status = 0
            event = "change"
            while not STOPPING.is_set():
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                if not status and b"\r\n" in buffer:
                    status = int(buffer.split(b" ", 2)[1])
                    record("push: stream opened", started, status)
                    if status != 200:
                        break
                    if owner is not None:
                        owner.pushed[0] = True
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.startswith(b"event: "):
                        event = line[7:].strip().decode()
                    elif not line.strip():
                        event = "change"  # an event ends with a blank line
                    elif line.startswith(b"data: ") and event in ("board", "desk"):
                        PUSH_EVENTS[f"{kind} html"] += 1
                        try:
                            etag = json.loads(line[6:])["etag"]
                        except (ValueError, KeyError):
                            continue
                        if owner is not None:
                            owner.etag = etag
                    elif line.startswith(b"data: "):
                        parts = set(line[6:].strip().decode().split())
                        PUSH_EVENTS[kind] += 1
                        if parts & wanted:
                            wake.set()
            sock.close()
        except OSError:
            record("push: stream opened", started, 0)
        if owner is not None:
            owner.pushed[0] = False
        wake.set()  # whatever was missed meanwhile: ask once
        gevent.sleep(1.0)


def kiosk(environment: Environment, office: dict[str, Any]) -> None:
    """An office's kiosk: Poisson arrivals at the office's share of the national rate."""
    browser = Browser(environment, WORLD["anonymous_cookie"])
    rate = MULTIPLE * WORLD["rates"]["visits"] * office["desks"] / WORLD["desk_count"]
    while True:
        gevent.sleep(random.expovariate(rate))
        agency, service = random.choice(office["walk_in"])
        status, _t, headers = browser.send(
            "kiosk: issue ticket",
            "POST",
            f"/queue/{office['code']}/{agency}/",
            data={"service": service},
        )
        if status == 303 and headers.get("location"):
            browser.send("kiosk: ticket page", "GET", headers["location"])


def loop_lag() -> None:
    """The load generator's own delay: every sample of a request includes the time this one
    process took to get round to its answer, so how late a 5 ms sleep wakes is recorded
    (one gevent hub serves every simulated user, stream and timer)."""
    while not STOPPING.is_set():
        started = time.perf_counter()
        gevent.sleep(LAG_PROBE_SECONDS)
        if time.time() >= RECORD_FROM[0]:  # noqa: TID251
            LOOP_LAG_MS.append(1000 * (time.perf_counter() - started - LAG_PROBE_SECONDS))


def citizens(environment: Environment) -> None:
    """Searches at the national rate, one in `searches_per_booking` going on to book."""
    rate = MULTIPLE * WORLD["rates"]["searches"]
    while True:
        gevent.sleep(random.expovariate(rate))
        gevent.spawn(citizen, environment)


def citizen(environment: Environment) -> None:
    # the citizens' lane (decision 0045): the same address as the actions unless
    # peak_load.py runs a pool of their own
    browser = Browser(environment, WORLD["anonymous_cookie"], WORLD.get("public_url", ""))
    service, office, near = random.choice(WORLD["bookable"])
    browser.send(
        "citizen: search offices near a place",
        "GET",
        f"/book/service/{service}/?{near}",
    )
    status, text, _h = browser.send(
        "citizen: free times of an office", "GET", f"/book/service/{service}/{office}/"
    )
    if status != 200 or random.random() > 1 / WORLD["searches_per_booking"]:
        return
    links = CONTACT_LINK.findall(text)
    if not links:
        return
    path = random.choice(links)
    browser.send("citizen: contact form", "GET", path)
    status, _t, headers = browser.send(
        "citizen: book",
        "POST",
        path,
        data={
            "name": "Peak Load",
            "email": "peak@example.org",
            "personal_identity_number": "19121212-1212",
        },
    )
    if status == 302 and headers.get("location"):
        browser.send("citizen: booking confirmation", "GET", headers["location"])


def main() -> None:
    global MULTIPLE, MODE
    world_path, multiple, warmup, seconds, out = sys.argv[1:6]
    MODE = sys.argv[6] if len(sys.argv) > 6 else "push"
    HANDOVER_SHARE[0] = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0
    with open(world_path) as f:
        WORLD.update(json.load(f))
    MULTIPLE = float(multiple)
    # the desks' and displays' own streams carry their fragments (decision 0062)
    Desk.desks = [
        {"office": o["code"], "cookie": cookie, "push_path": path}
        for o in WORLD["offices"]
        for cookie, path in zip(
            o["cookies"],
            o.get("desk_push_paths") or [o["push_path"]] * len(o["cookies"]),
            strict=True,
        )
    ]
    Screen.screens = []
    for o in WORLD["offices"]:
        for _ in range(o["displays"]):
            Screen.screens.append(
                (
                    "lobby display poll",
                    f"/display/{o['code']}/board/",
                    1.0,
                    "",
                    o.get("board_push_path") or o["push_path"],
                    "board",
                )
            )
        Screen.screens.append(
            (
                "live view poll",
                f"/desk/{o['code']}/live/panel/",
                5.0,
                o["manager_cookie"],
                o["push_path"],
                "live",
            )
        )
    desk_class = HandoverDesk if HANDOVER_SHARE[0] > 0 else Desk
    environment = Environment(user_classes=[desk_class, Screen])
    runner = environment.create_local_runner()
    counts = {desk_class.__name__: len(Desk.desks), "Screen": len(Screen.screens)}
    runner.spawn_users(counts, wait=False)
    side = [gevent.spawn(kiosk, environment, o) for o in WORLD["offices"]]
    side.append(gevent.spawn(citizens, environment))
    side.append(gevent.spawn(loop_lag))
    # Every screen's first answer is a full render (it holds no tag yet); a network's screens
    # are open all day, so the warm-up lets them take their tags before recording starts.
    gevent.sleep(float(warmup))
    started = time.time()  # noqa: TID251
    RECORD_FROM[0] = started
    gevent.sleep(float(seconds))
    STOPPING.set()  # no new requests; let those under way finish (their outcome is counted)
    gevent.joinall([*runner.user_greenlets, *side], timeout=30)
    runner.quit()
    gevent.killall(side, block=False)
    with open(out, "w") as f:
        json.dump(
            {
                "started": started,
                "seconds": float(seconds),
                "samples": SAMPLES,
                "statuses": {a: dict(s) for a, s in STATUSES.items()},
                "measured": {a: dict(s) for a, s in MEASURED.items()},
                "failures": FAILURES,
                "push_events": dict(PUSH_EVENTS),
                "loop_lag_ms": LOOP_LAG_MS,
                "mode": MODE,
            },
            f,
        )


if __name__ == "__main__":
    # PEAK_LOCUST_PROFILE=<file>: the client's own CPU by function (cProfile, CPU clock,
    # every greenlet), to see what the load generator spends per request
    if profile_to := os.environ.get("PEAK_LOCUST_PROFILE", ""):
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(main)
        profiler.dump_stats(profile_to)
    else:
        main()
