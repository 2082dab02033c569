"""The live queue's call order as one pure rule: plain values in, a sort key out.

Who goes first, at instant ``now``:

1. booked visits whose booked time has come (``booked_start <= now``), earliest booked time
   first — a booked visit checked in early waits like a walk-in until its time;
2. then higher ``priority`` first;
3. then earlier ``queued_at`` (arrival, or the transfer time when the office says so);
4. then the lower id (a stable tie-break).

`queueing.queries.in_call_order` (the ORM ordering, and the hand-written SQL of call-next) is
this rule in the database; a property test checks that they agree. The simulator's compiled
day loop runs these two functions themselves, compiled by Numba (`numba.njit(call_order_key)`
in `simulation.model`, with `is_due` registered as jitable: the same function objects, not a
copy of their source); `simulation/tests/test_compiled_call_order.py` checks that the compiled
and the Python calls give the same keys. No Django here: the instants may be aware datetimes
or plain numbers (e.g. seconds since midnight), as long as all of one call use the same kind.
For plain numbers a walk-in's ``booked_start`` may also be NaN (``NaN <= now`` is false), the
form the compiled loop uses; nothing here may need more than Numba's nopython mode compiles
(no keyword-only parameters, one key type per branch).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar


class _Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...
    def __le__(self, other: Any, /) -> bool: ...


T = TypeVar("T", bound=_Comparable)

CallOrderKey = tuple[int, Any, int, Any, int]


def is_due(booked_start: T | None, now: T) -> bool:
    """A booked visit is due from its booked time on; a walk-in (None) never is."""
    return booked_start is not None and booked_start <= now


def call_order_key(
    booked_start: T | None, priority: int, queued_at: T, visit_id: int, now: T
) -> CallOrderKey:
    """Sort key of one waiting visit at ``now``: the smallest key is called first.

    Shape: ``(0, booked_start, -priority, queued_at, id)`` for a due booking,
    ``(1, 0.0, -priority, queued_at, id)`` otherwise. The ``0.0`` is the same in every key
    that is not due and is only ever compared with another such ``0.0`` (the first fields
    differ otherwise), so those keys order by priority, time in line and id, whatever
    instant each key was computed at. It is a number rather than ``None`` so that both
    branches have one type, as Numba needs. Call with keywords.
    """
    if is_due(booked_start, now):
        return (0, booked_start, -priority, queued_at, visit_id)
    return (1, 0.0, -priority, queued_at, visit_id)
