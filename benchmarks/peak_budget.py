"""The national peak's CPU budget for the screens and desks: polling, push, push with shared
fragments (arithmetic).

    .venv/bin/python benchmarks/peak_budget.py

Django CPU per request from `benchmarks/poll_cost.py` (the run of 30 Nov 2026 16:36–16:43 UTC,
load average 20–24: inflated by the machine's load, compare the columns, not absolute values)
and the network of the peak-load run (63 offices, 227 desks, 2 displays and 1 live view per
office). Per second at m × the peak (0.89 visits/s × m, 4 events a visit: issue, call, start,
finish), each screen part changes at the rate its events arrive:

- desk list: issue and call of any desk at the office (2 events a visit) and the desk's own
  events (3 a visit, spread over the desks); own visit: the desk's own events; board: issue,
  call, start (3; decision 0017 + i12a: a called visit leaving moves it); live: every event.
- Polling (0017): each screen asks every interval (3 s, 3 s, 1 s, 5 s); an ask is a render
  when its part changed since the last ask (probability 1 − e^(−rate·interval)), else a 304.
- Push (0026): a screen asks when told and at most once an interval, so it renders at the
  same rate; the idle asks are replaced by one safety poll a minute; desk actions are
  answered with the parts (the own-visit panel needs no poll).
- Push with shared fragments (0027): the same asks, but per change of an office one board is
  rendered for its displays and one list per variant (desks with and without a visit of their
  own: 2 an office, all desks serving the same services as in the peak-load world); the other
  screens read the shared entry. A desk's own events reach its list in the action's answer
  (desk.js takes the version from it), so only the office's issues and calls move a list.

Not included: searches and bookings (1.07 searches/s × m, ~21 ms each), the ticket page,
PostgreSQL, Redis, the push server (0.9 ms a message, `push_cost.py`), the load generator.
"""

from __future__ import annotations

import math

OFFICES, DESKS, DISPLAYS, LIVE = 63, 227, 126, 63
VISITS = 0.89  # per second at 1×
SAFETY = 60.0
LIST_VARIANTS = 2  # per office: desks with and without a visit of their own (0027)
# Django CPU ms (poll_cost.py, 30 Nov 2026 16:36 UTC): 304 / render; shared entry read
LIST = (4.11, 28.97)
LIST_SHARED = 8.12
OWN = (3.81, 21.96)
BOARD = (3.13, 10.71)
BOARD_SHARED = 4.12
LIVE_VIEW = (7.18, 21.80)
# a visit's actions: ticket + call/start/finish each followed by the desk page (polling), or
# answered with the parts (push)
ACTIONS_POLL = 26.37 + (14.86 + 46.80) + (9.98 + 46.80) + (21.44 + 46.80)
ACTIONS_PUSH = 26.37 + 45.58 + 31.98 + 55.56


def polled(n: int, interval: float, rate: float, cost: tuple[float, float]) -> float:
    """ms of CPU per second for `n` screens asking every `interval` s, their part changing at
    `rate` per second each."""
    asks = n / interval
    changed = 1 - math.exp(-rate * interval)
    return asks * (changed * cost[1] + (1 - changed) * cost[0])


def pushed(n: int, interval: float, rate: float, cost: tuple[float, float]) -> float:
    renders = n * min(rate, 1 / interval)
    return renders * cost[1] + n / SAFETY * cost[0]


def shared(
    n: int, groups: int, interval: float, rate: float, cost: tuple[float, float], hit: float
) -> float:
    """Like `pushed`, but per change only `groups` screens render (one per shared entry) and
    the other n − groups read the entry (`hit` ms)."""
    asks = min(rate, 1 / interval)
    return groups * asks * cost[1] + (n - groups) * asks * hit + n / SAFETY * cost[0]


def budget(m: float) -> tuple[float, float, float]:
    v = VISITS * m
    per_office = v / OFFICES
    own = 3 * v / DESKS
    rates = {
        "list": 2 * per_office + own,
        "own": own,
        "board": 3 * per_office,
        "live": 4 * per_office,
    }
    poll = (
        polled(DESKS, 3, rates["list"], LIST)
        + polled(DESKS, 3, rates["own"], OWN)
        + polled(DISPLAYS, 1, rates["board"], BOARD)
        + polled(LIVE, 5, rates["live"], LIVE_VIEW)
        + v * ACTIONS_POLL
    )
    push = (
        pushed(DESKS, 3, rates["list"], LIST)
        + DESKS / SAFETY * OWN[0]
        + pushed(DISPLAYS, 1, rates["board"], BOARD)
        + pushed(LIVE, 5, rates["live"], LIVE_VIEW)
        + v * ACTIONS_PUSH
    )
    office_list = 2 * per_office  # issues and calls of any desk at the office
    variants = min(DESKS, LIST_VARIANTS * OFFICES)
    push_shared = (
        shared(DESKS, variants, 3, office_list, LIST, LIST_SHARED)
        + DESKS / SAFETY * OWN[0]
        + shared(DISPLAYS, OFFICES, 1, rates["board"], BOARD, BOARD_SHARED)
        + pushed(LIVE, 5, rates["live"], LIVE_VIEW)
        + v * ACTIONS_PUSH
    )
    return poll, push, push_shared


def main() -> None:
    print(
        "| multiple | polling (0017): Django CPU s per s | push (0026) | push + shared fragments"
        " (0027) |"
    )
    print("|---:|---:|---:|---:|")
    for m in (0.0, 1.0, 3.0, 5.0, 10.0):
        poll, push, push_shared = budget(m)
        print(f"| {m:g}× | {poll / 1000:.2f} | {push / 1000:.2f} | {push_shared / 1000:.2f} |")
    for label, index in (("polling", 0), ("push", 1), ("push + shared fragments", 2)):
        m = 0.0
        while budget(m + 0.1)[index] <= 2000 and m < 100:
            m += 0.1
        print(f"{label}: two whole cores for Django alone reach {m:.1f}× the peak")


if __name__ == "__main__":
    main()
