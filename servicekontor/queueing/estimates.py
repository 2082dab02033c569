"""Wait estimates shown at the kiosk. Plain numbers in, plain numbers out; no Django."""

import math


def estimate_wait_minutes(*, ahead: int, handling_minutes: float, open_desks: int) -> int:
    """Minutes until a new ticket is likely called: the work ahead shared by the open desks.

    Rounded up to whole 5 minutes so the screen does not promise a precision it lacks;
    0 when nobody is ahead and a desk is open.
    """
    if ahead < 0 or handling_minutes < 0:
        raise ValueError("ahead and handling_minutes must not be negative")
    desks = max(open_desks, 1)
    if ahead == 0 and open_desks > 0:
        return 0
    minutes = ahead * handling_minutes / desks
    return max(5, 5 * math.ceil(minutes / 5))
