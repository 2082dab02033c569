"""Erlang C (M/M/c) and Erlang A (M/M/c+M) queueing formulas, as plain functions.

No Django: numbers in, numbers out. Units throughout: arrivals per **hour**, times in
**minutes** (mean service time, mean patience, the service-level target and every wait
returned). The offered load is ``a = arrivals_per_hour * mean_service_minutes / 60`` Erlangs.

Erlang C (Poisson arrivals, exponential service, ``c`` officers, infinite patience, first come
first served). Sources: A. K. Erlang (1917); Gans, Koole & Mandelbaum, "Telephone call centers:
tutorial, review, and research prospects", M&SOM 5(2), 2003, §4.1; G. Koole, *Call Center
Optimization* (2013), ch. 5.

- Erlang B by the recursion ``B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))`` — every term is a
  probability, so nothing overflows however large the office (no ``a**c / c!``).
- Probability of waiting ``C(c, a) = c B(c, a) / (c - a (1 - B(c, a)))`` for ``a < c``; 1 when
  ``a >= c`` (the queue grows without bound).
- Wait distribution ``P(W <= t) = 1 - C e^{-(c mu - lambda) t}``; mean wait
  ``E[W] = C / (c mu - lambda)``.

Erlang A (as Erlang C, plus exponential patience with mean ``1/theta``: a waiting citizen leaves
before being called at rate ``theta``). Sources: Palm (1943); Garnett, Mandelbaum & Reiman,
"Designing a call center with impatient customers", M&SOM 4(3), 2002; Gans, Koole & Mandelbaum
(2003) §4.2; Koole (2013) ch. 5. Solved here *exactly* as the birth–death chain of the number
in the office: birth rate ``lambda``, death rate ``min(n, c) mu + max(n - c, 0) theta``. The
state space is truncated at the first ``N`` whose geometric tail bound
``pi_N rho_N / (1 - rho_N)`` (``rho_N`` the next birth/death ratio, decreasing beyond ``N``) is
below ``tolerance`` (default 1e-12) of the total mass; everything is computed in log space.

- ``P(wait) = P(N >= c)`` (arrivals see time averages, PASTA).
- ``P(abandon) = theta E[Q] / lambda`` with ``Q = max(N - c, 0)`` (rate balance).
- Mean wait of all arrivals ``E[W] = E[Q] / lambda`` (Little), abandoners' time included.
- Service level: the share of *all* arrivals called within ``t`` minutes — a citizen who leaves
  before being called is not called within the target. With ``j`` citizens ahead, the tagged
  citizen moves up at rate ``c mu + i theta`` (``i`` still ahead) and leaves at rate ``theta``;
  the probability of being called by ``t`` is computed by uniformisation of that pure-death
  chain for every ``j`` at once. As ``theta -> 0`` it tends to the Erlang C service level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MINUTES_PER_HOUR = 60.0


def _check(arrivals_per_hour: float, mean_service_minutes: float, agents: int) -> None:
    if not (arrivals_per_hour >= 0 and math.isfinite(arrivals_per_hour)):
        raise ValueError(f"arrivals_per_hour must be a finite number >= 0, not {arrivals_per_hour}")
    if not (mean_service_minutes > 0 and math.isfinite(mean_service_minutes)):
        raise ValueError(f"mean_service_minutes must be > 0, not {mean_service_minutes}")
    if agents < 0 or int(agents) != agents:
        raise ValueError(f"agents must be a whole number >= 0, not {agents}")


def offered_load(arrivals_per_hour: float, mean_service_minutes: float) -> float:
    """The offered load in Erlangs: arrivals per hour x mean service time in hours."""
    _check(arrivals_per_hour, mean_service_minutes, 0)
    return arrivals_per_hour * mean_service_minutes / MINUTES_PER_HOUR


def erlang_b(agents: int, load: float) -> float:
    """Erlang B blocking probability B(c, a) by the stable recursion (no factorials).

    ``agents`` c >= 0, ``load`` a >= 0 in Erlangs. Source: Koole (2013) §5.1; Gans, Koole &
    Mandelbaum (2003) §4.1.
    """
    if agents < 0 or load < 0:
        raise ValueError("agents and load must be >= 0")
    b = 1.0
    for k in range(1, int(agents) + 1):
        b = load * b / (k + load * b)
    return b


def _c_from_b(agents: int, load: float, b: float) -> float:
    if load >= agents:
        return 1.0
    return agents * b / (agents - load * (1.0 - b))


# --- Erlang C --------------------------------------------------------------------------------


def erlang_c_wait_probability(
    *, arrivals_per_hour: float, mean_service_minutes: float, agents: int
) -> float:
    """P(wait > 0) for M/M/c: the Erlang C formula C(c, a), in [0, 1].

    1.0 when the load is at or above the number of agents (the queue is unstable) and when
    there are no agents. Source: Gans, Koole & Mandelbaum (2003) eq. (4.1).
    """
    _check(arrivals_per_hour, mean_service_minutes, agents)
    load = offered_load(arrivals_per_hour, mean_service_minutes)
    if load == 0:
        return 0.0
    return _c_from_b(agents, load, erlang_b(agents, load))


def erlang_c_service_level(
    *,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    agents: int,
    target_minutes: float,
) -> float:
    """P(W <= t) for M/M/c: ``1 - C(c, a) exp(-(c mu - lambda) t)``; 0 when unstable.

    ``target_minutes`` t >= 0. Source: Koole (2013) §5.2.
    """
    if target_minutes < 0:
        raise ValueError("target_minutes must be >= 0")
    c_prob = erlang_c_wait_probability(
        arrivals_per_hour=arrivals_per_hour,
        mean_service_minutes=mean_service_minutes,
        agents=agents,
    )
    load = offered_load(arrivals_per_hour, mean_service_minutes)
    if load >= agents and load > 0:
        return 0.0
    mu = 1.0 / mean_service_minutes
    lam = arrivals_per_hour / MINUTES_PER_HOUR
    return 1.0 - c_prob * math.exp(-(agents * mu - lam) * target_minutes)


def erlang_c_mean_wait(
    *, arrivals_per_hour: float, mean_service_minutes: float, agents: int
) -> float:
    """Mean wait in minutes of all arrivals for M/M/c: ``C / (c mu - lambda)``; inf if unstable.

    Source: Gans, Koole & Mandelbaum (2003) §4.1.
    """
    c_prob = erlang_c_wait_probability(
        arrivals_per_hour=arrivals_per_hour,
        mean_service_minutes=mean_service_minutes,
        agents=agents,
    )
    load = offered_load(arrivals_per_hour, mean_service_minutes)
    if load == 0:
        return 0.0
    if load >= agents:
        return math.inf
    mu = 1.0 / mean_service_minutes
    lam = arrivals_per_hour / MINUTES_PER_HOUR
    return c_prob / (agents * mu - lam)


def erlang_c_agents_needed(
    *,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    target_minutes: float,
    service_level: float = 0.8,
    max_occupancy: float = 1.0,
) -> int:
    """The smallest number of agents c with ``P(W <= target) >= service_level`` (M/M/c).

    Also ``load / c <= max_occupancy`` (an occupancy cap in (0, 1]). ``service_level`` in
    [0, 1). One pass of the Erlang B recursion: O(c). 0 when nobody comes.
    """
    _check(arrivals_per_hour, mean_service_minutes, 0)
    if not 0 <= service_level < 1:
        raise ValueError("service_level must be in [0, 1)")
    if not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy must be in (0, 1]")
    if target_minutes < 0:
        raise ValueError("target_minutes must be >= 0")
    load = offered_load(arrivals_per_hour, mean_service_minutes)
    if load == 0:
        return 0
    mu = 1.0 / mean_service_minutes
    lam = arrivals_per_hour / MINUTES_PER_HOUR
    b = 1.0
    c = 0
    while True:
        c += 1
        b = load * b / (c + load * b)
        if load >= c or load / c > max_occupancy:
            continue
        sl = 1.0 - _c_from_b(c, load, b) * math.exp(-(c * mu - lam) * target_minutes)
        if sl >= service_level:
            return c


def erlang_c_agents_needed_many(
    *,
    arrivals_per_hour: np.ndarray,
    mean_service_minutes: np.ndarray,
    target_minutes: np.ndarray | float,
    service_level: np.ndarray | float = 0.8,
    max_occupancy: float = 1.0,
) -> np.ndarray:
    """`erlang_c_agents_needed` for many cases at once (arrays of one shape; scalars
    broadcast): the same recursion and the same stopping rule, stepped for every case
    together in NumPy. Returns int64 agents (0 where nobody comes). Same errors as the
    scalar function."""
    lam, mean, target, level = np.broadcast_arrays(
        np.asarray(arrivals_per_hour, dtype=float),
        np.asarray(mean_service_minutes, dtype=float),
        np.asarray(target_minutes, dtype=float),
        np.asarray(service_level, dtype=float),
    )
    if np.any(~np.isfinite(lam) | (lam < 0)) or np.any(~np.isfinite(mean) | (mean <= 0)):
        raise ValueError("arrivals must be finite >= 0 and mean service minutes finite > 0")
    if np.any((level < 0) | (level >= 1)) or np.any(target < 0):
        raise ValueError("service_level must be in [0, 1) and target_minutes >= 0")
    if not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy must be in (0, 1]")
    shape = lam.shape
    lam, mean, target, level = (x.ravel() for x in (lam, mean, target, level))
    load = lam * mean / MINUTES_PER_HOUR
    out = np.zeros(load.size, dtype=np.int64)
    idx = np.flatnonzero(load > 0)
    a, mu, rate, t, want = (
        load[idx],
        1.0 / mean[idx],
        lam[idx] / MINUTES_PER_HOUR,
        target[idx],
        level[idx],
    )
    b = np.ones(idx.size)
    c = 0
    while idx.size:
        c += 1
        b = a * b / (c + a * b)
        ok = (a < c) & (a / c <= max_occupancy)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            wait = c * b / (c - a * (1.0 - b))
            sl = 1.0 - wait * np.exp(-(c * mu - rate) * t)
        done = ok & (sl >= want)
        if done.any():
            out[idx[done]] = c
            keep = ~done
            idx, a, mu, rate, t, want, b = (x[keep] for x in (idx, a, mu, rate, t, want, b))
    return out.reshape(shape)


# --- Erlang A --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErlangA:
    """Performance of M/M/c+M. Probabilities in [0, 1]; waits in minutes.

    ``wait_probability``: an arrival finds every agent busy. ``abandon_probability``: an
    arrival leaves before being called. ``mean_wait``: over all arrivals (abandoners' time in
    line included). ``mean_queue``: mean number waiting. ``states``: size of the truncated
    state space used.
    """

    wait_probability: float
    abandon_probability: float
    mean_wait: float
    mean_queue: float
    states: int


def _erlang_a_distribution(
    lam: float, mu: float, theta: float, agents: int, tolerance: float
) -> np.ndarray:
    """Stationary distribution of the number in system, truncated (see module docstring)."""
    if theta <= 0 and lam >= agents * mu:
        raise ValueError("without abandonment the load must be below the number of agents")
    n_max = max(2 * agents + 50, 64)
    while True:
        n = np.arange(1, n_max + 1, dtype=float)
        deaths = np.minimum(n, agents) * mu + np.maximum(n - agents, 0.0) * theta
        log_pi = np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(deaths))))
        top = log_pi.max()
        pi = np.exp(log_pi - top)
        total = pi.sum()
        rho_next = lam / (min(n_max + 1, agents) * mu + max(n_max + 1 - agents, 0) * theta)
        if rho_next < 1:
            tail = pi[-1] * rho_next / (1.0 - rho_next)
            if tail <= tolerance * total:
                return pi / total
        n_max *= 2
        if n_max > 50_000_000:  # pragma: no cover - only for absurd inputs
            raise ValueError("state space too large; is the patience effectively infinite?")


def erlang_a(
    *,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    mean_patience_minutes: float,
    agents: int,
    tolerance: float = 1e-12,
) -> ErlangA:
    """M/M/c+M (Erlang A) measures from the exact birth–death solution.

    ``mean_patience_minutes`` 1/theta > 0 (``math.inf``: no abandonment, i.e. Erlang C, which
    then needs load < agents). Truncation error below ``tolerance`` of the probability mass.
    Sources: Garnett, Mandelbaum & Reiman (2002) §3; Gans, Koole & Mandelbaum (2003) §4.2.
    """
    _check(arrivals_per_hour, mean_service_minutes, agents)
    if not mean_patience_minutes > 0:
        raise ValueError("mean_patience_minutes must be > 0")
    lam = arrivals_per_hour / MINUTES_PER_HOUR
    if lam == 0:
        return ErlangA(0.0, 0.0, 0.0, 0.0, 1)
    mu = 1.0 / mean_service_minutes
    theta = 0.0 if math.isinf(mean_patience_minutes) else 1.0 / mean_patience_minutes
    pi = _erlang_a_distribution(lam, mu, theta, agents, tolerance)
    n = np.arange(pi.size)
    queue = np.maximum(n - agents, 0)
    mean_queue = float(pi @ queue)
    wait_probability = float(pi[agents:].sum())
    return ErlangA(
        wait_probability=min(1.0, wait_probability),
        abandon_probability=min(1.0, theta * mean_queue / lam),
        mean_wait=mean_queue / lam,
        mean_queue=mean_queue,
        states=int(pi.size),
    )


def _called_within(
    *, ahead: int, agents: int, mu: float, theta: float, t: float, tolerance: float
) -> np.ndarray:
    """P(called within t | j ahead on arrival, all agents busy), for j = 0..ahead.

    Uniformisation of the pure-death chain of the tagged citizen (module docstring).
    """
    rates = agents * mu + np.arange(ahead + 1) * theta  # leaving position i (i ahead)
    big = float(rates[-1] + theta)
    if t == 0 or big == 0:
        return np.zeros(ahead + 1)
    # f_k(i): P(called within the next k uniformised steps | i ahead); steps ~ Poisson(big t)
    stay = 1.0 - (rates + theta) / big
    move = rates / big
    f = np.zeros(ahead + 1)
    result = np.zeros(ahead + 1)
    mean_steps = big * t
    k_max = int(mean_steps + 12 * math.sqrt(mean_steps) + 30)
    log_weight = -mean_steps  # log Poisson(0)
    mass = 0.0
    for k in range(k_max + 1):
        weight = math.exp(log_weight)
        result += weight * f
        mass += weight
        if mass > 1 - tolerance and k > mean_steps:
            break
        shifted = np.concatenate(([1.0], f[:-1]))  # from i ahead to i-1; from 0 to "called"
        f = stay * f + move * shifted
        log_weight += math.log(mean_steps) - math.log(k + 1)
    return result


def erlang_a_service_level(
    *,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    mean_patience_minutes: float,
    agents: int,
    target_minutes: float,
    tolerance: float = 1e-12,
) -> float:
    """Share of all arrivals called within ``target_minutes`` in M/M/c+M, in [0, 1].

    Abandoners count as not called. Exact up to ``tolerance`` (state-space truncation and the
    uniformisation series). Source: the method of Koole (2013) ch. 5 / Gans, Koole & Mandelbaum
    (2003) §4.2, evaluated by uniformisation.
    """
    _check(arrivals_per_hour, mean_service_minutes, agents)
    if target_minutes < 0:
        raise ValueError("target_minutes must be >= 0")
    if not mean_patience_minutes > 0:
        raise ValueError("mean_patience_minutes must be > 0")
    return _erlang_a_service_level(
        float(arrivals_per_hour),
        float(mean_service_minutes),
        float(mean_patience_minutes),
        int(agents),
        float(target_minutes),
        float(tolerance),
    )


@lru_cache(maxsize=4096)
def _erlang_a_service_level(
    arrivals_per_hour: float,
    mean_service_minutes: float,
    mean_patience_minutes: float,
    agents: int,
    target_minutes: float,
    tolerance: float,
) -> float:
    # cached: a staffing search and the promise made at its answer ask for the same value
    lam = arrivals_per_hour / MINUTES_PER_HOUR
    if lam == 0:
        return 1.0
    mu = 1.0 / mean_service_minutes
    theta = 0.0 if math.isinf(mean_patience_minutes) else 1.0 / mean_patience_minutes
    pi = _erlang_a_distribution(lam, mu, theta, agents, tolerance)
    immediate = float(pi[:agents].sum())
    queued = pi[agents:]
    # the far tail of the queue carries less than `tolerance` of the mass: counting it as not
    # called changes the answer by less than that, and a shorter chain is far cheaper
    # (the uniformisation rate grows with the number ahead)
    tail = np.cumsum(queued[::-1])[::-1]
    queued = queued[: max(1, int(np.count_nonzero(tail > tolerance)))]
    if queued.size == 0:
        return min(1.0, immediate)
    called = _called_within(
        ahead=queued.size - 1,
        agents=agents,
        mu=mu,
        theta=theta,
        t=target_minutes,
        tolerance=tolerance,
    )
    return float(min(1.0, max(0.0, immediate + float(queued @ called))))


def erlang_a_agents_needed(
    *,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    mean_patience_minutes: float,
    target_minutes: float,
    service_level: float = 0.8,
    max_abandon: float = 1.0,
) -> int:
    """Smallest c with Erlang A service level >= target and P(abandon) <= ``max_abandon``.

    Both measures improve with every added agent, so the search starts at the Erlang C count
    and walks down or up to the smallest ``c`` that meets both, never below the lower bound
    ``c >= service_level * a`` (at most ``c mu`` citizens an hour are served, so the share
    called within any time is at most ``c / a``).
    """
    if not 0 <= service_level < 1:
        raise ValueError("service_level must be in [0, 1)")
    if not 0 <= max_abandon <= 1:
        raise ValueError("max_abandon must be in [0, 1]")
    load = offered_load(arrivals_per_hour, mean_service_minutes)
    if load == 0:
        return 0
    lower = max(1, math.ceil(service_level * load))

    def meets(c: int) -> bool:
        sl = erlang_a_service_level(
            arrivals_per_hour=arrivals_per_hour,
            mean_service_minutes=mean_service_minutes,
            mean_patience_minutes=mean_patience_minutes,
            agents=c,
            target_minutes=target_minutes,
        )
        if sl < service_level:
            return False
        if max_abandon >= 1:
            return True
        abandon = erlang_a(
            arrivals_per_hour=arrivals_per_hour,
            mean_service_minutes=mean_service_minutes,
            mean_patience_minutes=mean_patience_minutes,
            agents=c,
        ).abandon_probability
        return abandon <= max_abandon

    # Start at the Erlang C count (cheap, usually within one of the answer) and walk to the
    # smallest c that meets both targets; both improve with every agent added.
    c = max(
        lower,
        erlang_c_agents_needed(
            arrivals_per_hour=arrivals_per_hour,
            mean_service_minutes=mean_service_minutes,
            target_minutes=target_minutes,
            service_level=service_level,
        ),
    )
    if meets(c):
        while c > lower and meets(c - 1):
            c -= 1
        return c
    c += 1
    while not meets(c):
        c += 1
    return c
