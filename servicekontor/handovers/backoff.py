"""When to try a failed webhook delivery again. Pure: no Django.

Exponential backoff with a cap, as the Standard Webhooks specification recommends for
retries (the constants are our assumption, not from the specification): the n-th retry
waits `base · 2^(n-1)`, at most `cap`, plus up to `jitter` of it so many endpoints coming
back at once are not all retried in the same second.
"""

from __future__ import annotations

import datetime as dt
import random

BASE = dt.timedelta(seconds=10)
CAP = dt.timedelta(hours=6)


def retry_delay(
    attempts: int,
    *,
    base: dt.timedelta = BASE,
    cap: dt.timedelta = CAP,
    jitter: float = 0.1,
    rng: random.Random | None = None,
) -> dt.timedelta:
    """The wait after `attempts` failed attempts (attempts ≥ 1): base·2^(attempts-1) capped
    at `cap`, times (1 + u·jitter) with u uniform in [0, 1). Raises ValueError for attempts < 1
    or jitter outside [0, 1]."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    if not 0 <= jitter <= 1:
        raise ValueError("jitter must be within [0, 1]")
    exponent = min(attempts - 1, 30)  # 2^30 · 10 s is far past any cap
    delay = min(base * (2**exponent), cap)
    u = (rng or random).random()
    return delay * (1 + u * jitter)
