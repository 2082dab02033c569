"""Wait estimates shown at the kiosk. Plain numbers in, plain numbers out; no Django."""

import math


def estimate_wait_minutes(*, ahead: int, handling_minutes: float, open_desks: int) -> int | None:
    """Minutes until a new ticket is likely called: the work ahead shared by the open desks.

    `ahead`: visits before this one in line (those competing for the same desks,
    `queueing.sql.AHEAD_OF_T`); `handling_minutes`: the service's mean handling time;
    `open_desks`: the desks that can serve it now (ready or serving; officer trained for the
    agency, desk equipped for the service: `queueing.sql.OPEN_DESKS_OF_T`).
    Rounded up to whole 5 minutes so the screen does not promise a precision it lacks;
    0 when nobody is ahead and a desk is open. None when no desk is open: with nobody
    serving there is no rate at which the line moves, so no honest estimate (the screen
    says that nobody is serving yet instead of "about 5 minutes").

    Raises ValueError for a negative `ahead`, `handling_minutes` or `open_desks`.
    """
    if ahead < 0 or handling_minutes < 0 or open_desks < 0:
        raise ValueError("ahead, handling_minutes and open_desks must not be negative")
    if open_desks == 0:
        return None
    if ahead == 0:
        return 0
    minutes = ahead * handling_minutes / open_desks
    return max(5, 5 * math.ceil(minutes / 5))
