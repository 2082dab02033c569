"""Time a visit spent in a state, from its event log. Pure: plain data in, plain data out.

Used by the desk (to attribute serving time to errands) and by the statistics (service time),
so that both count the same seconds. An event is `(at, to_state)`: the visit is in `to_state`
from `at` until the next event's `at`.
"""

import datetime as dt
from collections.abc import Iterable, Sequence


def seconds_in_state(
    events: Iterable[tuple[dt.datetime, str]], *, state: str, until: dt.datetime
) -> int:
    """Whole seconds (floored) the visit spent in `state`, up to `until`.

    `events` must be in log order; an open last interval runs to `until`. UTC instants
    subtract correctly across DST changes (see core/clock.py).
    """
    total = dt.timedelta(0)
    ordered: Sequence[tuple[dt.datetime, str]] = list(events)
    for i, (at, to_state) in enumerate(ordered):
        if to_state != state:
            continue
        end = ordered[i + 1][0] if i + 1 < len(ordered) else until
        if end > at:
            total += end - at
    return int(total.total_seconds())


def split_seconds(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` whole seconds by integer `weights`, exactly (largest-remainder method).

    The parts sum to `total`; each part is within one second of its exact share. Raises
    ValueError for an empty list, a negative weight or weights summing to zero.
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts
