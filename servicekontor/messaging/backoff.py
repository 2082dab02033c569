"""The wait before the next attempt after `failures` failed ones: exponential backoff, capped.

Pure. `wait(1) = base`, `wait(n) = min(base * 2**(n-1), cap)`.
"""

import datetime as dt


def wait(failures: int, *, base: dt.timedelta, cap: dt.timedelta) -> dt.timedelta:
    """Raises ValueError for failures < 1."""
    if failures < 1:
        raise ValueError("failures must be at least 1")
    # 2**30 seconds is already decades: avoid an overflow for absurd counts.
    factor = 2 ** min(failures - 1, 30)
    return min(base * factor, cap)
