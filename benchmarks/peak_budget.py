"""The national peak's CPU budget for the screens and desks, polling against push (arithmetic).

    .venv/bin/python benchmarks/peak_budget.py

Django CPU per request from `benchmarks/poll_cost.py` (the run of 30 Nov 2026 13:44 UTC, load
average 14–18: inflated by the machine's load, compare the two columns, not absolute values)
and the network of the peak-load run (63 offices, 227 desks, 2 displays and 1 live view per
office). Per second at m × the peak (0.89 visits/s × m, 4 events a visit: issue, call, start,
finish), each screen part changes at the rate its events arrive:

- desk list: issue and call of any desk at the office (2 events a visit) and the desk's own
  events (3 a visit, spread over the desks); own visit: the desk's own events; board: issue,
  call, start (3; decision 0017 + i12a: a called visit leaving moves it); live: every event.
- Polling: each screen asks every interval (3 s, 3 s, 1 s, 5 s); an ask is a render when its
  part changed since the last ask (probability 1 − e^(−rate·interval)), else a 304.
- Push: a screen asks when told and at most once an interval, so it renders at the same rate;
  the idle asks are replaced by one safety poll a minute; desk actions are answered with the
  parts (the own-visit panel needs no poll).

Not included: searches and bookings (1.07 searches/s × m, ~21 ms each), the ticket page,
PostgreSQL, the push server (0.9 ms a message, `push_cost.py`), the load generator.
"""

from __future__ import annotations

import math

OFFICES, DESKS, DISPLAYS, LIVE = 63, 227, 126, 63
VISITS = 0.89  # per second at 1×
SAFETY = 60.0
# Django CPU ms (poll_cost.py, 30 Nov 2026 13:44 UTC): 304 / render
LIST = (3.57, 17.69)
OWN = (3.21, 20.46)
BOARD = (2.63, 6.50)
LIVE_VIEW = (9.75, 15.82)
# a visit's actions: ticket + call/start/finish each followed by the desk page (polling), or
# answered with the parts (push)
ACTIONS_POLL = 16.77 + (9.47 + 24.73) + (7.28 + 24.73) + (13.91 + 24.73)
ACTIONS_PUSH = 16.77 + 27.73 + 26.24 + 33.48


def polled(n: int, interval: float, rate: float, cost: tuple[float, float]) -> float:
    """ms of CPU per second for `n` screens asking every `interval` s, their part changing at
    `rate` per second each."""
    asks = n / interval
    changed = 1 - math.exp(-rate * interval)
    return asks * (changed * cost[1] + (1 - changed) * cost[0])


def pushed(n: int, interval: float, rate: float, cost: tuple[float, float]) -> float:
    renders = n * min(rate, 1 / interval)
    return renders * cost[1] + n / SAFETY * cost[0]


def budget(m: float) -> tuple[float, float]:
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
    return poll, push


def main() -> None:
    print("| multiple | polling: Django CPU s per s | push: Django CPU s per s | ratio |")
    print("|---:|---:|---:|---:|")
    for m in (0.0, 1.0, 3.0, 5.0, 10.0):
        poll, push = budget(m)
        print(f"| {m:g}× | {poll / 1000:.2f} | {push / 1000:.2f} | {poll / push:.1f} |")
    for label, index in (("polling", 0), ("push", 1)):
        m = 0.0
        while budget(m + 0.1)[index] <= 2000 and m < 100:
            m += 0.1
        print(f"{label}: two whole cores for Django alone reach {m:.1f}× the peak")


if __name__ == "__main__":
    main()
